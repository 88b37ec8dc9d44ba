//go:build !cgo

package detect

// Cascade is unavailable without cgo.
type Cascade struct{ MinSize int }

// NewCascade says that this build has no OpenCV.
func NewCascade(label, path string) (*Cascade, error) { return nil, ErrNoCgo }

// NewBuiltin says that this build has no OpenCV.
func NewBuiltin(label string) (*Cascade, error) { return nil, ErrNoCgo }

// Detect is never reached.
func (c *Cascade) Detect([]byte, int, int, int) ([]Detection, error) { return nil, ErrNoCgo }

// Close does nothing.
func (c *Cascade) Close() error { return nil }

// Net is unavailable without cgo.
type Net struct{}

// NewNet says that this build has no OpenCV.
func NewNet(NetOptions) (*Net, error) { return nil, ErrNoCgo }

// Forward is never reached.
func (n *Net) Forward([]byte, int, int, int) ([]float32, []int, error) { return nil, nil, ErrNoCgo }

// Detect is never reached.
func (n *Net) Detect([]byte, int, int, int) ([]Detection, error) { return nil, ErrNoCgo }

// Labels is never reached.
func (n *Net) Labels() []string { return nil }

// Close does nothing.
func (n *Net) Close() error { return nil }
