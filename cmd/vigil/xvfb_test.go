package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// offThreadMarks are what Fyne logs when a widget is touched off its UI goroutine
// (fyne internal/async EnsureMain / EnsureNotMain).
var offThreadMarks = []string{"Error in Fyne call thread", "should have been called in fyne.Do"}

// TestWallUnderXvfbStaysOnFyneThread runs the built binary on the demo wall from a cold
// start (fresh HOME and XDG folders, so no demo cache) under a real X server, drives it
// with xdotool through selection, maximise and restore, swaps, full screen and window
// resizes, then quits it with SIGTERM as Ctrl+C in a terminal would, and fails if Fyne
// logged a call made off its UI goroutine (issue 12 item 11).
func TestWallUnderXvfbStaysOnFyneThread(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Xvfb and the real window")
	}
	for _, tool := range []string{"Xvfb", "xdotool"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (make test-deps)", tool)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	dir := t.TempDir()

	bin := filepath.Join(dir, "vigil")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	display := startXvfb(ctx, t)

	env := []string{"DISPLAY=" + display, "LANG=en_US.UTF-8", "PATH=" + os.Getenv("PATH")}
	for _, v := range []string{"HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME",
		"XDG_DATA_HOME", "XDG_RUNTIME_DIR", "XDG_PICTURES_DIR"} {
		d := filepath.Join(dir, strings.ToLower(v))
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
		env = append(env, v+"="+d)
	}
	logPath := filepath.Join(dir, "xdg_state_home", "vigil", "vigil.log")

	var stderr lockedBuffer
	app := exec.Command(bin)
	app.Env = env
	app.Stdout = &stderr
	app.Stderr = &stderr
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{}) // closed when vigil has exited
	var exitErr error
	go func() { exitErr = app.Wait(); close(exited) }()
	defer func() {
		select {
		case <-exited:
		default:
			_ = app.Process.Kill()
			<-exited
		}
	}()

	xdo := func(args ...string) string {
		cmd := exec.CommandContext(ctx, "xdotool", args...)
		cmd.Env = env
		out, err := cmd.Output()
		if err != nil && args[0] != "search" {
			t.Logf("xdotool %s: %v", strings.Join(args, " "), err)
		}
		return strings.TrimSpace(string(out))
	}
	var win string
	for deadline := time.Now().Add(30 * time.Second); win == "" && time.Now().Before(deadline); {
		select {
		case <-exited:
			t.Fatalf("vigil exited before its window showed: %v\n%s", exitErr, stderr.String())
		case <-time.After(250 * time.Millisecond):
		}
		if ids := strings.Fields(xdo("search", "--name", "^Vigil$")); len(ids) > 0 {
			win = ids[0]
		}
	}
	if win == "" {
		t.Fatalf("no Vigil window within 30 s\n%s", stderr.String())
	}
	// No window manager: keys go to the window under the pointer.
	xdo("mousemove", "--window", win, "300", "300")

	pause := func() { time.Sleep(300 * time.Millisecond) }
	steps := [][]string{
		{"key", "Right"}, {"key", "Right"}, {"key", "Down"},
		{"key", "Return"}, {"key", "Escape"}, // maximise, restore
		{"key", "ctrl+Right"}, {"key", "ctrl+Left"}, // swap two cameras and back
		{"windowsize", win, "900", "600"}, {"key", "Return"}, {"windowsize", win, "1500", "950"},
		{"key", "Return"}, {"key", "F11"}, {"key", "Left"}, {"key", "F11"},
		{"windowsize", win, "640", "480"}, {"key", "space"}, {"key", "space"},
		{"windowsize", win, "1280", "800"},
	}
	for _, s := range steps {
		xdo(s...)
		pause()
	}
	time.Sleep(2 * time.Second) // status ticks and pictures in the last size

	if err := app.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("vigil did not exit within 30 s of SIGTERM\n%s", stderr.String())
	}

	logText, _ := os.ReadFile(logPath)
	for name, text := range map[string]string{"stderr": stderr.String(), logPath: string(logText)} {
		for _, mark := range offThreadMarks {
			if strings.Contains(text, mark) {
				t.Errorf("%s has Fyne's off-thread message %q:\n%s", name, mark, offThreadLines(text))
			}
		}
	}
	if len(logText) == 0 {
		t.Errorf("no log file at %s", logPath)
	}
}

// startXvfb starts an X server on a display it picks itself (-displayfd) and returns
// that display; the server stops with the test.
func startXvfb(ctx context.Context, t *testing.T) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	x := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1920x1080x24", "-nolisten", "tcp")
	x.ExtraFiles = []*os.File{w}
	if err := x.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() {
		_ = x.Process.Signal(syscall.SIGTERM)
		_ = x.Wait()
	})
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		got <- strings.TrimSpace(line)
	}()
	select {
	case n := <-got:
		if n == "" {
			t.Fatal("Xvfb did not report its display")
		}
		return ":" + n
	case <-time.After(20 * time.Second):
		t.Fatal("Xvfb did not start within 20 s")
	case <-ctx.Done():
		t.Fatal(ctx.Err())
	}
	return ""
}

// offThreadLines is the Fyne messages and the lines after each (where they name the caller).
func offThreadLines(text string) string {
	lines := strings.Split(text, "\n")
	var out []string
	for i, l := range lines {
		if strings.Contains(l, "Error in Fyne call thread") {
			out = append(out, lines[i:min(i+5, len(lines))]...)
			if len(out) > 60 {
				break
			}
		}
	}
	return strings.Join(out, "\n")
}
