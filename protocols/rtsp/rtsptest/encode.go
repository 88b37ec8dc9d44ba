package rtsptest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
)

// ErrNoFFmpeg is returned when ffmpeg is not installed; tests skip on it.
var ErrNoFFmpeg = errors.New("rtsptest: ffmpeg not on PATH (install Debian's ffmpeg)")

// Encoding limits: test streams are small loops, not films.
const (
	maxEncodePixels  = 3840 * 2160
	maxEncodeSeconds = 60
	maxEncodeFPS     = 60
)

var (
	encMu    sync.Mutex
	encCache = map[string][][]byte{}
)

// EncodeH264 returns seconds×fps access units of ffmpeg's testsrc2 pattern at w×h in
// Annex-B form: libx264 ultrafast with tune=zerolatency, a key frame (IDR with SPS and
// PPS) every second, no B-frames, each access unit starting with an access unit
// delimiter. Results are cached per process and on disk under
// os.UserCacheDir()/vigil/rtsptest, so ffmpeg runs once per size.
func EncodeH264(w, h, fps, seconds int) ([][]byte, error) {
	if err := checkEncode(w, h, fps, seconds); err != nil {
		return nil, err
	}
	key := fmt.Sprintf("h264_%dx%d_%dfps_%ds", w, h, fps, seconds)
	return cached(key, func() ([][]byte, error) {
		out, err := ffmpeg("-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=%dx%d:rate=%d", w, h, fps),
			"-t", fmt.Sprint(seconds), "-pix_fmt", "yuv420p",
			"-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
			"-g", fmt.Sprint(fps), "-bf", "0", "-bsf:v", "h264_metadata=aud=insert", "-f", "h264", "-")
		if err != nil {
			return nil, err
		}
		aus, err := SplitAccessUnits(out)
		if err != nil {
			return nil, err
		}
		if len(aus) == 0 {
			return nil, fmt.Errorf("rtsptest: ffmpeg produced no H.264 access units")
		}
		return aus, nil
	})
}

// EncodeH265 is EncodeH264 for H.265: libx265 ultrafast, zerolatency, a key frame (IDR
// with VPS, SPS and PPS) every second, no B-frames, access unit delimiters.
func EncodeH265(w, h, fps, seconds int) ([][]byte, error) {
	if err := checkEncode(w, h, fps, seconds); err != nil {
		return nil, err
	}
	key := fmt.Sprintf("h265_%dx%d_%dfps_%ds", w, h, fps, seconds)
	return cached(key, func() ([][]byte, error) {
		out, err := ffmpeg("-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=%dx%d:rate=%d", w, h, fps),
			"-t", fmt.Sprint(seconds), "-pix_fmt", "yuv420p",
			"-c:v", "libx265", "-preset", "ultrafast", "-tune", "zerolatency",
			"-x265-params", fmt.Sprintf("log-level=none:keyint=%d:bframes=0", fps),
			"-bsf:v", "hevc_metadata=aud=insert", "-f", "hevc", "-")
		if err != nil {
			return nil, err
		}
		aus, err := SplitAccessUnitsH265(out)
		if err != nil {
			return nil, err
		}
		if len(aus) == 0 {
			return nil, fmt.Errorf("rtsptest: ffmpeg produced no H.265 access units")
		}
		return aus, nil
	})
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
	key := fmt.Sprintf("jpeg_%dx%d_%dfps_%ds", w, h, fps, seconds)
	return cached(key, func() ([][]byte, error) {
		raw, err := ffmpeg("-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=%dx%d:rate=%d", w, h, fps),
			"-t", fmt.Sprint(seconds), "-pix_fmt", "rgba", "-f", "rawvideo", "-")
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

// cached returns the frames for key from memory, the disk cache, or build.
func cached(key string, build func() ([][]byte, error)) ([][]byte, error) {
	encMu.Lock()
	defer encMu.Unlock()
	if f, ok := encCache[key]; ok {
		return f, nil
	}
	path := ""
	if dir, err := os.UserCacheDir(); err == nil {
		path = filepath.Join(dir, "vigil", "rtsptest", key+".frames")
		if f, err := readFrames(path); err == nil {
			encCache[key] = f
			return f, nil
		}
	}
	f, err := build()
	if err != nil {
		return nil, err
	}
	encCache[key] = f
	if path != "" {
		_ = writeFrames(path, f) // a cache: failing to write it costs only time
	}
	return f, nil
}

// The disk cache holds frames as 4-byte big-endian lengths, each followed by its bytes.
func writeFrames(path string, frames [][]byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	var hdr [4]byte
	for _, f := range frames {
		binary.BigEndian.PutUint32(hdr[:], uint32(len(f)))
		if _, err := tmp.Write(hdr[:]); err != nil {
			tmp.Close()
			return err
		}
		if _, err := tmp.Write(f); err != nil {
			tmp.Close()
			return err
		}
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func readFrames(path string) ([][]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) > maxStreamBytes {
		return nil, fmt.Errorf("rtsptest: cache file %s too large", path)
	}
	var out [][]byte
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, fmt.Errorf("rtsptest: truncated cache file %s", path)
		}
		n := int(binary.BigEndian.Uint32(b))
		b = b[4:]
		if n == 0 || n > len(b) {
			return nil, fmt.Errorf("rtsptest: corrupt cache file %s", path)
		}
		out = append(out, b[:n:n])
		b = b[n:]
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("rtsptest: empty cache file %s", path)
	}
	return out, nil
}

// ffmpeg runs Debian's ffmpeg with args and returns its standard output (bounded).
func ffmpeg(args ...string) ([]byte, error) {
	bin, err := exec.LookPath("ffmpeg")
	if err != nil {
		return nil, ErrNoFFmpeg
	}
	cmd := exec.Command(bin, append([]string{"-hide_banner", "-nostdin", "-loglevel", "error"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("rtsptest: starting ffmpeg: %w", err)
	}
	out, rerr := io.ReadAll(io.LimitReader(stdout, maxStreamBytes+1))
	if len(out) > maxStreamBytes {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("rtsptest: ffmpeg output over %d bytes", maxStreamBytes)
	}
	if err := cmd.Wait(); err != nil || rerr != nil {
		return nil, fmt.Errorf("rtsptest: ffmpeg failed: %v %v: %s", err, rerr, bytes.TrimSpace(stderr.Bytes()))
	}
	return out, nil
}
