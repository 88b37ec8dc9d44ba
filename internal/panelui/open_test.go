package panelui

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// fakeOpener puts an xdg-open on PATH that runs script (sh).
func fakeOpener(t *testing.T, script string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "xdg-open"), []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// xdg-open starts and then fails when no application takes the file (exit 3 or 4):
// OpenPath says so and what to install, instead of returning nil.
func TestOpenPathReportsAnOpenerThatFails(t *testing.T) {
	file := filepath.Join(t.TempDir(), "Gate.mp4")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		script string
		want   []string
	}{
		{`echo "xdg-open: no method available for opening '$1'" >&2; exit 3`, []string{"apt install vlc", "no method available"}},
		{`exit 4`, []string{"no application is set to open it", "apt install vlc"}},
	} {
		fakeOpener(t, tc.script)
		err := OpenPath(file)
		if err == nil {
			t.Fatalf("%s: no error", tc.script)
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q lacks %q", tc.script, err, w)
			}
		}
	}
	// A folder: the advice is a file manager.
	fakeOpener(t, "exit 4")
	if err := OpenPath(filepath.Dir(file)); err == nil || !strings.Contains(err.Error(), "file manager") {
		t.Errorf("folder: %v", err)
	}
}

// No xdg-open at all: install xdg-utils.
func TestOpenPathWithoutOpener(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	err := OpenPath("/nonexistent/Gate.mp4")
	if err == nil || !strings.Contains(err.Error(), "apt install xdg-utils") {
		t.Fatalf("err = %v", err)
	}
}

// An opener that succeeds, or is still running (a player in the foreground), is no
// error, and OpenPath returns within its wait.
func TestOpenPathSucceedsOrKeepsRunning(t *testing.T) {
	old := openWait
	openWait = 300 * time.Millisecond
	t.Cleanup(func() { openWait = old })
	fakeOpener(t, "exit 0")
	if err := OpenPath("/tmp"); err != nil {
		t.Fatalf("exit 0: %v", err)
	}
	fakeOpener(t, "sleep 3")
	start := time.Now()
	if err := OpenPath("/tmp"); err != nil {
		t.Fatalf("running: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("OpenPath blocked %v on a running opener", d)
	}
}

// An opener that writes a lot to stderr (a player run in the foreground logs for as long
// as it plays) costs OpenPath a few KiB, not all of it: only the first line is shown.
func TestOpenPathKeepsLittleOfStderr(t *testing.T) {
	fakeOpener(t, "head -c 67108864 /dev/zero >&2; exit 4")
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	err := OpenPath("/nonexistent/Gate.mp4")
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Fatal("no error")
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
		t.Errorf("OpenPath allocated %d MiB for 64 MiB of stderr", grew>>20)
	}
}

// An opener that exits at once but leaves the application it launched holding its
// stderr (gio open, kde-open) is judged by its exit, not by the application: OpenPath
// returns at once on success and reports a failure, instead of waiting out openWait.
func TestOpenPathJudgesTheOpenerNotItsChild(t *testing.T) {
	fakeOpener(t, "sleep 3 & exit 0")
	start := time.Now()
	if err := OpenPath("/tmp"); err != nil {
		t.Fatalf("exit 0: %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("OpenPath took %v: it waited for the launched application", d)
	}
	fakeOpener(t, `sleep 3 & echo "no method available" >&2; exit 4`)
	err := OpenPath("/nonexistent/Gate.mp4")
	if err == nil || !strings.Contains(err.Error(), "no method available") {
		t.Errorf("a failing opener with a child left: %v", err)
	}
}
