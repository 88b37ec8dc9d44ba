package milestonetest

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/xml"
	"fmt"
	"image"
	"image/jpeg"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/internal/tcpserve"
)

// RecorderOptions configure a simulated recording server's Image Server.
type RecorderOptions struct {
	// Cameras maps a camera GUID to its frames (JPEGs), played in a loop for live and
	// used as the recorded database for playback.
	Cameras map[string][][]byte
	// FPS is the live frame rate. It defaults to 10.
	FPS float64
	// ValidToken decides whether a token may connect (and keep streaming: a live
	// session whose token turns invalid is dropped, an [I] assumption of milestone.md
	// §1.4). It defaults to nil: any token is accepted.
	ValidToken func(token string) bool
	// RecordedStart is the time of recorded frame 0. It defaults to 2024-01-15 12:00 UTC.
	RecordedStart time.Time
	// RecordedInterval is the time between recorded frames. It defaults to 1/FPS.
	RecordedInterval time.Duration
	// RecordedFrames is how many frames the recorded database holds per camera,
	// cycling through the camera's frames. It defaults to 100. RecordedHistory replaces it.
	RecordedFrames int
	// RecordedHistory, when set, makes the database a continuous recording that grows
	// with the clock: a frame every RecordedInterval from RecordedStart (which then
	// defaults to now − RecordedHistory, whole seconds) up to now, so any time in the
	// last RecordedHistory can be played and playback that reaches now finds new frames
	// a moment later.
	RecordedHistory time.Duration
	// RecordedGaps are spans with nothing recorded: goto into one answers the frame
	// before it, whose Next is the first frame after it.
	RecordedGaps []Gap
	// StampTime burns each recorded frame's time into its picture (decoded and
	// re-encoded once per frame and size, cached). Every recorded frame carries its time
	// in a JPEG comment either way.
	StampTime bool
	// TLS serves the Image Server (and RecorderCommandService) over TLS with a
	// self-signed certificate, as a recorder whose WebServerUri is https.
	TLS bool
	// IgnoreSize makes the recorder ignore transcode width/height (an [S] fact) and send
	// the frames as they are.
	IgnoreSize bool
	// Unsupported lists RecorderCommandService operations the recorder answers with
	// fault 40000 "Method '…' not supported", as a recorder lacking them would.
	Unsupported []string
	// RefuseReason, when set, refuses every connect with this error reason (sent as XML
	// text, escaped): a recorder writing hostile text.
	RefuseReason string
}

// RecorderFault makes the recorder misbehave on live streams started after it is set.
type RecorderFault int

// Faults a Recorder can show.
const (
	RecorderFaultNone RecorderFault = iota
	// RecorderStallMidFrame sends a header and half a payload, then nothing.
	RecorderStallMidFrame
	// RecorderGarbage sends a block that is neither XML nor ImageResponse.
	RecorderGarbage
	// RecorderHugeBlock sends an ImageResponse claiming a 2 TiB payload.
	RecorderHugeBlock
	// RecorderRejectTokens refuses every connect and connectupdate.
	RecorderRejectTokens
	// RecorderCloseMidFrame sends a header and half a payload, then closes the socket.
	RecorderCloseMidFrame
)

// Recorder is an in-process Image Server on 127.0.0.1 (milestone.md §2): connect with a
// token, live (JPEG frames with the headers a real recorder sends), transcode to the
// requested size, goto for recorded frames, connectupdate, stop.
type Recorder struct {
	opts     RecorderOptions
	ln       net.Listener
	interval time.Duration

	fault atomic.Int32

	connections, frames, connectUpdates, gotos, nexts, snapshots, sequenceCalls atomic.Int64

	rec     *recording
	httpLn  *chanListener
	httpSrv *http.Server

	conns tcpserve.Conns

	mu      sync.Mutex
	cache   map[scaledKey][]byte
	stamped map[scaledKey][]byte
	cert    *tls.Certificate
	wg      sync.WaitGroup

	ptz ptzState
}

type scaledKey struct {
	cam         string
	frame, w, h int
}

// NewRecorder starts a Recorder on 127.0.0.1 with a port picked by the system.
func NewRecorder(opts RecorderOptions) *Recorder {
	opts.FPS = capture.OrDefault(opts.FPS, 10)
	if opts.RecordedStart.IsZero() {
		opts.RecordedStart = time.Date(2024, 1, 15, 12, 0, 0, 0, time.UTC)
		if opts.RecordedHistory > 0 {
			opts.RecordedStart = time.Now().Add(-opts.RecordedHistory).Truncate(time.Second)
		}
	}
	opts.RecordedInterval = capture.OrDefault(opts.RecordedInterval, time.Duration(float64(time.Second)/opts.FPS))
	opts.RecordedFrames = capture.OrDefault(opts.RecordedFrames, 100)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("milestonetest: listening on loopback: %v", err))
	}
	r := &Recorder{
		opts: opts, ln: ln, interval: time.Duration(float64(time.Second) / opts.FPS),
		cache: map[scaledKey][]byte{}, stamped: map[scaledKey][]byte{},
		rec: &recording{start: opts.RecordedStart, interval: opts.RecordedInterval, frames: opts.RecordedFrames,
			growing: opts.RecordedHistory > 0, gaps: opts.RecordedGaps, now: time.Now},
	}
	if opts.TLS {
		r.RotateCertificate()
	}
	r.httpLn = newChanListener(ln.Addr())
	r.httpSrv = &http.Server{Handler: http.HandlerFunc(r.serveHTTP), ReadHeaderTimeout: 10 * time.Second}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		_ = r.httpSrv.Serve(r.httpLn)
	}()
	r.conns.Start(ln, r.serveConn)
	return r
}

// Addr is the recorder's host:port.
func (r *Recorder) Addr() string { return r.ln.Addr().String() }

// WebServerURI is the recorder as GetConfiguration would list it: https:// when it
// serves TLS.
func (r *Recorder) WebServerURI() string {
	if r.opts.TLS {
		return "https://" + r.Addr() + "/"
	}
	return "http://" + r.Addr() + "/"
}

// SetFault switches a misbehaviour on (RecorderFaultNone: off).
func (r *Recorder) SetFault(f RecorderFault) { r.fault.Store(int32(f)) }

// Connections counts accepted sockets.
func (r *Recorder) Connections() int64 { return r.connections.Load() }

// Frames counts image blocks sent (live and playback).
func (r *Recorder) Frames() int64 { return r.frames.Load() }

// ConnectUpdates counts accepted connectupdate requests.
func (r *Recorder) ConnectUpdates() int64 { return r.connectUpdates.Load() }

// Gotos counts goto requests.
func (r *Recorder) Gotos() int64 { return r.gotos.Load() }

// Nexts counts next requests.
func (r *Recorder) Nexts() int64 { return r.nexts.Load() }

// SequenceCalls counts SequencesGetTypes and SequencesGet calls that passed the token
// and camera checks.
func (r *Recorder) SequenceCalls() int64 { return r.sequenceCalls.Load() }

// Snapshots counts JPEGGetLive and JPEGGetAt calls answered with a picture.
func (r *Recorder) Snapshots() int64 { return r.snapshots.Load() }

// RecordedTime is the time of recorded frame i.
func (r *Recorder) RecordedTime(i int) time.Time {
	return r.opts.RecordedStart.Add(time.Duration(i) * r.opts.RecordedInterval)
}

// DropConnections closes every open socket (a recorder restart as clients see it).
func (r *Recorder) DropConnections() {
	r.conns.Drop()
}

// Close stops listening, closes every socket and waits for all goroutines.
func (r *Recorder) Close() {
	r.conns.Stop()
	r.httpSrv.Close()
	r.wg.Wait()
}

// serveConn does TLS when configured, then tells the two protocols sharing the port
// apart by the first bytes, as a real recorder serves both on 7563 (milestone.md §1.8):
// an HTTP request goes to RecorderCommandService, anything else is the Image Server.
// handedOff reports that the HTTP server now owns c.
func (r *Recorder) serveConn(c net.Conn) (handedOff bool) {
	conn := c
	if r.opts.TLS {
		tc := tls.Server(c, &tls.Config{GetCertificate: r.certificate, MinVersion: tls.VersionTLS12})
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		if err := tc.Handshake(); err != nil {
			return false
		}
		_ = c.SetDeadline(time.Time{})
		conn = tc
	}
	br := bufio.NewReader(conn)
	head, err := br.Peek(5)
	if err != nil {
		return false
	}
	if string(head) == "POST " || string(head[:4]) == "GET " {
		return r.httpLn.hand(&peekedConn{Conn: conn, br: br})
	}
	r.connections.Add(1)
	r.serve(conn, br)
	return false
}

// methodcall is a request as the simulator reads it.
type methodcall struct {
	RequestID     int    `xml:"requestid"`
	MethodName    string `xml:"methodname"`
	CameraID      string `xml:"cameraid"`
	AlwaysStdJPEG string `xml:"alwaysstdjpeg"`
	Transcode     struct {
		AllFrames string `xml:"allframes"`
		Width     int    `xml:"width"`
		Height    int    `xml:"height"`
	} `xml:"transcode"`
	ConnectParam string `xml:"connectparam"`
	Time         int64  `xml:"time"`
}

// cursor is the recorded frame a playback session last received, for next.
type cursor struct {
	i  int
	ok bool
}

// session is one socket's state.
type session struct {
	r       *Recorder
	c       net.Conn
	wmu     sync.Mutex
	cam     string
	native  bool
	w, h    int
	mu      sync.Mutex
	token   string
	liveEnd chan struct{} // closed to stop the live pusher
	liveWG  sync.WaitGroup
	at      cursor
}

func (s *session) write(b ...[]byte) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	_ = s.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	bufs := net.Buffers(b)
	_, err := bufs.WriteTo(s.c)
	return err
}

func (s *session) reply(id int, method string, ok bool, reason string) error {
	yes := "no"
	if ok {
		yes = "yes"
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><methodresponse><requestid>%d</requestid><methodname>%s</methodname><connected>%s</connected>`, id, method, yes)
	if reason != "" {
		b.WriteString("<errorreason>")
		_ = xml.EscapeText(&b, []byte(reason))
		b.WriteString("</errorreason>")
	}
	b.WriteString("<servercapabilities><connectupdate>yes</connectupdate></servercapabilities></methodresponse>\r\n\r\n")
	return s.write(b.Bytes())
}

func (r *Recorder) serve(c net.Conn, br *bufio.Reader) {
	s := &session{r: r, c: c}
	defer s.stopLive()
	for {
		req, err := readRequest(br)
		if err != nil {
			return
		}
		switch strings.ToLower(req.MethodName) {
		case "connect":
			if !s.connect(req) {
				return
			}
		case "connectupdate":
			tok := tokenOf(req.ConnectParam)
			if !r.tokenOK(tok) {
				_ = s.reply(req.RequestID, "connectupdate", false, "Invalid token")
				continue
			}
			s.mu.Lock()
			s.token = tok
			s.mu.Unlock()
			r.connectUpdates.Add(1)
			_ = s.reply(req.RequestID, "connectupdate", true, "")
		case "live":
			if s.cam == "" {
				return
			}
			s.startLive(req.RequestID)
		case "stop":
			s.stopLive()
		case "goto", "next":
			if s.cam == "" {
				return
			}
			count, step := &r.gotos, s.gotoFrame
			if req.MethodName == "next" {
				count, step = &r.nexts, s.nextFrame
			}
			count.Add(1)
			if err := step(req); err != nil {
				return
			}
		default:
			_ = s.reply(req.RequestID, req.MethodName, false, "Unknown method")
		}
	}
}

// readRequest reads one request: XML up to CR LF CR LF, at most 64 KiB.
func readRequest(br *bufio.Reader) (*methodcall, error) {
	var block []byte
	for {
		line, err := br.ReadSlice('\n')
		block = append(block, line...)
		if len(block) > 64<<10 {
			return nil, fmt.Errorf("request over 64 KiB")
		}
		if err != nil && err != bufio.ErrBufferFull {
			return nil, err
		}
		if bytes.HasSuffix(block, []byte("\r\n\r\n")) {
			break
		}
	}
	var m methodcall
	if err := xml.Unmarshal(bytes.TrimSpace(block), &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// tokenOf extracts connectiontoken from connectparam ("id=…&connectiontoken=…").
func tokenOf(param string) string { return paramOf(param, "connectiontoken") }

// paramOf cuts key's value out of connectparam without unescaping: tokens hold '#', '/'
// and possibly '+', which a query parser would change.
func paramOf(param, key string) string {
	for _, kv := range strings.Split(param, "&") {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return ""
}

func (r *Recorder) tokenOK(tok string) bool {
	if RecorderFault(r.fault.Load()) == RecorderRejectTokens || tok == "" {
		return false
	}
	return r.opts.ValidToken == nil || r.opts.ValidToken(tok)
}

func (s *session) connect(req *methodcall) bool {
	tok := tokenOf(req.ConnectParam)
	if s.r.opts.RefuseReason != "" {
		_ = s.reply(req.RequestID, "connect", false, s.r.opts.RefuseReason)
		return true
	}
	if !s.r.tokenOK(tok) {
		_ = s.reply(req.RequestID, "connect", false, "Invalid token")
		return true
	}
	cam := req.CameraID
	if id := paramOf(req.ConnectParam, "id"); id != "" {
		cam = id
	}
	if _, ok := s.r.opts.Cameras[cam]; !ok {
		_ = s.reply(req.RequestID, "connect", false, "Unknown device")
		return true
	}
	s.mu.Lock()
	s.token = tok
	s.mu.Unlock()
	s.cam, s.native = cam, strings.EqualFold(req.AlwaysStdJPEG, "no")
	if !s.r.opts.IgnoreSize && !s.native {
		s.w, s.h = req.Transcode.Width, req.Transcode.Height
	}
	return s.reply(req.RequestID, "connect", true, "") == nil
}

func (s *session) startLive(id int) {
	s.stopLive()
	end := make(chan struct{})
	s.liveEnd = end
	s.liveWG.Add(1)
	go func() {
		defer s.liveWG.Done()
		s.live(id, end)
	}()
}

func (s *session) stopLive() {
	if s.liveEnd != nil {
		close(s.liveEnd)
		s.liveEnd = nil
	}
	s.liveWG.Wait()
}

// live pushes frames at FPS until end is closed or a write fails, with a livepackage
// status block first as real recorders send.
func (s *session) live(id int, end chan struct{}) {
	r := s.r
	status := fmt.Sprintf(`<?xml version="1.0" encoding="utf-8"?><livepackage><status><statustime>%d</statustime><statusitem id="2" value="0" /><statusitem id="3" value="0" /><statusitem id="5" value="1" /></status></livepackage>`+"\r\n\r\n", time.Now().UnixMilli())
	if s.write([]byte(status)) != nil {
		return
	}
	t := time.NewTicker(r.interval)
	defer t.Stop()
	frames := r.opts.Cameras[s.cam]
	for i := 0; ; i++ {
		s.mu.Lock()
		tok := s.token
		s.mu.Unlock()
		if !r.tokenOK(tok) && RecorderFault(r.fault.Load()) != RecorderRejectTokens {
			s.c.Close() // the token expired without connectupdate: drop the session [I]
			return
		}
		var head []byte
		switch RecorderFault(r.fault.Load()) {
		case RecorderStallMidFrame, RecorderCloseMidFrame:
			p := s.payload(i % len(frames))
			head = imageHeader(id, time.Now(), time.Time{}, time.Time{}, len(p), "image/jpeg")
			_ = s.write(head, p[:len(p)/2])
			if RecorderFault(r.fault.Load()) == RecorderCloseMidFrame {
				s.c.Close()
				return
			}
			<-end
			return
		case RecorderGarbage:
			_ = s.write([]byte("HTTP/1.1 200 OK\r\nServer: not-an-image-server\r\n\r\n"))
			<-end
			return
		case RecorderHugeBlock:
			head = imageHeader(id, time.Now(), time.Time{}, time.Time{}, 2<<40, "image/jpeg")
			_ = s.write(head, bytes.Repeat([]byte{0}, 4096))
			<-end
			return
		}
		p, ct := s.payload(i%len(frames)), "image/jpeg"
		if s.native {
			ct = "application/x-genericbytedata-octet-stream"
		}
		head = imageHeader(id, time.Now(), time.Time{}, time.Time{}, len(p), ct)
		r.frames.Add(1) // before the write: a client may count frames as soon as it reads one
		if s.write(head, p, []byte("\r\n\r\n")) != nil {
			return
		}
		select {
		case <-end:
			return
		case <-t.C:
		}
	}
}

// payload is frame i as this session asked for it: scaled, or wrapped in
// GenericByteData (codec JPEG) for a native session.
func (s *session) payload(i int) []byte {
	p := s.r.scaled(s.cam, i, s.w, s.h)
	if s.native {
		return appendGBD(p, time.Now())
	}
	return p
}

// appendGBD wraps a JPEG in a 32-byte GenericByteData video packet (codec 0x0001,
// SYNC flag), the form "XPCO 3.0a" sends [C, MS-TVV comment].
func appendGBD(jpegData []byte, t time.Time) []byte {
	out := make([]byte, 32, 32+len(jpegData))
	put16 := func(o int, v uint16) { out[o], out[o+1] = byte(v>>8), byte(v) }
	put16(0, 0x0010)
	n := uint32(32 + len(jpegData))
	out[2], out[3], out[4], out[5] = byte(n>>24), byte(n>>16), byte(n>>8), byte(n)
	put16(6, 0x0001)
	put16(10, 1)
	ms := uint64(t.UnixMilli())
	for k := 0; k < 8; k++ {
		out[12+k] = byte(ms >> (56 - 8*k))
		out[20+k] = byte(ms >> (56 - 8*k))
	}
	return append(out, jpegData...)
}

func imageHeader(id int, cur, prev, next time.Time, n int, ct string) []byte {
	var b bytes.Buffer
	b.WriteString("ImageResponse\r\n")
	fmt.Fprintf(&b, "RequestId: %d\r\n", id)
	if !prev.IsZero() {
		fmt.Fprintf(&b, "Prev: %d\r\n", prev.UnixMilli())
	}
	if cur.IsZero() {
		b.WriteString("Current: 0\r\n")
	} else {
		fmt.Fprintf(&b, "Current: %d\r\n", cur.UnixMilli())
	}
	if !next.IsZero() {
		fmt.Fprintf(&b, "Next: %d\r\n", next.UnixMilli())
	}
	fmt.Fprintf(&b, "Content-length: %d\r\nContent-type: %s\r\nPrivacyMask: none\r\n\r\n", n, ct)
	return b.Bytes()
}

// gotoFrame answers goto with the recorded frame at or before the time asked: Prev and
// Next are its neighbours' times (Next equals Current at the end of the database, as
// MS-TVV expects); before the database starts (or inside a leading gap), an empty image
// with Current 0 and Next the first frame after the time asked [S].
func (s *session) gotoFrame(req *methodcall) error {
	d := s.r.rec
	t := time.UnixMilli(req.Time)
	i, ok := d.atOrBefore(t)
	if !ok {
		var next time.Time
		if j, ok := d.firstAtOrAfter(t); ok {
			next = d.time(j)
		}
		return s.write(imageHeader(req.RequestID, time.Time{}, time.Time{}, next, 0, "image/jpeg"), []byte("\r\n\r\n"))
	}
	return s.sendRecorded(req.RequestID, i)
}

// nextFrame answers next [S, GO-UNID] with the frame after the one last sent; at the end
// of the database the last frame again (Next equals Current); with no frame sent yet on
// this socket, an empty image.
func (s *session) nextFrame(req *methodcall) error {
	if !s.at.ok {
		return s.write(imageHeader(req.RequestID, time.Time{}, time.Time{}, time.Time{}, 0, "image/jpeg"), []byte("\r\n\r\n"))
	}
	i := s.at.i
	if j, ok := s.r.rec.after(i); ok {
		i = j
	}
	return s.sendRecorded(req.RequestID, i)
}

// sendRecorded sends recorded frame i with its Prev, Current and Next.
func (s *session) sendRecorded(id, i int) error {
	r, d := s.r, s.r.rec
	cur := d.time(i)
	prev, next := cur, cur
	if j, ok := d.before(i); ok {
		prev = d.time(j)
	}
	if j, ok := d.after(i); ok {
		next = d.time(j)
	}
	s.at = cursor{i: i, ok: true}
	p, ct := r.recordedPicture(s.cam, i, s.w, s.h), "image/jpeg"
	if s.native {
		p, ct = appendGBD(p, cur), "application/x-genericbytedata-octet-stream"
	}
	r.frames.Add(1)
	return s.write(imageHeader(id, cur, prev, next, len(p), ct), p, []byte("\r\n\r\n"))
}

// recordedPicture is recorded frame i of cam at w×h: the camera's picture, its time in
// a JPEG comment, and burnt in with StampTime.
func (r *Recorder) recordedPicture(cam string, i, w, h int) []byte {
	frames := r.opts.Cameras[cam]
	t := r.rec.time(i).UTC()
	base := r.scaled(cam, i%len(frames), w, h)
	if !r.opts.StampTime {
		return withComment(base, "vigil recorded "+t.Format(time.RFC3339Nano))
	}
	return r.memo(r.stamped, scaledKey{cam, i, w, h}, 256, func() ([]byte, bool) { // bounded: playback moves on
		return withComment(stamp(base, t.Format("2006-01-02 15:04:05.0")), "vigil recorded "+t.Format(time.RFC3339Nano)), true
	})
}

// memo returns m[k], building and keeping it when absent (build's false: give it, keep
// nothing); limit > 0 empties a full m first. m is one of r's caches, guarded by r.mu;
// build runs unlocked.
func (r *Recorder) memo(m map[scaledKey][]byte, k scaledKey, limit int, build func() ([]byte, bool)) []byte {
	r.mu.Lock()
	b, ok := m[k]
	r.mu.Unlock()
	if ok {
		return b
	}
	if b, ok = build(); !ok {
		return b
	}
	r.mu.Lock()
	if limit > 0 && len(m) >= limit {
		clear(m)
	}
	m[k] = b
	r.mu.Unlock()
	return b
}

// scaled returns frame i of cam fitted into w×h keeping its aspect ratio and never
// enlarged — what the client asks for with keepaspectratio=yes, allowupsizing=no —
// re-encoded with image/jpeg and cached per size; the frame as it is when no size was asked.
func (r *Recorder) scaled(cam string, i, w, h int) []byte {
	src := r.opts.Cameras[cam][i]
	if w <= 0 || h <= 0 || w > 8192 || h > 8192 {
		return src
	}
	return r.memo(r.cache, scaledKey{cam, i, w, h}, 0, func() ([]byte, bool) {
		img, err := jpeg.Decode(bytes.NewReader(src))
		if err != nil {
			return src, false
		}
		sb := img.Bounds()
		w, h = capture.FitSize(sb.Dx(), sb.Dy(), w, h)
		dst := image.NewRGBA(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ { // nearest neighbour: cheap, and cached
			sy := sb.Min.Y + y*sb.Dy()/h
			for x := 0; x < w; x++ {
				dst.Set(x, y, img.At(sb.Min.X+x*sb.Dx()/w, sy))
			}
		}
		var out bytes.Buffer
		if err := jpeg.Encode(&out, dst, &jpeg.Options{Quality: 75}); err != nil {
			return src, false
		}
		return out.Bytes(), true
	})
}
