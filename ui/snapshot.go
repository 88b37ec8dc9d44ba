package ui

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vigil-cctv/vigil/capture"
)

// ErrNoPicture is returned by Snapshot when the tile shows no picture.
var ErrNoPicture = errors.New("no picture to save")

// snapshotTimeLayout is the time part of a snapshot's name: local wall-clock time with
// its UTC offset, the same scheme as recordings (DESIGN.md "Recording"), with no ':' so
// the name is valid on every file system.
const snapshotTimeLayout = "2006-01-02T15-04-05-0700"

// maxClashes bounds the -2, -3 … suffixes tried when a name is taken.
const maxClashes = 1000

// Snapshot saves the camera's full picture (UI goroutine) into dir and returns the
// file's path. The name is <camera>_<YYYY-MM-DDTHH-MM-SS±hhmm>.<ext>, the camera name
// made safe for file names; if that file exists, -2, -3 … is added before the extension
// (the file is created with O_EXCL, so a snapshot never overwrites anything).
//
// The picture is the camera's, not the tile's (issue 12): while the tile runs, a camera
// sending JPEG gets its own newest JPEG written byte for byte (.jpg), any other codec its
// newest key frame decoded at full size (.png) — of the largest stream running. A stopped
// tile, or one with no key frame yet, saves the picture it shows, whole even while zoomed.
//
// dir may also name the file's format by giving a file name instead of a folder: a path
// ending in .jpg or .jpeg saves a JPEG (quality 90 when encoded here), one ending in .png
// a PNG, both named as above in that path's folder.
func (t *Tile) Snapshot(dir string) (string, error) {
	save, err := t.prepareSnapshot(dir)
	if err != nil {
		return "", err
	}
	return save()
}

// prepareSnapshot takes what a snapshot needs from the tile (UI goroutine) and returns
// the work that decodes, encodes and writes it, which may run on any goroutine: a full-size
// decode and a PNG of a 4K picture take long enough to stall the wall.
func (t *Tile) prepareSnapshot(dir string) (func() (string, error), error) {
	if t.stream == nil || !t.hasPicture || t.buf == nil {
		return nil, fmt.Errorf("snapshot: %w on this tile (start it and wait for a picture)", ErrNoPicture)
	}
	ext := ""
	switch e := strings.ToLower(filepath.Ext(dir)); e {
	case ".png", ".jpg", ".jpeg":
		ext = e
		dir = filepath.Dir(dir)
	}
	if dir == "" {
		dir = "."
	}
	stream := t.stream
	base := safeFileName(stream.Name()) + "_" + t.now().Format(snapshotTimeLayout)
	key, haveKey := stream.LatestKey()
	haveKey = haveKey && t.Running()
	shown := image.NewRGBA(t.buf.Rect) // a copy: the encoder must not see the next frame
	copy(shown.Pix, t.buf.Pix)
	return func() (string, error) {
		var img image.Image = shown
		if haveKey {
			if key.Codec == capture.CodecJPEG && ext != ".png" {
				if ext == "" {
					ext = ".jpg"
				}
				return writeExclusive(dir, base, ext, func(w io.Writer) error {
					_, err := w.Write(key.Data)
					return err
				})
			}
			if full, err := stream.DecodeFull(key); err == nil {
				img = full
			}
		}
		if ext == "" {
			ext = ".png"
		}
		return writeExclusive(dir, base, ext, func(w io.Writer) error {
			if ext == ".png" {
				return png.Encode(w, img)
			}
			return jpeg.Encode(w, img, &jpeg.Options{Quality: 90})
		})
	}, nil
}

// writeExclusive creates dir/base+ext (or base-2+ext, base-3+ext … when taken) with
// O_EXCL and writes it with enc. A file that could not be written completely is removed.
func writeExclusive(dir, base, ext string, enc func(io.Writer) error) (string, error) {
	for n := 1; n <= maxClashes; n++ {
		name := base + ext
		if n > 1 {
			name = fmt.Sprintf("%s-%d%s", base, n, ext)
		}
		path := filepath.Join(dir, name)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("snapshot: create %s: %w (check that the folder exists and is writable)", path, err)
		}
		err = enc(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
			return "", fmt.Errorf("snapshot: write %s: %w (is the disk full?)", path, err)
		}
		return path, nil
	}
	return "", fmt.Errorf("snapshot: %s%s and %d more names taken in %s: %w", base, ext, maxClashes-1, dir, os.ErrExist)
}

// safeFileName makes a camera name usable as a file name on any desktop file system:
// path separators, control characters and the characters Windows forbids become '_',
// leading dots go (no hidden files, no "..") and trailing dots and spaces too; spaces
// inside and any other Unicode are kept, so "Entrée / Hall" becomes "Entrée _ Hall". An
// empty result becomes "camera". Long names are cut at 100 runes.
func safeFileName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == '/' || r == '\\' || unicode.IsControl(r) || r == unicode.ReplacementChar,
			strings.ContainsRune(`<>:"|?*`, r):
			b.WriteRune('_')
		case unicode.IsSpace(r):
			b.WriteRune(' ')
		default:
			b.WriteRune(r)
		}
	}
	s := strings.TrimLeft(b.String(), ". ")
	s = strings.TrimRight(s, ". ")
	if rs := []rune(s); len(rs) > 100 {
		s = strings.TrimRight(string(rs[:100]), ". ")
	}
	if s == "" {
		return "camera"
	}
	return s
}

// snapshotDone tells the operator how a snapshot of t went: a failure in a dialog (it
// needs reading), a success in the non-modal notice with "Show in folder".
func (w *Wall) snapshotDone(t *Tile, path string, err error) {
	if w.win == nil {
		return
	}
	if err != nil {
		showNotice(w.win, "Error", fmt.Sprintf("snapshot of %q: %v", t.Stream().Name(), err))
		return
	}
	if w.chrome == nil || w.chrome.notice == nil {
		showNotice(w.win, "Snapshot saved", path)
		return
	}
	w.chrome.notice.notify(t.Stream().Name(), path)
}

// openFolder opens a folder for "Show in folder": through Recordings.Open when the app
// has it (the desktop's opener it already uses for recordings), else the app's OpenURL.
func (w *Wall) openFolder(dir string) error {
	if w.opts.Recordings != nil {
		return w.opts.Recordings.Open(dir)
	}
	return openFolder(dir)
}

// noticeFor is how long the snapshot notice stays before it goes by itself.
const noticeFor = 8 * time.Second

// snapshotNotice is the non-modal confirmation of a snapshot, at the wall's bottom-left:
// what was saved and where, "Show in folder", and × to close it. It never takes the keys
// or the pointer from the wall (issue 12: a modal dialog after each snapshot stopped the
// operator), and it goes by itself after noticeFor; a newer snapshot replaces it.
type snapshotNotice struct {
	obj   *fyne.Container // the positioned layer over the wall
	panel *fyne.Container
	title *widget.Label
	path  *widget.Label
	show  *widget.Button
	shown string // the path the notice is about
	gen   int    // bumps on every show, so an older timer does not hide a newer notice
	// open opens a folder in the desktop's file manager (off the UI goroutine: it may
	// wait); do runs on the UI goroutine; fail shows open's error (UI goroutine).
	open func(dir string) error
	do   func(func())
	fail func(err error)
}

func newSnapshotNotice(open func(string) error, do func(func()), fail func(error)) *snapshotNotice {
	n := &snapshotNotice{open: open, do: do, fail: fail}
	n.title = widget.NewLabelWithStyle("Snapshot saved", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	n.path = widget.NewLabel("")
	n.path.Truncation = fyne.TextTruncateEllipsis
	n.show = widget.NewButtonWithIcon("Show in folder", theme.FolderOpenIcon(), n.showInFolder)
	closeBtn := widget.NewButtonWithIcon("", theme.CancelIcon(), n.hide)
	closeBtn.Importance = widget.LowImportance
	back := canvas.NewRectangle(theme.Color(theme.ColorNameOverlayBackground))
	back.CornerRadius = 6
	back.StrokeColor = theme.Color(theme.ColorNameSeparator)
	back.StrokeWidth = 1
	width := canvas.NewRectangle(color.Transparent)
	width.SetMinSize(fyne.NewSize(420, 0))
	body := container.NewBorder(nil, nil, nil, container.NewHBox(n.show, closeBtn),
		container.NewVBox(n.title, n.path))
	n.panel = container.NewStack(back, width, container.NewPadded(body))
	n.panel.Hide()
	n.obj = container.NewVBox(layout.NewSpacer(), container.NewHBox(container.NewPadded(n.panel), layout.NewSpacer()))
	return n
}

// notify shows the notice for a snapshot of camera saved at path (UI goroutine).
func (n *snapshotNotice) notify(camera, path string) {
	n.gen++
	gen := n.gen
	n.shown = path
	n.title.SetText(fmt.Sprintf("Snapshot of %s saved", camera))
	n.path.SetText(path)
	n.panel.Show()
	n.obj.Refresh()
	time.AfterFunc(noticeFor, func() {
		n.do(func() {
			if n.gen == gen {
				n.hide()
			}
		})
	})
}

func (n *snapshotNotice) hide() {
	n.panel.Hide()
	n.obj.Refresh()
}

// Visible reports whether the notice shows.
func (n *snapshotNotice) Visible() bool { return n.panel.Visible() }

func (n *snapshotNotice) showInFolder() {
	if n.shown == "" {
		return
	}
	// The desktop's opener may take up to 2 s to fail (panelui.OpenPath): never on the
	// UI goroutine, which would freeze the wall.
	open, do, fail, dir := n.open, n.do, n.fail, filepath.Dir(n.shown)
	go func() {
		if err := open(dir); err != nil && fail != nil {
			do(func() { fail(err) })
		}
	}()
}

// openFolder opens dir in the desktop's file manager through the app (a file:// URL).
func openFolder(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	u, err := url.Parse(storage.NewFileURI(abs).String())
	if err != nil {
		return err
	}
	return fyne.CurrentApp().OpenURL(u)
}
