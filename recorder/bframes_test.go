package recorder

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/avdec/avdectest"
	"github.com/vigil-cctv/vigil/internal/ffmpeg"
)

// encodeWithTimes encodes frames pictures of testsrc2 (w×h at fps, a key frame every
// second) with Debian's ffmpeg using the encoder's defaults otherwise — libx264's preset
// medium has bframes=3 with b-pyramid; -bf sets the count — into MP4, and returns its
// access units in decode order as Packets with the PTS and DTS the encoder gave them (read
// back with ffprobe), as an RTSP source carrying RTP times delivers them.
func encodeWithTimes(t *testing.T, codec capture.Codec, w, h, fps, frames, bframes int) []capture.Packet {
	t.Helper()
	needFFmpeg(t)
	enc, bsf, split := "libx264", "h264_mp4toannexb", avdectest.SplitAnnexB
	if codec == capture.CodecH265 {
		enc, bsf, split = "libx265", "hevc_mp4toannexb", avdectest.SplitAnnexBH265
	}
	if !avdectest.HasEncoder(enc) {
		t.Skipf("this ffmpeg has no %s encoder", enc)
	}
	dir := t.TempDir()
	mp4 := filepath.Join(dir, "src.mp4")
	args := []string{"-nostdin", "-v", "error", "-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=%dx%d:rate=%d", w, h, fps),
		"-frames:v", strconv.Itoa(frames), "-c:v", enc, "-pix_fmt", "yuv420p", "-g", strconv.Itoa(fps), "-bf", strconv.Itoa(bframes)}
	if codec == capture.CodecH265 {
		args = append(args, "-x265-params", fmt.Sprintf("log-level=error:open-gop=0:keyint=%d:bframes=%d", fps, bframes))
	}
	if out, err := exec.Command("ffmpeg", append(args, mp4)...).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg encoding: %v\n%s", err, out)
	}
	raw, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-i", mp4, "-c", "copy", "-bsf:v", bsf, "-f", map[capture.Codec]string{capture.CodecH264: "h264", capture.CodecH265: "hevc"}[codec], "-").Output()
	if err != nil {
		t.Fatalf("ffmpeg to Annex-B: %v", err)
	}
	aus, keys := split(raw)
	var r struct {
		Streams []struct {
			TimeBase string `json:"time_base"`
		} `json:"streams"`
		Packets []struct {
			PTS, DTS int64
			Flags    string
		} `json:"packets"`
	}
	if _, err := ffmpeg.ProbeJSON(mp4, &r, "-select_streams", "v", "-show_entries", "stream=time_base:packet=pts,dts,flags"); err != nil || len(r.Streams) != 1 {
		t.Fatalf("ffprobe packets: %v: %+v", err, r.Streams)
	}
	var num, den int64
	if _, err := fmt.Sscanf(r.Streams[0].TimeBase, "%d/%d", &num, &den); err != nil || den == 0 {
		t.Fatalf("time base %q", r.Streams[0].TimeBase)
	}
	if len(r.Packets) != len(aus) {
		t.Fatalf("ffprobe lists %d packets, the Annex-B stream splits into %d units", len(r.Packets), len(aus))
	}
	dts0 := r.Packets[0].DTS // negative with B-frames: the first PTS is 0
	pkts := make([]capture.Packet, len(aus))
	reordered := false
	for i, p := range r.Packets {
		at := func(v int64) time.Duration { return time.Duration((v - dts0) * num * int64(time.Second) / den) }
		pkts[i] = capture.Packet{Codec: codec, Data: aus[i], Key: keys[i], Width: w, Height: h,
			PTS: at(p.PTS), DTS: at(p.DTS), HasPTS: true}
		if keys[i] != strings.Contains(p.Flags, "K") {
			t.Fatalf("unit %d: key %v, ffprobe flags %q", i, keys[i], p.Flags)
		}
		reordered = reordered || p.PTS != p.DTS-dts0+r.Packets[0].PTS
	}
	if bframes > 0 && !reordered {
		t.Fatal("the encoder made no reordered pictures")
	}
	return pkts
}

// frameOrder is what ffprobe -show_frames and -show_packets say of a recording's order.
type frameOrder struct {
	pictTypes string          // one letter per frame, display order
	pts       []time.Duration // frames, as output (display order)
	dts       []time.Duration // packets, file order
}

func probeOrder(t *testing.T, path string) frameOrder {
	t.Helper()
	var r struct {
		Frames []struct {
			PTS      string `json:"pts_time"`
			PictType string `json:"pict_type"`
		} `json:"frames"`
		Packets []struct {
			DTS string `json:"dts_time"`
		} `json:"packets"`
	}
	run := func(entries, show string) {
		if complaints, err := ffmpeg.ProbeJSON(path, &r, "-select_streams", "v", "-show_entries", entries, show); err != nil || complaints != "" {
			t.Fatalf("ffprobe %s of %s: %v\n%s", show, path, err, complaints)
		}
	}
	run("frame=pts_time,pict_type", "-show_frames")
	run("packet=dts_time", "-show_packets")
	sec := func(s string) time.Duration {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("ffprobe time %q", s)
		}
		return time.Duration(f * float64(time.Second))
	}
	var o frameOrder
	for _, f := range r.Frames {
		o.pictTypes += f.PictType
		o.pts = append(o.pts, sec(f.PTS))
	}
	for _, p := range r.Packets {
		o.dts = append(o.dts, sec(p.DTS))
	}
	return o
}

// TestRecordBFrames records H.264 and H.265 with B-frames (the encoders' defaults, as
// x264 and many NVRs send) carrying their PTS/DTS, through a real Stream and Hub, and
// judges the files with ffprobe and ffmpeg: B pictures present, presentation times
// strictly increasing in display order, decode times strictly increasing, a clean decode.
func TestRecordBFrames(t *testing.T) {
	for _, codec := range []capture.Codec{capture.CodecH264, capture.CodecH265} {
		t.Run(string(codec), func(t *testing.T) {
			pkts := encodeWithTimes(t, codec, 640, 360, 15, 45, 2)
			cam := capture.NewStream(string(codec), &loopSource{Pkts: pkts, FPS: 15}, capture.StreamOptions{})
			defer cam.Close()
			r := openRoot(t, Options{})
			st := recordFor(t, r, "bframes", cam, 5*time.Second)
			c := clips(t, r.Dir())
			if len(c) != 1 || st.Err != nil {
				t.Fatalf("clips %+v, status %+v", c, st)
			}
			p := ffprobe(t, c[0].Path)
			decodeClean(t, c[0].Path)
			o := probeOrder(t, c[0].Path)
			t.Logf("%s: %d frames, %.2f s, picture types %s", codec, p.Frames, p.Duration, o.pictTypes)
			if !strings.Contains(o.pictTypes, "B") {
				t.Errorf("no B pictures in the recording: %s", o.pictTypes)
			}
			if p.Frames < 60 || len(o.pts) != p.Frames {
				t.Errorf("%d frames (%d listed), want about 75", p.Frames, len(o.pts))
			}
			for i := 1; i < len(o.pts); i++ {
				if o.pts[i] <= o.pts[i-1] {
					t.Errorf("frame %d: pts %v after %v: display order runs backwards", i, o.pts[i], o.pts[i-1])
				}
			}
			for i := 1; i < len(o.dts); i++ {
				if o.dts[i] <= o.dts[i-1] {
					t.Errorf("packet %d: dts %v after %v", i, o.dts[i], o.dts[i-1])
				}
			}
			// Each frame lasts one period of the source's clock (15 fps): presentation
			// times are the encoder's, not arrival times.
			for i := 1; i < len(o.pts); i++ {
				if d := o.pts[i] - o.pts[i-1]; d < 60*time.Millisecond || d > 73*time.Millisecond {
					t.Errorf("frame %d lasts %v, want 66.7 ms", i, d)
					break
				}
			}
		})
	}
}

// keepFile copies a file that failed a check to $VIGIL_KEEP_BAD, for a look by hand.
func keepFile(path string) {
	if d := os.Getenv("VIGIL_KEEP_BAD"); d != "" {
		b, _ := os.ReadFile(path)
		os.WriteFile(filepath.Join(d, filepath.Base(path)), b, 0o644)
	}
}
