package imageserver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/vigil-cctv/vigil/capture"
)

// Source streams one camera from a recording server's Image Server, live or recorded.
// It implements capture.Source: each Run dials, sends connect with the current token,
// then live (or, with From set, goto and stepping: see playback.go), and delivers one
// Packet per image until ctx ends or the stream fails. The SOAP layer owns the login: it
// supplies Token and calls TokenRenewed after each renewal.
type Source struct {
	// Addr is the Image Server's host:port (see ParseWebServerURI).
	Addr string
	// TLSConfig, when set, speaks TLS (the recorder's WebServerUri is https). It
	// defaults to nil: plain TCP.
	TLSConfig *tls.Config
	// CameraGUID is the camera's DeviceId; StreamID optionally one of its streams.
	CameraGUID, StreamID string
	// Token returns the current XProtect token. It must be set. The token is never
	// logged or put into an error.
	Token func() string
	// Width and Height are the tile size asked of the recorder's transcoder, 0 for the
	// camera's size. The recorder may ignore them [S]: Packets carry the size that
	// arrived, and a mismatch is logged once per run.
	Width, Height int
	// Native asks for the camera's codec (H.264/H.265 as GenericByteData) instead of
	// JPEG. It defaults to false.
	Native bool
	// CompressionRate is the JPEG quality of transcoded frames. It defaults to 90.
	CompressionRate int
	// Dial opens TCP connections. It defaults to a net.Dialer's DialContext.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Timeout bounds connecting and the connect reply. It defaults to 10 s.
	Timeout time.Duration
	// ReadTimeout is how long the recorder may send nothing before Run fails with
	// capture.ErrStalled. It defaults to 10 s.
	ReadTimeout time.Duration
	// Limits bound the parser. They default to 64 KiB headers, 1 MiB XML, 16 MiB images.
	Limits Limits
	// Logger defaults to slog.Default().
	Logger *slog.Logger

	// Playback: see playback.go. From, when set, plays the recording from the frame at
	// or before this time instead of live video.
	From time.Time
	// ResumeAfter, when set, plays the recording from the first frame after this time
	// (a reconnect continuing where the last run stopped); it takes precedence over From.
	// A Source run again resumes after its own Position by itself.
	ResumeAfter time.Time
	// Speed is the playback rate: 1 is real time, 2, 4, 8… faster, 0.5 slower. 0 means 1.
	Speed float64
	// Stepping is how playback moves to the next frame. It defaults to StepGoto.
	Stepping Stepping
	// MaxPlaybackFPS caps the frames per second fast playback delivers: with StepGoto,
	// frames closer than Speed/MaxPlaybackFPS of recorded time are skipped (a tile shows
	// no more anyway, and the recorder transcodes less). It defaults to 30.
	MaxPlaybackFPS float64
	// GapJump is the longest wait playback sleeps between two recorded frames; a longer
	// one (a gap in the recording, or slow motion of a sparse one) is cut to a short
	// pause, so the stream never looks stalled (the Supervisor's watchdog: 3 s). It
	// defaults to 2 s.
	GapJump time.Duration
	// EndPoll is how often playback at the end of the recording asks again for new
	// frames, re-delivering the last one each time so the stream stays alive. It
	// defaults to 1 s.
	EndPoll time.Duration

	mu       sync.Mutex
	conn     *Conn // the open session, for TokenRenewed
	position time.Time
	seek     time.Time // a pending Seek, zero when none
	speed    float64   // set by SetSpeed, 0 when not
	wake     chan struct{}
}

var _ capture.Source = (*Source)(nil)

// TokenRenewed sends connectupdate with Token() on the open session, if any, so the
// recorder keeps streaming under the renewed login [C, milestone.md §1.4]. A refusal
// surfaces as Run's error (capture.ErrUnauthorized).
func (s *Source) TokenRenewed() error {
	s.mu.Lock()
	c := s.conn
	s.mu.Unlock()
	if c == nil {
		return nil
	}
	return c.ConnectUpdate(s.Token())
}

func (s *Source) setConn(c *Conn) {
	s.mu.Lock()
	s.conn = c
	s.mu.Unlock()
}

// Run connects and streams until ctx is cancelled (it then returns nil) or the stream
// fails. It starts no goroutine that outlives it.
func (s *Source) Run(ctx context.Context, sink capture.Sink) error {
	if s.Addr == "" || s.CameraGUID == "" || s.Token == nil {
		return errors.New("milestone image server: Addr, CameraGUID and Token must be set")
	}
	log := s.Logger
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "milestone-imageserver", "recorder", s.Addr, "camera", s.CameraGUID)
	capture.ReportPhase(sink, "the recording server "+s.Addr+" did not accept a connection")
	c, err := Dial(ctx, s.Addr, Options{
		TLSConfig: s.TLSConfig, Dial: s.Dial, Timeout: s.Timeout, ReadTimeout: s.ReadTimeout,
		Limits: s.Limits, Logger: s.Logger,
	})
	if ctx.Err() != nil {
		if c != nil {
			c.Close()
		}
		return nil
	}
	if err != nil {
		return err
	}
	s.setConn(c)
	defer func() {
		s.setConn(nil)
		c.Close()
	}()
	if s.playing() {
		err = s.playback(ctx, c, sink, log)
	} else {
		err = s.stream(ctx, c, sink, log)
	}
	if ctx.Err() != nil {
		return nil
	}
	return err
}

func (s *Source) connect(ctx context.Context, c *Conn) error {
	_, err := c.Connect(ctx, s.Token(), s.CameraGUID, ConnectParams{
		StreamID: s.StreamID, Native: s.Native, Width: s.Width, Height: s.Height,
	})
	return err
}

func (s *Source) info() capture.StreamInfo {
	info := capture.StreamInfo{Protocol: "milestone", Transport: "tcp", Auth: "token", Codec: capture.CodecJPEG}
	if s.TLSConfig != nil {
		info.Transport = "tls"
	}
	return info
}

func (s *Source) stream(ctx context.Context, c *Conn, sink capture.Sink, log *slog.Logger) error {
	capture.ReportPhase(sink, "the recording server "+s.Addr+" did not answer the Image Server connect request")
	if err := s.connect(ctx, c); err != nil {
		return err
	}
	if err := c.Live(s.CompressionRate); err != nil {
		return err
	}
	capture.ReportPhase(sink, "the recording server "+s.Addr+" accepted the live request but sent no frame")
	info := s.info()
	connected, warned, frames := false, false, 0
	for {
		im, err := c.ReadImage(ctx)
		if err != nil {
			if frames > 0 {
				return fmt.Errorf("after %d frames: %w", frames, err)
			}
			return err
		}
		pkts, err := im.Packets(time.Now())
		if err != nil {
			return fmt.Errorf("recorder %s, camera %s: %w", s.Addr, s.CameraGUID, err)
		}
		for _, p := range pkts {
			if !connected {
				info.Codec = p.Codec
				sink.Connected(info)
				connected = true
			}
			if !warned && p.Codec == capture.CodecJPEG && s.Width > 0 && p.Width != s.Width && p.Height != s.Height {
				warned = true
				log.Info("recorder sent another size than asked (transcode width/height ignored?)",
					"asked", fmt.Sprintf("%dx%d", s.Width, s.Height), "got", fmt.Sprintf("%dx%d", p.Width, p.Height))
			}
			sink.Packet(p)
			frames++
		}
	}
}
