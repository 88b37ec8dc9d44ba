package ui

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

func TestRecordingsViewGroupsByCameraAndDateAndOpens(t *testing.T) {
	test.NewTempApp(t)
	loc := time.FixedZone("", 3600)
	clips := []Clip{
		{Camera: "Gate", Date: "2026-11-21", Path: "/r/Gate/2026-11-21/Gate_2026-11-21T23-50-00+0100.mp4",
			Start: time.Date(2026, 11, 21, 23, 50, 0, 0, loc), Duration: 10 * time.Minute, Size: 3 << 20},
		{Camera: "Gate", Date: "2026-11-22", Path: "/r/Gate/2026-11-22/Gate_2026-11-22T00-00-00+0100.mp4",
			Start: time.Date(2026, 11, 22, 0, 0, 0, 0, loc), Duration: 15*time.Minute + 400*time.Millisecond, Size: 5 << 20},
		{Camera: "Dock", Date: "2026-11-22", Path: "/r/Dock/2026-11-22/Dock_2026-11-22T00-01-00+0100.mp4",
			Start: time.Date(2026, 11, 22, 0, 1, 0, 0, loc), Duration: 5 * time.Second, Size: 900 << 10},
	}
	var opened []string
	v := newRecordingsView(func() ([]Clip, error) { return clips, nil }, func(p string) error {
		opened = append(opened, p)
		return nil
	}, nil)
	v.async, v.post = func(f func()) { f() }, func(f func()) { f() }
	if got := v.children[""]; !slices.Equal(got, []string{"Dock", "Gate"}) {
		t.Fatalf("cameras %q", got)
	}
	if got := v.children["Gate"]; !slices.Equal(got, []string{"Gate/2026-11-21", "Gate/2026-11-22"}) {
		t.Fatalf("Gate's dates %q", got)
	}
	if got := v.label(clips[1].Path); got != "00:00:00 +0100   0:15:00   5.0 MB" {
		t.Fatalf("file label %q", got)
	}
	if got := v.label("Gate/2026-11-22"); got != "2026-11-22   (1)" {
		t.Fatalf("date label %q", got)
	}
	if !strings.Contains(v.status.Text, "3 recordings") {
		t.Fatalf("status %q", v.status.Text)
	}
	if !v.openB.Disabled() {
		t.Fatal("Open enabled with nothing selected")
	}
	v.tree.Select(clips[2].Path)
	test.Tap(v.openB)
	test.Tap(v.reveal)
	if !slices.Equal(opened, []string{clips[2].Path, "/r/Dock/2026-11-22"}) {
		t.Fatalf("opened %q", opened)
	}
	v.tree.Select("Gate")
	if !v.openB.Disabled() {
		t.Fatal("Open enabled on a camera")
	}

	failing := newRecordingsView(func() ([]Clip, error) { return nil, errors.New("permission denied") }, nil, nil)
	if !strings.Contains(failing.status.Text, "permission denied") {
		t.Fatalf("error status %q", failing.status.Text)
	}
}

// Open reports an opener that fails (no player installed) in the view, off the UI
// goroutine: the view says "Opening…" at once, then what failed and what to install.
func TestRecordingsOpenFailureIsShown(t *testing.T) {
	test.NewTempApp(t)
	clips := []Clip{{Camera: "Gate", Date: "2026-11-22", Path: "/r/Gate/2026-11-22/a.mp4", Start: time.Now()}}
	release := make(chan struct{})
	v := newRecordingsView(func() ([]Clip, error) { return clips, nil }, func(string) error {
		<-release // the opener is still deciding
		return errors.New("no application is set to open it: install a video player, e.g. sudo apt install vlc")
	}, nil)
	q := &uiQueue{}
	v.post = q.Do
	v.tree.Select(clips[0].Path)
	test.Tap(v.openB) // returns although the opener has not
	if !strings.Contains(v.status.Text, "Opening") {
		t.Errorf("while opening: status %q", v.status.Text)
	}
	close(release)
	pumpUntil(t, q, "the failure shown", func() bool { return strings.Contains(v.status.Text, "apt install vlc") })
	if !strings.HasPrefix(v.status.Text, "Could not open /r/Gate/2026-11-22/a.mp4") {
		t.Errorf("status %q", v.status.Text)
	}
}
