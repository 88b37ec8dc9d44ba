// Package milestone plays cameras of a Milestone XProtect site without Milestone's SDK:
// it logs in to the management server (SOAP, package soap), finds the camera and its
// recording server in the configuration, and streams from that recorder's Image Server
// (TCP 7563, or TLS when the recorder's WebServerUri is https; package imageserver), live
// or recorded from a chosen time at a chosen speed, renewing the login token before it
// expires and telling the open video socket with connectupdate. Single pictures come from
// the recorder's RecorderCommandService (Snapshot), and so do the recorded spans of a
// timeline (RecordedSpans). See the team's research/milestone.md.
package milestone

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/internal/trust"
	"github.com/vigil-cctv/vigil/protocols/milestone/imageserver"
	"github.com/vigil-cctv/vigil/protocols/milestone/soap"
)

// Source is one camera of a Milestone site, addressed as
// milestones://host[:port]/<camera name or GUID> (HTTPS to the management server) or
// milestone://… (plain HTTP, for labs). With no camera in the path it plays the first.
type Source struct {
	// URL is the milestone(s):// address; credentials in it are used when User is empty.
	URL string
	// User and Password of an XProtect Basic user.
	User, Password string
	// PinSHA256 accepts exactly the management server's certificate with this SHA-256
	// fingerprint (a self-signed one). Insecure learns the fingerprint on connect and
	// accepts it (`vigil probe --insecure`); Fingerprint then reports it.
	PinSHA256 string
	Insecure  bool
	// Pins, when set, gives the pinned fingerprint of a server (host:port) from the
	// settings' trust list: the management server's when PinSHA256 is empty, and each
	// TLS recording server's.
	Pins func(hostPort string) string
	// Width and Height, when set, ask the recorder for JPEGs of that size (it may ignore
	// them; the decoder then scales).
	Width, Height int
	// Dial opens TCP connections. It defaults to a net.Dialer.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Logger defaults to slog.Default().
	Logger *slog.Logger

	// From, when set, plays the camera's recording from the frame at or before this time
	// instead of live video (the zero time). Set it before Run; Seek changes it later.
	// Packets then carry the recorded time as SourceTime, and Position follows them.
	From time.Time
	// Speed is the playback rate: 1 is real time, 2, 4, 8… faster (frames are skipped
	// above imageserver.DefaultMaxPlaybackFPS), 0.5 slower. 0 means 1. SetSpeed changes
	// it later.
	Speed float64
	// Stepping is how playback moves on: imageserver.StepGoto (goto <Next>, Milestone's
	// sample [C]) or imageserver.StepNext (the next method [S]). It defaults to StepGoto.
	Stepping imageserver.Stepping

	mu           sync.Mutex
	cameras      []capture.ProbeCamera
	fingerprint  string
	hintW, hintH int
	restart      chan struct{} // signalled to re-open the video connection (size, live/playback)
	seek         *time.Time    // Seek's time (zero: live), nil when never called
	speed        float64       // SetSpeed's value, 0 when never called
	position     time.Time     // recorded time of the last delivered playback frame
	video        *imageserver.Source
	site         *site // the running login, for Snapshot
	ptzEnabled   bool  // the camera's PtzSettings, as the last Run found them
	ptzCenter    bool
}

// HintSize is part of capture.SizeHinter: the recorder is asked for JPEGs that fit this
// box (Width and Height, when set, take precedence). While streaming, a box more than a
// quarter larger or smaller than the one asked re-opens the video connection at the new
// size — a maximised tile gets a sharp picture — keeping the login; smaller changes wait
// for the next connection.
func (s *Source) HintSize(w, h int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ow, oh := s.hintW, s.hintH
	s.hintW, s.hintH = w, h
	if ow > 0 && oh > 0 && (far(w, ow) || far(h, oh)) {
		s.restartLocked()
	}
}

// restartLocked asks a running Run to re-open its video connection (keeping the login).
func (s *Source) restartLocked() {
	if s.restart != nil {
		select {
		case s.restart <- struct{}{}:
		default:
		}
	}
}

// Seek plays the recording from the frame at or before t, or live video when t is zero
// ("back to live"). A running playback moves on its open connection; switching between
// live and playback re-opens the video connection, keeping the login. The tile's time
// picker calls it; so may a new Source's From.
func (s *Source) Seek(t time.Time) {
	s.mu.Lock()
	wasPlaying := s.playingLocked()
	s.seek = &t
	s.position = time.Time{}
	video := s.video
	if !t.IsZero() && wasPlaying && video != nil {
		s.mu.Unlock()
		video.Seek(t)
		return
	}
	if t.IsZero() != !wasPlaying {
		s.restartLocked()
	}
	s.mu.Unlock()
}

// SetSpeed changes the playback rate (see Speed) from the next frame on.
func (s *Source) SetSpeed(speed float64) {
	s.mu.Lock()
	s.speed = speed
	video := s.video
	s.mu.Unlock()
	if video != nil {
		video.SetSpeed(speed)
	}
}

// PlayingRecording reports whether the Source plays a recording (From or Seek) rather
// than live video.
func (s *Source) PlayingRecording() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.playingLocked()
}

func (s *Source) playingLocked() bool {
	if s.seek != nil {
		return !s.seek.IsZero()
	}
	return !s.From.IsZero()
}

// Position is the recorded time of the last frame delivered in playback (what a tile's
// time label shows), zero before the first frame and for live video. A reconnect resumes
// after it.
func (s *Source) Position() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.position
}

// playback is what the next video connection plays: from (zero: live), resume (the
// last delivered frame, when reconnecting) and speed.
func (s *Source) playback() (from, resume time.Time, speed float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	from = s.From
	if s.seek != nil {
		from = *s.seek
	}
	if !from.IsZero() {
		resume = s.position
	}
	speed = s.Speed
	if s.speed > 0 {
		speed = s.speed
	}
	return from, resume, speed
}

// positionSink records the recorded time of every playback packet it passes on.
type positionSink struct {
	capture.Sink
	s *Source
}

func (k positionSink) Packet(p capture.Packet) {
	if !p.SourceTime.IsZero() {
		k.s.mu.Lock()
		if k.s.playingLocked() {
			k.s.position = p.SourceTime
		}
		k.s.mu.Unlock()
	}
	k.Sink.Packet(p)
}

// Phase passes the Image Server's phases on to a sink that listens (capture.PhaseSink).
func (k positionSink) Phase(failure string) { capture.ReportPhase(k.Sink, failure) }

// far reports whether a and b differ by more than a quarter.
func far(a, b int) bool { return a*4 > b*5 || b*4 > a*5 }

// hint returns the size to ask the recorder for.
func (s *Source) hint() (int, int) {
	if s.Width > 0 && s.Height > 0 {
		return s.Width, s.Height
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hintW, s.hintH
}

// Cameras lists the site's cameras as the last Run found them (for `vigil probe`).
func (s *Source) Cameras() []capture.ProbeCamera {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cameras
}

// Fingerprint is the management server's certificate fingerprint learnt with Insecure.
func (s *Source) Fingerprint() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fingerprint
}

// site is one login to a Milestone site and the camera it found: what Run streams from
// and Snapshot and RecordedSpans ask the recorder with.
type site struct {
	client  *soap.Client
	session *soap.Session
	cam     soap.Camera
	rec     soap.Recorder
	addr    string      // the recorder's host:port
	useTLS  bool        // its WebServerUri is https
	recPin  string      // its pinned (or, with Insecure, learnt) fingerprint
	tlsConf *tls.Config // for the Image Server socket, nil for plain TCP

	mu      sync.Mutex
	video   *imageserver.Source // the open video connection, told of renewed tokens
	rc      *soap.RecorderClient
	seqType string // the recorder's RecordingSequence type Id, once asked
}

func (st *site) close() {
	st.mu.Lock()
	rc := st.rc
	st.mu.Unlock()
	if rc != nil {
		rc.Close()
	}
	st.session.Close()
	st.client.Close()
}

// recorderClient is the recorder's RecorderCommandService client, made once per login.
func (st *site) recorderClient(dial func(ctx context.Context, network, addr string) (net.Conn, error)) (*soap.RecorderClient, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.rc != nil {
		return st.rc, nil
	}
	scheme := "http"
	if st.useTLS {
		scheme = "https"
	}
	rc, err := soap.NewRecorderClient(soap.Options{URL: scheme + "://" + st.addr + "/", PinSHA256: st.recPin, DialContext: dial}, 0)
	if err != nil {
		return nil, fmt.Errorf("recording server %s: %w", st.rec.Name, err)
	}
	st.rc = rc
	return rc, nil
}

// open logs in, reads the configuration and finds the camera and its recorder. It tells
// phase, when set, what it waits for (capture.PhaseSink).
func (s *Source) open(ctx context.Context, log *slog.Logger, phase func(string)) (*site, error) {
	if phase == nil {
		phase = func(string) {}
	}
	mgmt, camera, user, pass, err := parseURL(s.URL)
	if err != nil {
		return nil, err
	}
	if s.User != "" {
		user, pass = s.User, s.Password
	}
	pin := s.PinSHA256
	mgmtURL, _ := url.Parse(mgmt)
	if pin == "" && s.Pins != nil && mgmtURL.Scheme == "https" {
		pin = s.Pins(hostPort(mgmtURL, "443"))
	}
	if s.Insecure && pin == "" && mgmtURL.Scheme == "https" {
		fp, err := trust.Fetch(ctx, hostPort(mgmtURL, "443"), s.Dial)
		if err != nil {
			return nil, err
		}
		pin = fp
		s.mu.Lock()
		s.fingerprint = fp
		s.mu.Unlock()
	}
	client, err := soap.NewClient(soap.Options{URL: mgmt, User: user, Password: pass, PinSHA256: pin, DialContext: s.Dial})
	if err != nil {
		return nil, err
	}
	phase("the management server " + mgmtURL.Host + " did not answer the login")
	st := &site{client: client}
	st.session = soap.NewSession(client, soap.SessionOptions{Logger: log, OnToken: func(string) {
		st.mu.Lock()
		is := st.video
		st.mu.Unlock()
		if is != nil {
			if err := is.TokenRenewed(); err != nil {
				log.Warn("telling the recorder the renewed token failed", "component", "milestone", "err", err)
			}
		}
	}})
	if err := st.session.Start(ctx); err != nil {
		client.Close()
		return nil, err
	}
	phase("the management server " + mgmtURL.Host + " did not send its configuration")
	if err := s.find(ctx, st, camera, log); err != nil {
		st.close()
		return nil, err
	}
	return st, nil
}

// find reads the configuration into st: the camera, its recorder and how to reach it.
func (s *Source) find(ctx context.Context, st *site, camera string, log *slog.Logger) error {
	cfg, err := st.session.GetConfiguration(ctx)
	if err != nil {
		return err
	}
	var list []capture.ProbeCamera
	for _, c := range cfg.Cameras() {
		list = append(list, capture.ProbeCamera{Name: c.Name, ID: c.ID, Recorder: c.RecorderName})
	}
	s.mu.Lock()
	s.cameras = list
	s.mu.Unlock()
	if len(list) == 0 {
		return &capture.Error{Kind: capture.ErrNotFound, Where: st.client.Host(), What: "lists no cameras for this user",
			Hint: "check the user's role in XProtect: it must allow viewing live video of the cameras"}
	}
	if camera == "" {
		camera = list[0].ID
	}
	cam, ok := cfg.FindCamera(camera)
	if !ok {
		names := make([]string, 0, 5)
		for _, c := range list[:min(len(list), 5)] {
			names = append(names, capture.CleanText(c.Name, 64))
		}
		return fmt.Errorf("%s has no camera %q (it has %s…): %w", st.client.Host(), camera, strings.Join(names, ", "), capture.ErrNotFound)
	}
	rec, ok := cfg.Recorder(cam.RecorderID)
	if !ok {
		return fmt.Errorf("camera %q: its recording server is not in the configuration: %w", cam.Name, capture.ErrNotFound)
	}
	st.cam, st.rec = cam, rec
	s.mu.Lock()
	s.ptzEnabled, s.ptzCenter = cam.PTZ, cam.Center
	s.mu.Unlock()
	if st.addr, st.useTLS, err = rec.ImageServerAddr(); err != nil {
		return err
	}
	if !st.useTLS {
		return nil
	}
	// A recording server's certificate is trusted like the management server's: by its
	// pinned fingerprint from the settings (or learnt with Insecure), else through the
	// system's roots.
	if s.Pins != nil {
		st.recPin = s.Pins(st.addr)
	}
	if st.recPin == "" && s.Insecure {
		if st.recPin, err = trust.Fetch(ctx, st.addr, s.Dial); err != nil {
			return fmt.Errorf("recording server %s: %w", rec.Name, err)
		}
		log.Info("accepting the recording server's certificate", "component", "milestone", "recorder", st.addr, "fingerprint", st.recPin)
	}
	if st.tlsConf, err = trust.Config(trust.Options{Host: st.addr, Pin: st.recPin}); err != nil {
		return fmt.Errorf("recording server %s: %w", rec.Name, err)
	}
	return nil
}

// Run logs in, finds the camera, streams it (live, or the recording from From) until ctx
// ends or something fails, and logs out. It returns nil on cancel.
func (s *Source) Run(ctx context.Context, sink capture.Sink) error {
	log := s.Logger
	if log == nil {
		log = slog.Default()
	}
	st, err := s.open(ctx, log, func(f string) { capture.ReportPhase(sink, f) })
	if err != nil {
		return cancelled(ctx, err)
	}
	defer st.close()
	restart := make(chan struct{}, 1)
	s.mu.Lock()
	s.restart, s.site = restart, st
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.restart, s.site, s.video = nil, nil, nil
		s.mu.Unlock()
	}()
	sink = positionSink{Sink: sink, s: s}
	for {
		w, h := s.hint()
		from, resume, speed := s.playback()
		is := &imageserver.Source{Addr: st.addr, CameraGUID: st.cam.ID, Token: st.session.Token,
			Width: w, Height: h, Dial: s.Dial, Logger: log, TLSConfig: st.tlsConf,
			From: from, ResumeAfter: resume, Speed: speed, Stepping: s.Stepping}
		st.mu.Lock()
		st.video = is
		st.mu.Unlock()
		s.mu.Lock()
		s.video = is
		s.mu.Unlock()
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- is.Run(runCtx, sink) }()
		select {
		case err := <-done:
			cancel()
			if err != nil && st.useTLS && errors.Is(err, trust.ErrUntrusted) {
				err = fmt.Errorf("recording server %s: %w", st.rec.Name, err)
			}
			return capture.CleanError(err) // names and reasons come from the VMS
		case <-restart:
			cancel()
			if err := <-done; err != nil || ctx.Err() != nil {
				return capture.CleanError(err)
			}
			log.Debug("re-opening the video connection (size, or live/playback)", "component", "milestone", "camera", st.cam.Name)
		}
	}
}

// Snapshot fetches one live picture of the camera from its recorder's
// RecorderCommandService (JPEGGetLive), fitted into maxWidth×maxHeight (1920×1080 when
// either is ≤ 0), and the time the recorder gives for it. It reuses a running Run's
// login, else logs in and out for this one picture.
func (s *Source) Snapshot(ctx context.Context, maxWidth, maxHeight int) ([]byte, time.Time, error) {
	return s.picture(ctx, func(rc *soap.RecorderClient, token, cam string) (soap.JPEG, error) {
		return rc.JPEGGetLive(ctx, token, cam, maxWidth, maxHeight)
	})
}

// SnapshotAt fetches the recorded picture of the camera at t (JPEGGetAt) at the
// camera's size, and the recorded time of the frame the recorder chose.
func (s *Source) SnapshotAt(ctx context.Context, t time.Time) ([]byte, time.Time, error) {
	return s.picture(ctx, func(rc *soap.RecorderClient, token, cam string) (soap.JPEG, error) {
		return rc.JPEGGetAt(ctx, token, cam, t)
	})
}

func (s *Source) picture(ctx context.Context, get func(rc *soap.RecorderClient, token, cam string) (soap.JPEG, error)) ([]byte, time.Time, error) {
	var j soap.JPEG
	err := s.withRecorder(ctx, "picture", func(st *site, rc *soap.RecorderClient) (err error) {
		j, err = get(rc, st.session.Token(), st.cam.ID)
		return err
	})
	if err != nil {
		return nil, time.Time{}, err
	}
	return j.Data, j.Time, nil
}

// withRecorder calls call with the camera's login and its recorder's
// RecorderCommandService client: a running Run's login, else one made for this call
// and logged out after it. call's error is said to be about the camera's what.
func (s *Source) withRecorder(ctx context.Context, what string, call func(st *site, rc *soap.RecorderClient) error) error {
	log := s.Logger
	if log == nil {
		log = slog.Default()
	}
	s.mu.Lock()
	st := s.site
	s.mu.Unlock()
	if st == nil {
		var err error
		if st, err = s.open(ctx, log, nil); err != nil {
			return err
		}
		defer st.close()
	}
	rc, err := st.recorderClient(s.Dial)
	if err != nil {
		return err
	}
	if err := call(st, rc); err != nil {
		return fmt.Errorf("%s of camera %q: %w", what, st.cam.Name, err)
	}
	return nil
}

// Paging of RecordedSpans: sequences asked for per SequencesGet, and most requests.
const spansPage = 1000

// spansPages is how many pages RecordedSpans asks for at most (a variable for the tests).
var spansPages = 20

// RecordedSpans lists the spans of [from, to) the camera's recorder holds video of
// (capture.RecordingLister), oldest first: its RecordingSequence sequences
// (SequencesGet, the type's Id from SequencesGetTypes, else the known GUID when the
// recorder lacks that operation), touching or overlapping ones merged, clipped to
// [from, to); sequences of no length are left out. A recorder answering a full page is
// asked again from the newest end it gave (so it is taken to answer the oldest sequences
// first [I]), up to 20 pages (20000 sequences); when the last is full too, the spans
// listed come with a *capture.PartialSpans saying up to when. It reuses a running Run's
// login, else logs in and out for the call.
func (s *Source) RecordedSpans(ctx context.Context, from, to time.Time) ([]capture.TimeSpan, error) {
	if !from.Before(to) {
		return nil, nil
	}
	var (
		spans   []capture.TimeSpan
		partial *capture.PartialSpans
	)
	err := s.withRecorder(ctx, "recordings", func(st *site, rc *soap.RecorderClient) error {
		typeID, err := st.recordingType(ctx, rc)
		if err != nil {
			return err
		}
		for start, page := from, 0; ; page++ {
			seqs, full, err := rc.SequencesPage(ctx, st.session.Token(), st.cam.ID, typeID, start, to, spansPage)
			if err != nil {
				return err
			}
			next := start
			for _, q := range seqs {
				spans = append(spans, capture.TimeSpan{From: q.Begin, To: q.End})
				if q.End.After(next) {
					next = q.End
				}
			}
			// A full answer may have more after it, even when some of its entries (the
			// one ending where this page began, a bad one) were left out.
			if !full || !next.After(start) {
				return nil
			}
			if page+1 == spansPages {
				partial = &capture.PartialSpans{Until: next, Limit: spansPages * spansPage}
				return nil
			}
			start = next
		}
	})
	if err != nil {
		return nil, err
	}
	if partial != nil {
		return mergeSpans(spans, from, partial.Until), partial
	}
	return mergeSpans(spans, from, to), nil
}

// recordingType is the Id of the recorder's RecordingSequence type, asked once per login
// (soap.RecordingSequenceID; the known GUID when SequencesGetTypes is not supported).
func (st *site) recordingType(ctx context.Context, rc *soap.RecorderClient) (string, error) {
	st.mu.Lock()
	id := st.seqType
	st.mu.Unlock()
	if id != "" {
		return id, nil
	}
	types, err := rc.SequenceTypes(ctx, st.session.Token(), st.cam.ID)
	if err != nil && !errors.Is(err, capture.ErrUnsupported) {
		return "", err
	}
	id = soap.RecordingSequenceID(types)
	st.mu.Lock()
	st.seqType = id
	st.mu.Unlock()
	return id, nil
}

// mergeSpans clips spans to [from, to), drops the empty ones, and merges those that
// touch or overlap, oldest first.
func mergeSpans(spans []capture.TimeSpan, from, to time.Time) []capture.TimeSpan {
	var clipped []capture.TimeSpan
	for _, sp := range spans {
		if sp.From.Before(from) {
			sp.From = from
		}
		if sp.To.After(to) {
			sp.To = to
		}
		if sp.From.Before(sp.To) {
			clipped = append(clipped, sp)
		}
	}
	slices.SortFunc(clipped, func(a, b capture.TimeSpan) int { return a.From.Compare(b.From) })
	var out []capture.TimeSpan
	for _, sp := range clipped {
		if n := len(out); n > 0 && !sp.From.After(out[n-1].To) {
			if sp.To.After(out[n-1].To) {
				out[n-1].To = sp.To
			}
			continue
		}
		out = append(out, sp)
	}
	return out
}

// parseURL splits milestone(s)://user:pass@host[:port]/camera into the management
// server's URL, the camera, and the credentials.
func parseURL(raw string) (mgmt, camera, user, pass string, err error) {
	u, err := capture.ParseURL(raw) // its error never quotes the password
	if err != nil {
		return "", "", "", "", fmt.Errorf("milestone: %w; want milestones://host/<camera>", err)
	}
	scheme := "https"
	switch strings.ToLower(u.Scheme) {
	case "milestones":
	case "milestone":
		scheme = "http"
	default:
		return "", "", "", "", fmt.Errorf("%s: not a milestone(s):// address", capture.RedactURL(raw))
	}
	if u.Host == "" {
		return "", "", "", "", fmt.Errorf("%s: no server in the address", capture.RedactURL(raw))
	}
	if u.User != nil {
		user = u.User.Username()
		pass, _ = u.User.Password()
	}
	return scheme + "://" + u.Host, strings.Trim(u.Path, "/"), user, pass, nil
}

func hostPort(u *url.URL, def string) string {
	if u.Port() != "" {
		return u.Host
	}
	return net.JoinHostPort(u.Hostname(), def)
}

// cancelled turns an error caused by ctx ending into nil, as Source.Run promises.
func cancelled(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return capture.CleanError(err) // names and fault text come from the VMS
}

var (
	_ capture.Source          = (*Source)(nil)
	_ capture.SizeHinter      = (*Source)(nil)
	_ capture.RecordingLister = (*Source)(nil)
)
