//go:build !cgo

package cvcap

import "time"

// Capture is unavailable without cgo.
type Capture struct{}

// Open says that this build has no OpenCV.
func Open(source string, o Options) (*Capture, error) {
	if _, err := parseSpec(source); err != nil {
		return nil, err
	}
	return nil, ErrNoCgo
}

// FPS is 0.
func (c *Capture) FPS() float64 { return 0 }

// Next is never reached: Open fails.
func (c *Capture) Next() ([]byte, time.Time, error) { return nil, time.Time{}, ErrNoCgo }

// Close does nothing.
func (c *Capture) Close() error { return nil }

// NextGray is never reached: Open fails.
func (c *Capture) NextGray(maxW, maxH int) ([]byte, int, int, time.Duration, error) {
	return nil, 0, 0, 0, ErrNoCgo
}

// Seek is never reached: Open fails.
func (c *Capture) Seek(pos time.Duration) error { return ErrNoCgo }
