package recorder

import (
	"time"
)

// Clip is one recorded segment, for the recordings view.
type Clip struct {
	// Camera is the camera's folder name (SafeName of the camera's name).
	Camera string
	// Date is the day folder, YYYY-MM-DD in the local time of the first frame.
	Date string
	// Path is the file's path.
	Path string
	// Start is the wall-clock time of the first frame, with the UTC offset it was
	// recorded in (from the file name).
	Start time.Time
	// Duration is the media time of the file's complete fragments.
	Duration time.Duration
	// Size is the file's size in bytes.
	Size int64
}

// List returns the recordings under root, oldest first. It reads each file's fragment
// headers for the duration (tfdt plus the trun sample durations), not the media. Files
// that are not recordings are skipped; a file being written lists what is complete.
func List(root string) ([]Clip, error) {
	files, err := walk(root)
	if err != nil {
		return nil, err
	}
	clips := make([]Clip, 0, len(files))
	for _, f := range files {
		s, size, err := scanPath(f.path)
		if err != nil {
			continue
		}
		clips = append(clips, Clip{
			Camera: f.camera, Date: f.date, Path: f.path, Start: f.start,
			Duration: time.Duration(s.Duration() * float64(time.Second)).Round(time.Millisecond),
			Size:     size,
		})
	}
	return clips, nil
}
