package fmp4file

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"time"

	"github.com/vigil-cctv/vigil/capture"
)

// Register adds Vigil's own recordings (file:///ROOT/CAMERA, or one file, with optional
// ?from=RFC3339&speed=N) to r: the one registration of this protocol (config/protocols.go
// calls it).
func Register(r *capture.Registry) {
	r.Register(capture.Protocol{
		Name:     "recordings",
		Schemes:  []string{"file"},
		CheckURL: checkURL,
		New: func(rawURL string, s capture.Settings) (capture.Source, error) {
			dir, from, speed, err := Parse(rawURL)
			if err != nil {
				return nil, err
			}
			src := New(dir, from, speed)
			src.Log = s.Logger
			return src, nil
		},
	})
}

func checkURL(u *url.URL) string {
	if u.Host != "" && u.Host != "localhost" {
		return "a file URL names a folder on this computer (want file:///PATH)"
	}
	if !filepath.IsAbs(filepath.FromSlash(u.Path)) {
		return "missing folder (want file:///PATH/TO/RECORDINGS/CAMERA)"
	}
	return ""
}

// Parse reads a file URL: the folder or file, and where and how fast to play.
func Parse(rawURL string) (dir string, from time.Time, speed float64, err error) {
	u, err := capture.ParseURL(rawURL)
	if err != nil {
		return "", time.Time{}, 0, err
	}
	if msg := checkURL(u); msg != "" {
		return "", time.Time{}, 0, fmt.Errorf("%w: %s", capture.ErrBadURL, msg)
	}
	q := u.Query()
	speed = 1
	if v := q.Get("from"); v != "" {
		if from, err = time.Parse(time.RFC3339Nano, v); err != nil {
			return "", time.Time{}, 0, fmt.Errorf("%w: from=%q is not an RFC 3339 time", capture.ErrBadURL, v)
		}
	}
	if v := q.Get("speed"); v != "" {
		if speed, err = strconv.ParseFloat(v, 64); err != nil || speed <= 0 {
			return "", time.Time{}, 0, fmt.Errorf("%w: speed=%q is not a positive number", capture.ErrBadURL, v)
		}
	}
	return filepath.FromSlash(u.Path), from, speed, nil
}

// URL is the file URL that plays dir from from at speed.
func URL(dir string, from time.Time, speed float64) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(dir)}
	q := url.Values{}
	if !from.IsZero() {
		q.Set("from", from.Format(time.RFC3339Nano))
	}
	if speed != 0 && speed != 1 {
		q.Set("speed", strconv.FormatFloat(speed, 'g', -1, 64))
	}
	u.RawQuery = q.Encode()
	return u.String()
}
