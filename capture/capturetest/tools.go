package capturetest

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/vigil-cctv/vigil/internal/ffmpeg"
)

// StartChild runs the test binary again, running no test, with env set to value (the
// child's TestMain looks for it and does the work to be killed: a recording, a database
// writer), its standard error on ours; it returns the child and its standard output.
// The caller kills and waits for it.
func StartChild(t testing.TB, env, value string) (*exec.Cmd, io.ReadCloser) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env+"="+value)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, out
}

// Made checks the error of making test media with a tool (ffmpeg encoding a clip): an
// err that is missing (the tool not installed: ffmpeg.ErrNotInstalled,
// rtsptest.ErrNoFFmpeg) skips t; any other err fails it.
func Made(t testing.TB, err, missing error) {
	t.Helper()
	if errors.Is(err, missing) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// FFmpegFile makes a file named name in a temporary folder of t's with Debian's ffmpeg
// (args then the file's path) and returns its path; t is skipped when ffmpeg is not
// installed.
func FFmpegFile(t testing.TB, name string, args ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	_, err := ffmpeg.Run(append(args, path)...)
	Made(t, err, ffmpeg.ErrNotInstalled)
	return path
}
