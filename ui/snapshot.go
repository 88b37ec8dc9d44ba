package ui

import (
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode"

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
	if t.stream == nil || !t.hasPicture || t.buf == nil {
		return "", fmt.Errorf("snapshot: %w on this tile (start it and wait for a picture)", ErrNoPicture)
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
	base := safeFileName(t.stream.Name()) + "_" + t.now().Format(snapshotTimeLayout)
	var img image.Image
	if p, ok := t.stream.LatestKey(); ok && t.Running() {
		if p.Codec == capture.CodecJPEG && ext != ".png" {
			if ext == "" {
				ext = ".jpg"
			}
			return writeExclusive(dir, base, ext, func(w io.Writer) error {
				_, err := w.Write(p.Data)
				return err
			})
		}
		if full, err := t.stream.DecodeFull(p); err == nil {
			img = full
		}
	}
	if img == nil {
		cp := image.NewRGBA(t.buf.Rect) // a copy: the encoder must not see the next frame
		copy(cp.Pix, t.buf.Pix)
		img = cp
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
