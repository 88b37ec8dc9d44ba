// Package ffmpeg runs Debian's ffmpeg and ffprobe, with bounded output, and keeps one
// cache of what they make, for everything that needs encoded test video: the test
// encoders of avdectest and rtsptest, the RTSP loops of `vigil bench` and the demo site.
// A result is kept in memory for the process and on disk under
// os.UserCacheDir()/vigil/ffmpeg, keyed by the arguments of every run that made it and
// by ffmpeg's version, so ffmpeg runs once per setting per machine and a new ffmpeg
// encodes afresh.
package ffmpeg

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/vigil-cctv/vigil/internal/framefile"
)

// ErrNotInstalled is returned when ffmpeg (or ffprobe) is not on PATH; tests skip on it.
var ErrNotInstalled = errors.New("ffmpeg not on PATH (install Debian's ffmpeg)")

// MaxOutput bounds what one run may write to its standard output, and a cache entry.
const MaxOutput = 256 << 20

// Run runs ffmpeg quietly (-hide_banner -nostdin -loglevel error) with args and returns
// its standard output.
func Run(args ...string) ([]byte, error) {
	return Tool("ffmpeg", append([]string{"-hide_banner", "-nostdin", "-loglevel", "error"}, args...)...)
}

// RunInput is Run with in as ffmpeg's standard input (args read it as "-i -").
func RunInput(in []byte, args ...string) ([]byte, error) {
	return tool(bytes.NewReader(in), "ffmpeg", append([]string{"-hide_banner", "-nostdin", "-loglevel", "error"}, args...)...)
}

// Tool runs name ("ffmpeg" or "ffprobe") with args and returns its standard output, at
// most MaxOutput bytes; a failure quotes its standard error.
func Tool(name string, args ...string) ([]byte, error) {
	return tool(nil, name, args...)
}

func tool(stdin io.Reader, name string, args ...string) ([]byte, error) {
	out, _, err := toolStderr(stdin, name, args...)
	return out, err
}

// toolStderr is tool that also returns what the program wrote on its standard error
// (at most 4 KiB of it).
func toolStderr(stdin io.Reader, name string, args ...string) (out, stderr []byte, err error) {
	bin, err := exec.LookPath(name)
	if err != nil {
		return nil, nil, ErrNotInstalled
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdin = stdin
	var errb bytes.Buffer
	cmd.Stderr = &errb
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("ffmpeg: starting %s: %w", name, err)
	}
	out, rerr := io.ReadAll(io.LimitReader(stdout, MaxOutput+1))
	if len(out) > MaxOutput {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, nil, fmt.Errorf("ffmpeg: %s output over %d bytes", name, MaxOutput)
	}
	werr := cmd.Wait()
	stderr = bytes.TrimSpace(errb.Bytes())
	if len(stderr) > 4<<10 {
		stderr = stderr[:4<<10]
	}
	if werr != nil || rerr != nil {
		return nil, stderr, fmt.Errorf("ffmpeg: %s %s failed: %v %v: %s", name, strings.Join(args, " "), werr, rerr, stderr)
	}
	return out, stderr, nil
}

var (
	versionOnce sync.Once
	version     string
	versionErr  error
)

// Version is the first line of `ffmpeg -version` ("ffmpeg version 7.1.1-1 …").
func Version() (string, error) {
	versionOnce.Do(func() {
		out, err := Tool("ffmpeg", "-version")
		if err != nil {
			versionErr = err
			return
		}
		version, _, _ = strings.Cut(string(out), "\n")
	})
	return version, versionErr
}

var (
	encodersOnce sync.Once
	encoders     string
)

// HasEncoder reports whether the ffmpeg on PATH has the named encoder ("libx264",
// "libx265"; some builds lack libx265).
func HasEncoder(name string) bool {
	encodersOnce.Do(func() {
		out, _ := Tool("ffmpeg", "-hide_banner", "-encoders")
		encoders = string(out)
	})
	for _, line := range strings.Split(encoders, "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[1] == name {
			return true
		}
	}
	return false
}

// InputKey names the bytes a run reads on its standard input (RunInput), for Cached's
// runs: "input " and their SHA-256.
func InputKey(in []byte) string {
	sum := sha256.Sum256(in)
	return "input " + hex.EncodeToString(sum[:])
}

var (
	mu     sync.Mutex
	memory = map[string][][]byte{}
)

// Cached returns the frames that build makes, from memory, the disk cache, or build.
// name says what they are (it starts the file name); runs are the arguments of every
// ffmpeg or ffprobe run build makes, in order, plus anything else its result depends on
// (a splitting rule, a format version): together with ffmpeg's version they are the key.
// build's errors are returned and nothing is cached; failing to write the disk cache
// costs only time. Concurrent calls wait for one another.
func Cached(name string, runs [][]string, build func() ([][]byte, error)) ([][]byte, error) {
	v, err := Version()
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	fmt.Fprintf(h, "%q\n", v)
	for _, r := range runs {
		fmt.Fprintf(h, "%q\n", r)
	}
	key := name + "-" + hex.EncodeToString(h.Sum(nil))[:24]
	mu.Lock()
	defer mu.Unlock()
	if f, ok := memory[key]; ok {
		return f, nil
	}
	path := ""
	if dir, err := os.UserCacheDir(); err == nil {
		path = filepath.Join(dir, "vigil", "ffmpeg", key+".frames")
		if f, err := readFrames(path); err == nil {
			memory[key] = f
			return f, nil
		}
	}
	f, err := build()
	if err != nil {
		return nil, err
	}
	memory[key] = f
	if path != "" {
		_ = writeFrames(path, f)
	}
	return f, nil
}

// maxFrames bounds how many frames a disk cache entry may hold.
const maxFrames = 1 << 20

func writeFrames(path string, frames [][]byte) error { return framefile.Write(path, frames) }

func readFrames(path string) ([][]byte, error) {
	return framefile.Read(path, MaxOutput+MaxOutput/4, maxFrames)
}
