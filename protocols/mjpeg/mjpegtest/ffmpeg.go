package mjpegtest

import (
	"errors"
	"fmt"
	"net"
	"os/exec"
)

// FFmpeg is ffmpeg's own HTTP server streaming its mpjpeg muxer (`ffmpeg -f mpjpeg
// -listen 1`): a third-party implementation of MJPEG over HTTP for tests. It serves
// exactly one client and exits when that client leaves; until it listens, connections
// are refused, so a client retries refusals (they do not use up the one client).
type FFmpeg struct {
	// URL is where it serves, on 127.0.0.1 at a port picked at run time.
	URL string
	// ContentType is what it declares: the multipart type, or ffmpeg's default
	// application/octet-stream (clients must then sniff the boundary).
	ContentType string
	cmd         *exec.Cmd
}

// ErrNoFFmpeg is returned when ffmpeg is not installed; tests skip on it.
var ErrNoFFmpeg = errors.New("ffmpeg not on PATH")

// StartFFmpeg starts ffmpeg serving testsrc2 of size ("320x240") at fps, declaring the
// multipart content type when multipart is true.
func StartFFmpeg(size string, fps int, multipart bool) (*FFmpeg, error) {
	bin, err := exec.LookPath("ffmpeg")
	if err != nil {
		return nil, ErrNoFFmpeg
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	f := &FFmpeg{URL: fmt.Sprintf("http://127.0.0.1:%d/", port), ContentType: "application/octet-stream"}
	args := []string{"-hide_banner", "-nostdin", "-loglevel", "error", "-re", "-f", "lavfi",
		"-i", fmt.Sprintf("testsrc2=size=%s:rate=%d", size, fps), "-f", "mpjpeg", "-q:v", "5"}
	if multipart {
		f.ContentType = "multipart/x-mixed-replace;boundary=camframe"
		args = append(args, "-boundary_tag", "camframe", "-content_type", f.ContentType)
	}
	args = append(args, "-listen", "1", f.URL)
	f.cmd = exec.Command(bin, args...)
	if err := f.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting ffmpeg: %w", err)
	}
	return f, nil
}

// Close stops ffmpeg and waits for it.
func (f *FFmpeg) Close() {
	_ = f.cmd.Process.Kill()
	_ = f.cmd.Wait()
}
