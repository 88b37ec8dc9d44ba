package panel

import (
	"log/slog"
	"time"

	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/recorder"
)

// RecorderOptions turns the settings into the recorder's options; out, when set,
// replaces the recordings folder.
func RecorderOptions(r config.Recording, out string, log *slog.Logger) (recorder.Options, error) {
	root := out
	if root == "" {
		var err error
		if root, err = r.Dir(); err != nil {
			return recorder.Options{}, err
		}
	}
	o := recorder.Options{Root: root, Logger: log,
		Segment:  time.Duration(r.SegmentMinutes * float64(time.Minute)),
		PreRoll:  time.Duration(r.PreRollSeconds * float64(time.Second)),
		MaxAge:   time.Duration(r.MaxAgeDays * 24 * float64(time.Hour)),
		MaxBytes: int64(r.MaxSizeGB * (1 << 30)),
	}
	switch {
	case r.MinFreeMB < 0:
		o.MinFree = -1
	case r.MinFreeMB > 0:
		o.MinFree = int64(r.MinFreeMB * (1 << 20))
	}
	return o, nil
}
