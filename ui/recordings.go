package ui

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Clip is one recorded file as the recordings view lists it.
type Clip struct {
	// Camera is the camera's folder name; Date the day folder (YYYY-MM-DD).
	Camera, Date string
	Path         string
	// Start is the wall-clock time of the first frame; Duration the media time.
	Start    time.Time
	Duration time.Duration
	Size     int64
}

// recordingsView lists recordings by camera, then date, then file, with their start
// time, duration and size; a file can be opened in the system's player or shown in its
// folder.
type recordingsView struct {
	list   func() ([]Clip, error)
	open   func(path string) error
	tree   *widget.Tree
	status *widget.Label
	openB  *widget.Button
	reveal *widget.Button
	playB  *widget.Button
	play   func(Clip) error // plays a clip in the player; nil: no Play button
	obj    fyne.CanvasObject

	// async runs an Open off the UI goroutine (it may wait for the player to fail);
	// post brings its outcome back (fyne.Do; tests run both in line).
	async, post func(func())

	clips    map[string]Clip     // by path (leaf id)
	children map[string][]string // tree ids: "" → cameras, camera → "camera/date", … → paths
	selected string
}

func newRecordingsView(list func() ([]Clip, error), open func(string) error, play func(Clip) error) *recordingsView {
	v := &recordingsView{list: list, open: open, play: play, async: func(f func()) { go f() }, post: fyne.Do}
	v.tree = widget.NewTree(
		func(id string) []string { return v.children[id] },
		func(id string) bool { _, leaf := v.clips[id]; return !leaf },
		func(branch bool) fyne.CanvasObject { return widget.NewLabel("") },
		func(id string, branch bool, o fyne.CanvasObject) { o.(*widget.Label).SetText(v.label(id)) },
	)
	v.tree.OnSelected = func(id string) {
		_, leaf := v.clips[id]
		if leaf {
			v.selected = id
			v.openB.Enable()
			v.reveal.Enable()
			v.playB.Enable()
		} else {
			v.selected = ""
			v.openB.Disable()
			v.reveal.Disable()
			v.playB.Disable()
		}
	}
	v.status = wrapLabel("")
	v.openB = widget.NewButtonWithIcon("Open", theme.MediaPlayIcon(), func() { v.do(v.selected) })
	v.reveal = widget.NewButtonWithIcon("Show in folder", theme.FolderOpenIcon(), func() { v.do(filepath.Dir(v.selected)) })
	refresh := widget.NewButtonWithIcon("Refresh", theme.ViewRefreshIcon(), v.refresh)
	v.playB = widget.NewButtonWithIcon("Play", theme.MediaPlayIcon(), func() {
		if c, ok := v.clips[v.selected]; ok {
			if err := v.play(c); err != nil {
				v.status.SetText("Could not play " + c.Path + ": " + err.Error())
			}
		}
	})
	v.playB.Importance = widget.HighImportance
	v.openB.Disable()
	v.reveal.Disable()
	v.playB.Disable()
	buttons := container.NewHBox(refresh, layoutSpacer(), v.reveal, v.openB)
	if play != nil {
		v.openB.SetText("Open in player app")
		buttons.Add(v.playB)
	}
	v.obj = container.NewBorder(nil, container.NewVBox(v.status, buttons), nil, nil, v.tree)
	v.refresh()
	return v
}

// label is what the tree shows for an id: the camera, the date with its number of
// files, or a file's start time, duration and size.
func (v *recordingsView) label(id string) string {
	if c, ok := v.clips[id]; ok {
		return fmt.Sprintf("%s   %s   %s", c.Start.Format("15:04:05 -0700"), fmtDuration(c.Duration), fmtBytes(c.Size))
	}
	if i := strings.LastIndex(id, "/"); i >= 0 {
		return fmt.Sprintf("%s   (%d)", id[i+1:], len(v.children[id]))
	}
	return id
}

// refresh reads the recordings again.
func (v *recordingsView) refresh() {
	clips, err := v.list()
	v.clips, v.children = map[string]Clip{}, map[string][]string{}
	var total int64
	for _, c := range clips {
		day := c.Camera + "/" + c.Date
		if _, ok := v.children[c.Camera]; !ok {
			v.children[""] = append(v.children[""], c.Camera)
		}
		if !slices.Contains(v.children[c.Camera], day) {
			v.children[c.Camera] = append(v.children[c.Camera], day)
		}
		v.children[day] = append(v.children[day], c.Path)
		v.clips[c.Path] = c
		total += c.Size
	}
	slices.Sort(v.children[""])
	switch {
	case err != nil:
		v.status.SetText("Could not list the recordings: " + err.Error())
	case len(clips) == 0:
		v.status.SetText("No recordings yet: press a tile's record button, or set record: continuous on a camera.")
	default:
		v.status.SetText(fmt.Sprintf("%d recordings, %s.", len(clips), fmtBytes(total)))
	}
	v.selected = ""
	v.openB.Disable()
	v.reveal.Disable()
	v.playB.Disable()
	v.tree.Refresh()
}

func (v *recordingsView) do(path string) {
	if path == "" || path == "." || v.open == nil {
		return
	}
	v.status.SetText("Opening " + path + "…")
	open, post := v.open, v.post
	v.async(func() {
		err := open(path)
		post(func() {
			if err != nil {
				v.status.SetText("Could not open " + path + ": " + err.Error())
				return
			}
			v.status.SetText("Opened " + path + " in the desktop's application.")
		})
	})
}

func fmtDuration(d time.Duration) string {
	d = d.Round(time.Second)
	return fmt.Sprintf("%d:%02d:%02d", int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60)
}

func fmtBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KB", (n+1023)/1024)
}

// showRecordings opens the recordings view in a window of its own.
func (w *Wall) showRecordings() {
	if w.opts.Recordings == nil {
		return
	}
	win := fyne.CurrentApp().NewWindow("Vigil — Recordings")
	var play func(Clip) error
	if w.opts.Review != nil {
		play = func(c Clip) error { return w.showPlayer(c.Camera, c.Start) }
	}
	v := newRecordingsView(w.opts.Recordings.List, w.opts.Recordings.Open, play)
	win.SetContent(v.obj)
	win.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if ev.Name == fyne.KeyEscape {
			win.Close() // Esc closes the window, as every viewer's secondary window
		}
	})
	win.Resize(fyne.NewSize(560, 520))
	win.Show()
}
