package fmp4file

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"time"

	"github.com/vigil-cctv/vigil/capture"
)

// A camera's recordings, as the recorder lays them out (docs/architecture.md
// "Recording"): <camera>/<YYYY-MM-DD>/<camera>_<YYYY-MM-DDTHH-MM-SS.mmm±hhmm>[-N].mp4,
// named by the wall-clock time of the first frame (the milliseconds absent in names
// written before they were added).
var fileTimeRE = regexp.MustCompile(`_(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}(?:\.\d{3})?[+-]\d{4})(?:-\d+)?\.mp4$`)

// fileTimeLayout parses both: time.Parse takes a fraction after the seconds the layout
// does not show.
const fileTimeLayout = "2006-01-02T15-04-05-0700"

// maxFiles bounds the files of one camera a source lists.
const maxFiles = 100000

// recFile is one recording of the camera, with the start its name gives.
type recFile struct {
	path  string
	start time.Time
}

// listFiles lists the recordings of the camera folder dir (or dir alone when it is a
// file), oldest first.
func listFiles(dir string) ([]recFile, error) {
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		start, ok := fileStart(dir)
		if !ok {
			start = fi.ModTime()
		}
		return []recFile{{path: dir, start: start}}, nil
	}
	paths, err := filepath.Glob(filepath.Join(dir, "*", "*.mp4"))
	if err != nil {
		return nil, err
	}
	var out []recFile
	for _, p := range paths {
		if t, ok := fileStart(p); ok {
			out = append(out, recFile{path: p, start: t})
		}
		if len(out) > maxFiles {
			return nil, fmt.Errorf("%w: over %d recordings in %s", capture.ErrTooLarge, maxFiles, dir)
		}
	}
	if len(out) == 0 {
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("%w: no recordings folder %s: %v", capture.ErrNotFound, dir, err)
		}
		return nil, fmt.Errorf("%w: no recordings in %s", capture.ErrNotFound, dir)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].start.Before(out[j].start) })
	return out, nil
}

// fileStart reads the time of the first frame from a recording's name.
func fileStart(path string) (time.Time, bool) {
	m := fileTimeRE.FindStringSubmatch(filepath.Base(path))
	if m == nil {
		return time.Time{}, false
	}
	t, err := time.Parse(fileTimeLayout, m[1])
	return t, err == nil
}
