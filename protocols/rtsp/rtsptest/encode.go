package rtsptest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/vigil-cctv/vigil/internal/ffmpeg"
)

// ErrNoFFmpeg is returned when ffmpeg is not installed; tests skip on it.
var ErrNoFFmpeg = ffmpeg.ErrNotInstalled

// splitRule names how SplitAccessUnits cuts ffmpeg's output, part of every cache key:
// change it when the splitting changes.
const splitRule = "split-annexb-v2"

// Encoding limits: test streams are small loops, not films.
const (
	maxEncodePixels  = 3840 * 2160
	maxEncodeSeconds = 60
	maxEncodeFPS     = 60
)

// EncodeH264 returns seconds×fps access units of ffmpeg's testsrc2 pattern at w×h in
// Annex-B form: libx264 ultrafast with tune=zerolatency, a key frame (IDR with SPS and
// PPS) every second, no B-frames, each access unit starting with an access unit
// delimiter. Results are cached by internal/ffmpeg (in memory and on disk, keyed by the
// arguments and ffmpeg's version), so ffmpeg runs once per size.
func EncodeH264(w, h, fps, seconds int) ([][]byte, error) {
	return encodeLive("h264", w, h, fps, seconds, []string{
		"-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
		"-g", fmt.Sprint(fps), "-bf", "0",
	}, "h264_metadata=aud=insert", false)
}

// EncodeH265 is EncodeH264 for H.265: libx265 ultrafast, zerolatency, a key frame (IDR
// with VPS, SPS and PPS) every second, no B-frames, access unit delimiters.
func EncodeH265(w, h, fps, seconds int) ([][]byte, error) {
	return encodeLive("hevc", w, h, fps, seconds, []string{
		"-c:v", "libx265", "-preset", "ultrafast", "-tune", "zerolatency",
		"-x265-params", fmt.Sprintf("log-level=none:keyint=%d:bframes=0", fps),
	}, "hevc_metadata=aud=insert", true)
}

// encodeLive encodes testsrc2 with the codec arguments and the AUD bitstream filter bsf
// to the raw format and splits it into access units.
func encodeLive(raw string, w, h, fps, seconds int, codec []string, bsf string, h265 bool) ([][]byte, error) {
	if err := checkEncode(w, h, fps, seconds); err != nil {
		return nil, err
	}
	args := []string{"-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=%dx%d:rate=%d", w, h, fps),
		"-t", fmt.Sprint(seconds), "-pix_fmt", "yuv420p"}
	args = append(append(args, codec...), "-bsf:v", bsf, "-f", raw, "-")
	return ffmpeg.Cached("rtsptest-"+raw, [][]string{args, {splitRule}}, func() ([][]byte, error) {
		out, err := ffmpeg.Run(args...)
		if err != nil {
			return nil, err
		}
		aus, err := splitAccessUnits(out, h265)
		if err != nil {
			return nil, err
		}
		if len(aus) == 0 {
			return nil, fmt.Errorf("rtsptest: ffmpeg produced no %s access units", raw)
		}
		return aus, nil
	})
}

// EncodeLoopH264 encodes a loop of JPEG pictures (a demo camera's, from assets/demo) at
// fps as H.264 access units the way cameras send them: libx264 veryfast, zerolatency,
// 2 Mbit/s, a key frame every second, no B-frames, an access unit delimiter in front of
// each unit. ffmpeg runs once per loop: the result is cached like EncodeH264's, keyed
// also by the loop's bytes.
func EncodeLoopH264(loop [][]byte, fps float64) ([][]byte, error) {
	var in bytes.Buffer
	for _, f := range loop {
		in.Write(f)
	}
	gop := strconv.Itoa(max(int(fps+0.5), 1))
	args := []string{"-f", "mjpeg", "-framerate", strconv.FormatFloat(fps, 'g', -1, 64), "-i", "-",
		"-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-pix_fmt", "yuv420p",
		"-g", gop, "-keyint_min", gop, "-bf", "0", "-b:v", "2M", "-bsf:v", "h264_metadata=aud=insert", "-f", "h264", "-"}
	return ffmpeg.Cached("rtsptest-loop-h264", [][]string{args, {ffmpeg.InputKey(in.Bytes()), splitRule}}, func() ([][]byte, error) {
		stream, err := ffmpeg.RunInput(in.Bytes(), args...)
		if err != nil {
			return nil, err
		}
		aus, err := SplitAccessUnits(stream)
		if err != nil {
			return nil, err
		}
		if len(aus) == 0 {
			return nil, fmt.Errorf("rtsptest: ffmpeg produced no H.264 access units from the loop")
		}
		return aus, nil
	})
}

// Reordered is a pre-encoded stream with B-frames: its access units in decode order (the
// order they are sent in) and, for each, its place in presentation order counted in frame
// intervals from the first picture shown. It goes into a Stream as H264 or H265 and PTS.
type Reordered struct {
	AUs [][]byte
	PTS []int
}

// EncodeH264BFrames is EncodeH264 the way x264 encodes by default and many NVRs send:
// High profile, preset medium, two B-frames (b-pyramid), no zerolatency tune, a key frame
// (IDR with SPS and PPS) every second, access unit delimiters. The presentation order
// comes from the MP4 that ffmpeg writes first (ffprobe reads its packets' pts), the
// access units from remuxing that MP4 to Annex-B. Cached like EncodeH264.
func EncodeH264BFrames(w, h, fps, seconds int) (Reordered, error) {
	return encodeReordered("h264b", w, h, fps, seconds, []string{
		"-c:v", "libx264", "-preset", "medium", "-profile:v", "high", "-bf", "2",
		"-g", fmt.Sprint(fps), "-x264-params", "open-gop=0",
	}, "h264_mp4toannexb,h264_metadata=aud=insert", "h264", false)
}

// EncodeH265BFrames is EncodeH264BFrames for H.265: libx265 ultrafast with two B-frames,
// no zerolatency tune, a closed GOP with an IDR (VPS, SPS, PPS) every second.
func EncodeH265BFrames(w, h, fps, seconds int) (Reordered, error) {
	return encodeReordered("h265b", w, h, fps, seconds, []string{
		"-c:v", "libx265", "-preset", "ultrafast",
		"-x265-params", fmt.Sprintf("log-level=none:keyint=%d:bframes=2:b-adapt=0:open-gop=0", fps),
	}, "hevc_mp4toannexb,hevc_metadata=aud=insert", "hevc", true)
}

func encodeReordered(name string, w, h, fps, seconds int, codec []string, bsf, raw string, h265 bool) (Reordered, error) {
	if err := checkEncode(w, h, fps, seconds); err != nil {
		return Reordered{}, err
	}
	key := fmt.Sprintf("%s_%dx%d_%dfps_%ds", name, w, h, fps, seconds)
	const mp4 = "$MP4" // the temporary MP4's path, in the runs that make the key
	encode := []string{"-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=%dx%d:rate=%d", w, h, fps),
		"-t", fmt.Sprint(seconds), "-pix_fmt", "yuv420p"}
	encode = append(append(encode, codec...), "-f", "mp4", mp4)
	probe := []string{"-v", "error", "-select_streams", "v:0",
		"-show_entries", "packet=pts_time", "-of", "csv=p=0", mp4}
	remux := []string{"-i", mp4, "-c", "copy", "-bsf:v", bsf, "-f", raw, "-"}
	// Cached as frames of a 4-byte big-endian presentation index, then the access unit.
	frames, err := ffmpeg.Cached("rtsptest-"+name, [][]string{encode, probe, remux, {splitRule, "pts-framed"}}, func() ([][]byte, error) {
		dir, err := os.MkdirTemp("", "rtsptest-*")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		file := filepath.Join(dir, "enc.mp4")
		at := func(args []string) []string {
			return slices.Replace(slices.Clone(args), slices.Index(args, mp4), slices.Index(args, mp4)+1, file)
		}
		if _, err := ffmpeg.Run(at(encode)...); err != nil {
			return nil, err
		}
		probed, err := ffmpeg.Tool("ffprobe", at(probe)...)
		if err != nil {
			return nil, err
		}
		pts, err := ptsIndices(probed, fps)
		if err != nil {
			return nil, err
		}
		out, err := ffmpeg.Run(at(remux)...)
		if err != nil {
			return nil, err
		}
		aus, err := splitAccessUnits(out, h265)
		if err != nil {
			return nil, err
		}
		if len(aus) == 0 || len(aus) != len(pts) {
			return nil, fmt.Errorf("rtsptest: %s: %d access units but %d packet times", key, len(aus), len(pts))
		}
		framed := make([][]byte, len(aus))
		for i, au := range aus {
			framed[i] = binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(au)), uint32(pts[i]))
			framed[i] = append(framed[i], au...)
		}
		return framed, nil
	})
	if err != nil {
		return Reordered{}, err
	}
	r := Reordered{AUs: make([][]byte, len(frames)), PTS: make([]int, len(frames))}
	for i, f := range frames {
		if len(f) < 5 {
			return Reordered{}, fmt.Errorf("rtsptest: corrupt cache entry for %s", key)
		}
		r.PTS[i], r.AUs[i] = int(binary.BigEndian.Uint32(f)), f[4:]
	}
	if err := checkPTS(r.PTS); err != nil {
		return Reordered{}, fmt.Errorf("rtsptest: %s: %w", key, err)
	}
	return r, nil
}

// ptsIndices turns ffprobe's pts_time lines into presentation indices from 0.
func ptsIndices(csv []byte, fps int) ([]int, error) {
	var idx []int
	for _, line := range strings.Split(strings.TrimSpace(string(csv)), "\n") {
		line = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(line), ","))
		if line == "" {
			continue
		}
		t, err := strconv.ParseFloat(line, 64)
		if err != nil {
			return nil, fmt.Errorf("rtsptest: ffprobe packet time %q: %w", line, err)
		}
		idx = append(idx, int(math.Round(t*float64(fps))))
	}
	if len(idx) == 0 {
		return nil, errors.New("rtsptest: ffprobe listed no packets")
	}
	lo := idx[0]
	for _, v := range idx {
		lo = min(lo, v)
	}
	for i := range idx {
		idx[i] -= lo
	}
	return idx, nil
}

// checkPTS makes sure pts is a permutation of 0…len−1, so a looped stream presents
// every picture once and in order.
func checkPTS(pts []int) error {
	seen := make([]bool, len(pts))
	for i, v := range pts {
		if v < 0 || v >= len(pts) || seen[v] {
			return fmt.Errorf("presentation index %d of unit %d is out of range or repeated", v, i)
		}
		seen[v] = true
	}
	return nil
}

// EncodeJPEG returns seconds×fps baseline 4:2:0 JPEGs of ffmpeg's testsrc2 pattern at
// w×h, encoded by image/jpeg (quality 80) so they use the standard Huffman tables RFC
// 2435 requires (ffmpeg's own mjpeg encoder optimises them by default, which breaks
// M-JPEG over RTP). Cached like EncodeH264.
func EncodeJPEG(w, h, fps, seconds int) ([][]byte, error) {
	if err := checkEncode(w, h, fps, seconds); err != nil {
		return nil, err
	}
	if w%16 != 0 || h%16 != 0 {
		// RFC 2435 carries the size in 8-pixel units; keep whole 4:2:0 MCUs.
		return nil, fmt.Errorf("rtsptest: JPEG size %dx%d must be a multiple of 16", w, h)
	}
	args := []string{"-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=%dx%d:rate=%d", w, h, fps),
		"-t", fmt.Sprint(seconds), "-pix_fmt", "rgba", "-f", "rawvideo", "-"}
	return ffmpeg.Cached("rtsptest-jpeg", [][]string{args, {"image/jpeg quality 80"}}, func() ([][]byte, error) {
		raw, err := ffmpeg.Run(args...)
		if err != nil {
			return nil, err
		}
		frame := w * h * 4
		var out [][]byte
		for off := 0; off+frame <= len(raw); off += frame {
			img := &image.RGBA{Pix: raw[off : off+frame], Stride: w * 4, Rect: image.Rect(0, 0, w, h)}
			var b bytes.Buffer
			if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 80}); err != nil {
				return nil, err
			}
			out = append(out, b.Bytes())
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("rtsptest: ffmpeg produced no frames")
		}
		return out, nil
	})
}

func checkEncode(w, h, fps, seconds int) error {
	if w <= 0 || h <= 0 || w*h > maxEncodePixels || w%2 != 0 || h%2 != 0 {
		return fmt.Errorf("rtsptest: bad size %dx%d (even, up to 3840x2160)", w, h)
	}
	if fps <= 0 || fps > maxEncodeFPS || seconds <= 0 || seconds > maxEncodeSeconds {
		return fmt.Errorf("rtsptest: bad fps %d or duration %ds", fps, seconds)
	}
	return nil
}
