package avdectest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/internal/ffmpeg"
)

// Stream describes a test stream for Encode.
type Stream struct {
	// Codec is capture.CodecH264 (libx264) or capture.CodecH265 (libx265).
	Codec capture.Codec
	// Width, Height and FPS of the picture. FPS defaults to 15.
	Width, Height, FPS int
	// Frames is how many pictures to encode. It defaults to FPS (one second).
	Frames int
	// BFrames is the encoder's B-frame count (0: I and P only, as most cameras send).
	BFrames int
	// GOP is the distance between key frames. It defaults to FPS.
	GOP int
	// Source is the lavfi source, "testsrc2" by default; e.g. "color=c=red".
	Source string
	// PixFmt is the encoded pixel format, "yuv420p" by default; e.g. "yuvj420p" (full
	// range), "yuv422p", "yuv444p", "yuv420p10le".
	PixFmt string
	// Preset is the x264/x265 preset, "veryfast" by default.
	Preset string
	// AUD asks ffmpeg to put an access unit delimiter in front of every unit.
	AUD bool
	// Times fills each Packet's PTS and DTS (HasPTS), as an RTSP source would: DTS one
	// frame interval per unit in decode order, PTS from the unit's place in presentation
	// order, which ffprobe reports (the byte position of each decoded picture's packet). It
	// is on whenever BFrames > 0.
	Times bool
	// Extra is appended to the ffmpeg arguments before the output (e.g. "-x264-params",
	// "slices=4").
	Extra []string
}

// encoders maps a codec to its ffmpeg encoder, muxer and AUD bitstream filter.
var encoders = map[capture.Codec]struct{ encoder, format, aud string }{
	capture.CodecH264: {"libx264", "h264", "h264_metadata=aud=insert"},
	capture.CodecH265: {"libx265", "hevc", "hevc_metadata=aud=insert"},
}

// HasEncoder reports whether the ffmpeg on PATH has the named encoder ("libx264", "libx265").
func HasEncoder(name string) bool { return ffmpeg.HasEncoder(name) }

// Encode runs ffmpeg to make the stream and returns its access units as Packets (Codec,
// Data, Key, Width, Height set; no times). It fails t when ffmpeg is missing or fails, and
// skips it when ffmpeg lacks the codec's encoder (libx265 is optional in some builds).
// Streams are cached by internal/ffmpeg (keyed by the arguments and ffmpeg's version), so
// a stream is encoded once per machine.
func Encode(t testing.TB, s Stream) []capture.Packet {
	t.Helper()
	enc, ok := encoders[s.Codec]
	if !ok {
		t.Fatalf("avdectest: cannot encode %q", s.Codec)
	}
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Fatalf("avdectest: ffmpeg not found on PATH (install it: make test-deps): %v", err)
	}
	if !HasEncoder(enc.encoder) {
		t.Skipf("avdectest: this ffmpeg has no %s encoder, so %s streams cannot be made here", enc.encoder, s.Codec)
	}
	s.FPS = capture.OrDefault(s.FPS, 15)
	s.Frames = capture.OrDefault(s.Frames, s.FPS)
	s.GOP = capture.OrDefault(s.GOP, s.FPS)
	if s.Source == "" {
		s.Source = "testsrc2"
	}
	if s.PixFmt == "" {
		s.PixFmt = "yuv420p"
	}
	if s.Preset == "" {
		s.Preset = "veryfast"
	}
	sep := "=" // the first option of a lavfi source follows "=", later ones ":"
	if strings.Contains(s.Source, "=") {
		sep = ":"
	}
	args := []string{"-y",
		"-f", "lavfi", "-i", fmt.Sprintf("%s%ssize=%dx%d:rate=%d", s.Source, sep, s.Width, s.Height, s.FPS),
		"-frames:v", strconv.Itoa(s.Frames), "-c:v", enc.encoder, "-preset", s.Preset,
		"-pix_fmt", s.PixFmt, "-bf", strconv.Itoa(s.BFrames), "-g", strconv.Itoa(s.GOP)}
	if s.Codec == capture.CodecH265 {
		// Closed GOPs make every key unit an IDR, as cameras send; quiet x265's banner.
		args = append(args, "-x265-params", "log-level=error:open-gop=0:keyint="+strconv.Itoa(s.GOP))
	}
	if s.AUD {
		args = append(args, "-bsf:v", enc.aud)
	}
	args = append(args, s.Extra...)
	args = append(args, "-f", enc.format, "-")
	times := s.BFrames > 0 || s.Times
	runs := [][]string{args}
	if times {
		runs = append(runs, probeArgs)
	}
	// Cached as the Annex-B stream, then (with times) ffprobe's picture positions.
	got, err := ffmpeg.Cached("avdectest-"+enc.format, runs, func() ([][]byte, error) {
		data, err := ffmpeg.Run(args...)
		if err != nil || !times {
			return [][]byte{data}, err
		}
		file := filepath.Join(t.TempDir(), "stream."+enc.format)
		if err := os.WriteFile(file, data, 0o644); err != nil {
			return nil, err
		}
		pos, err := ffmpeg.Tool("ffprobe", append(slices.Clone(probeArgs), file)...)
		return [][]byte{data, pos}, err
	})
	if err != nil {
		t.Fatalf("avdectest: %v", err)
	}
	data := got[0]
	split := SplitAnnexB
	if s.Codec == capture.CodecH265 {
		split = SplitAnnexBH265
	}
	aus, keys := split(data)
	pkts := make([]capture.Packet, len(aus))
	for i, au := range aus {
		pkts[i] = capture.Packet{Codec: s.Codec, Data: au, Key: keys[i], Width: s.Width, Height: s.Height}
	}
	if times {
		setTimes(t, got[1], pkts, s.FPS)
	}
	return pkts
}

// probeArgs has ffprobe list the packet position of every picture it decodes, in
// presentation order (the file's path follows).
var probeArgs = []string{"-v", "error", "-threads", "1", "-show_entries", "frame=pkt_pos", "-of", "csv=p=0"}

// setTimes numbers the access units of the Annex-B stream in presentation order, from the
// packet position of every picture ffprobe decoded (out, as probeArgs lists them),
// and sets PTS = that place and DTS = the place in decode order minus the most places any
// unit is shown before its turn, so DTS ≤ PTS as in an RTP stream.
func setTimes(t testing.TB, out []byte, pkts []capture.Packet, fps int) {
	t.Helper()
	starts := make([]int64, len(pkts)) // byte offset of each unit in the file
	var off int64
	for i, p := range pkts {
		starts[i] = off
		off += int64(len(p.Data))
	}
	shown := make([]int, len(pkts)) // place in presentation order, by decode index
	for i := range shown {
		shown[i] = -1
	}
	n := 0
	for _, line := range strings.Fields(string(out)) {
		pos, err := strconv.ParseInt(strings.Trim(line, ","), 10, 64)
		if err != nil {
			continue // a picture ffprobe could not place
		}
		i := sort.Search(len(starts), func(i int) bool { return starts[i] > pos }) - 1
		if i < 0 || shown[i] >= 0 {
			t.Fatalf("avdectest: ffprobe picture at byte %d matches no unit or one already shown", pos)
		}
		shown[i] = n
		n++
	}
	if n != len(pkts) {
		t.Fatalf("avdectest: ffprobe placed %d pictures of %d units", n, len(pkts))
	}
	lead := 0
	for i, v := range shown {
		lead = max(lead, i-v)
	}
	interval := time.Second / time.Duration(fps)
	for i := range pkts {
		pkts[i].PTS = time.Duration(shown[i]) * interval
		pkts[i].DTS = time.Duration(i-lead) * interval
		pkts[i].HasPTS = true
	}
}

// EncodeH264 encodes frames pictures of ffmpeg's testsrc2 at w×h and fps with libx264 (a key
// frame every second, bframes B-frames) and returns the access units.
func EncodeH264(t testing.TB, w, h, fps, frames, bframes int) []capture.Packet {
	t.Helper()
	return Encode(t, Stream{Codec: capture.CodecH264, Width: w, Height: h, FPS: fps, Frames: frames, BFrames: bframes})
}

// EncodeH265 is EncodeH264 with libx265; it skips t when ffmpeg lacks libx265.
func EncodeH265(t testing.TB, w, h, fps, frames, bframes int) []capture.Packet {
	t.Helper()
	return Encode(t, Stream{Codec: capture.CodecH265, Width: w, Height: h, FPS: fps, Frames: frames, BFrames: bframes})
}
