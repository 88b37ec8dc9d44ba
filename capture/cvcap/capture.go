//go:build cgo

package cvcap

import (
	"fmt"
	"image"
	"io"
	"os"
	"time"

	"gocv.io/x/gocv"
)

// Capture is an open webcam or file. Its methods are for one goroutine.
type Capture struct {
	vc     *gocv.VideoCapture
	frame  gocv.Mat
	small  gocv.Mat
	gray   gocv.Mat
	plane  []byte
	o      Options
	sp     spec
	pace   pacer
	frames int
}

// Open opens "webcam:N" or "file:PATH" through OpenCV's VideoCapture.
func Open(source string, o Options) (*Capture, error) {
	sp, err := parseSpec(source)
	if err != nil {
		return nil, err
	}
	if o, err = o.withDefaults(); err != nil {
		return nil, err
	}
	var vc *gocv.VideoCapture
	if sp.webcam {
		if _, err := os.Stat(fmt.Sprintf("/dev/video%d", sp.device)); err != nil {
			return nil, fmt.Errorf("webcam %d: no /dev/video%d on this computer; check that the camera is plugged in (ls /dev/video*)", sp.device, sp.device)
		}
		vc, err = gocv.VideoCaptureDeviceWithAPI(sp.device, gocv.VideoCaptureV4L2)
	} else {
		if _, err := os.Stat(sp.path); err != nil {
			return nil, fmt.Errorf("video file: %w", err)
		}
		// FFmpeg only: OpenCV would otherwise also try GStreamer and an image sequence,
		// and print their failures on the terminal.
		vc, err = gocv.VideoCaptureFileWithAPI(sp.path, gocv.VideoCaptureFFmpeg)
	}
	if err == nil && !vc.IsOpened() {
		vc.Close()
		err = fmt.Errorf("OpenCV could not open it")
	}
	if err != nil && !sp.webcam {
		err = fmt.Errorf("OpenCV could not open it")
	}
	if err != nil {
		what := "webcam " + fmt.Sprint(sp.device)
		if !sp.webcam {
			what = "video file " + sp.path
		}
		return nil, fmt.Errorf("%s: %w (a file must be a video OpenCV's FFmpeg backend reads; a webcam must not be in use by another program)", what, err)
	}
	fps := o.FPS
	if fps == 0 && !sp.webcam {
		if f := vc.Get(gocv.VideoCaptureFPS); f > 0 && f <= MaxFPS {
			fps = f
		}
	}
	if fps == 0 {
		fps = DefaultFPS
	}
	o.FPS = fps
	return &Capture{vc: vc, frame: gocv.NewMat(), small: gocv.NewMat(), gray: gocv.NewMat(), o: o, sp: sp,
		pace: pacer{period: time.Duration(float64(time.Second) / fps)}}, nil
}

// FPS is the rate Next is paced at.
func (c *Capture) FPS() float64 { return c.o.FPS }

// Next waits for the next frame's time, takes a picture and returns it as JPEG with the
// time it was taken. At the end of a file it returns io.EOF, or starts again with Loop.
func (c *Capture) Next() (jpeg []byte, at time.Time, err error) {
	c.pace.wait()
	if !c.vc.Read(&c.frame) || c.frame.Empty() {
		if c.sp.webcam {
			return nil, time.Time{}, fmt.Errorf("webcam %d stopped giving pictures (unplugged?)", c.sp.device)
		}
		if !c.o.Loop || c.frames == 0 {
			return nil, time.Time{}, io.EOF
		}
		c.vc.Set(gocv.VideoCapturePosFrames, 0)
		if !c.vc.Read(&c.frame) || c.frame.Empty() {
			return nil, time.Time{}, io.EOF
		}
	}
	at = time.Now()
	c.frames++
	img := c.frame
	if w, h := c.o.scaled(c.frame.Cols(), c.frame.Rows()); w != c.frame.Cols() || h != c.frame.Rows() {
		gocv.Resize(c.frame, &c.small, image.Pt(w, h), 0, 0, gocv.InterpolationArea)
		img = c.small
	}
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, img, []int{gocv.IMWriteJpegQuality, c.o.Quality})
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("encode JPEG: %w", err)
	}
	defer buf.Close()
	return append([]byte(nil), buf.GetBytes()...), at, nil
}

// Close releases the device or file and OpenCV's buffers.
func (c *Capture) Close() error {
	c.frame.Close()
	c.small.Close()
	c.gray.Close()
	return c.vc.Close()
}

// Seek moves a file to pos from its start: the next frame read is the first at or after
// it (OpenCV's FFmpeg backend goes to the key frame before and decodes forward; past the
// end, the next read is io.EOF). A webcam cannot seek.
func (c *Capture) Seek(pos time.Duration) error {
	if c.sp.webcam {
		return fmt.Errorf("webcam %d: a live camera cannot seek", c.sp.device)
	}
	c.vc.Set(gocv.VideoCapturePosMsec, float64(pos)/float64(time.Millisecond))
	return nil
}

// NextGray reads the next frame as fast as the file decodes (no pacing) and returns its
// luma plane scaled to fit maxW×maxH (keeping its aspect ratio; 0: as captured), with
// its position in the file. At the end of a file it returns io.EOF (Loop is ignored).
// The plane is reused by the next call.
func (c *Capture) NextGray(maxW, maxH int) (y []byte, w, h int, pos time.Duration, err error) {
	if !c.vc.Read(&c.frame) || c.frame.Empty() {
		if c.sp.webcam {
			return nil, 0, 0, 0, fmt.Errorf("webcam %d stopped giving pictures (unplugged?)", c.sp.device)
		}
		return nil, 0, 0, 0, io.EOF
	}
	c.frames++
	pos = time.Duration(c.vc.Get(gocv.VideoCapturePosMsec) * float64(time.Millisecond))
	gocv.CvtColor(c.frame, &c.gray, gocv.ColorBGRToGray)
	img := c.gray
	w, h = c.gray.Cols(), c.gray.Rows()
	if maxW > 0 && maxH > 0 && (w > maxW || h > maxH) {
		s := min(float64(maxW)/float64(w), float64(maxH)/float64(h))
		w, h = max(1, int(float64(w)*s+0.5)), max(1, int(float64(h)*s+0.5))
		gocv.Resize(c.gray, &c.small, image.Pt(w, h), 0, 0, gocv.InterpolationArea)
		img = c.small
	}
	b, err := img.DataPtrUint8()
	if err != nil {
		return nil, 0, 0, 0, err
	}
	c.plane = append(c.plane[:0], b...)
	return c.plane, w, h, pos, nil
}
