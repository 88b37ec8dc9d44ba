package push

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/protocols/mjpeg"
)

// Defaults of Options.
const (
	DefaultMaxConns         = 64
	DefaultMaxNames         = 1024
	DefaultHandshakeTimeout = 5 * time.Second
	DefaultIdleTimeout      = 10 * time.Second
	DefaultLinger           = 20 * time.Second
	readBuffer              = 64 << 10
)

// Options of a listener. Zero values take the defaults.
type Options struct {
	// Token, when set, is required in every handshake; a connection without the
	// handshake (plain multipart or JPEG) is then refused. It is never logged.
	Token string
	// Announce is called with push://HOST:PORT/NAME for every pusher that connects.
	Announce func(rawURL string)
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// MaxFrame is the largest JPEG accepted (default DefaultMaxFrame, 8 MiB).
	MaxFrame int
	// MaxConns caps concurrent connections; more are closed at once (default 64).
	MaxConns int
	// MaxNames caps the names the listener keeps track of (default 1024).
	MaxNames int
	// HandshakeTimeout bounds the time to the end of the first line, or to the first bytes
	// of a connection without handshake (default 5 s).
	HandshakeTimeout time.Duration
	// IdleTimeout closes a connection silent for that long (default 10 s).
	IdleTimeout time.Duration
	// Linger is how long a listener that only Sources hold stays open after the last Run
	// returns, so a pusher can reconnect while its camera waits out a backoff (default
	// 20 s, more than the longest backoff step).
	Linger time.Duration
}

func (o *Options) defaults() {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	o.MaxFrame = capture.OrDefault(o.MaxFrame, DefaultMaxFrame)
	o.MaxConns = capture.OrDefault(o.MaxConns, DefaultMaxConns)
	o.MaxNames = capture.OrDefault(o.MaxNames, DefaultMaxNames)
	o.HandshakeTimeout = capture.OrDefault(o.HandshakeTimeout, DefaultHandshakeTimeout)
	o.IdleTimeout = capture.OrDefault(o.IdleTimeout, DefaultIdleTimeout)
	o.Linger = capture.OrDefault(o.Linger, DefaultLinger)
}

// listeners are the process's listeners by address (as given and as bound): one per
// address, shared by every Source and Handle naming it.
var listeners = struct {
	mu sync.Mutex
	m  map[string]*listener
}{m: map[string]*listener{}}

// listener is one TCP listener and the pushers connected to it.
type listener struct {
	keys  []string // its keys in listeners.m
	host  string   // HOST:PORT in the URLs it announces
	ln    net.Listener
	token string
	o     Options
	log   *slog.Logger

	// guarded by listeners.mu
	refs   int
	linger *time.Timer

	mu       sync.Mutex
	announce map[*Handle]func(string)
	slots    map[string]*slot
	conns    map[*pconn]struct{}
	closed   bool
	refused  int // connections over MaxConns since the last log line
	refusedT time.Time
	wg       sync.WaitGroup
	skipped  atomic.Int64 // frames replaced before a Run took their pusher
}

// slot is one pusher name.
type slot struct {
	conn   *pconn         // the newest connection under the name, nil when none
	sink   capture.Sink   // the Run attached to conn, nil when none
	last   capture.Packet // the newest frame no Run took yet
	ready  chan struct{}
	wanted bool // a Source asked for it: kept when its connection ends
}

// pconn is one pusher's connection.
type pconn struct {
	c      net.Conn
	name   string
	remote string
	kind   Kind
	done   chan struct{}
	err    error // why it ended, set before done closes
}

// Handle keeps a listener open; Close lets go of it.
type Handle struct {
	l    *listener
	once sync.Once
}

// Listen opens (or shares) the listener at addr (HOST:PORT; bind to loopback unless the
// operator chose otherwise) and keeps it open until the Handle is closed. A second Listen
// of an open address shares it and adds its Announce; it must ask for the same token.
func Listen(addr string, o Options) (*Handle, error) {
	listeners.mu.Lock()
	defer listeners.mu.Unlock()
	if l, ok := listeners.m[addr]; ok && !CheckToken(l.token, o.Token) || ok && o.Token != "" && l.token == "" {
		return nil, fmt.Errorf("push listener %s is already open with another token", addr)
	}
	l, err := acquireLocked(addr, o)
	if err != nil {
		return nil, err
	}
	h := &Handle{l: l}
	if o.Announce != nil {
		l.mu.Lock()
		l.announce[h] = o.Announce
		l.mu.Unlock()
	}
	return h, nil
}

// Addr is the address the listener is bound to (its port when asked for port 0).
func (h *Handle) Addr() string { return h.l.ln.Addr().String() }

// URL is push://HOST:PORT of the listener, the prefix of its cameras' URLs.
func (h *Handle) URL() string { return "push://" + h.l.host }

// Connected is how many pushers are connected to the listener now (capture.Counter).
func (h *Handle) Connected() int {
	h.l.mu.Lock()
	defer h.l.mu.Unlock()
	n := 0
	for _, sl := range h.l.slots {
		if sl.conn != nil {
			n++
		}
	}
	return n
}

// Close lets go of the listener: it closes (dropping its pushers) when nobody else holds it.
func (h *Handle) Close() error {
	h.once.Do(func() {
		h.l.mu.Lock()
		delete(h.l.announce, h)
		h.l.mu.Unlock()
		release(h.l, 0)
	})
	return nil
}

// acquireLocked returns the listener of addr with one more reference, opening it with o
// when needed (a Source shares an open listener whatever its token). listeners.mu is held.
func acquireLocked(addr string, o Options) (*listener, error) {
	if l, ok := listeners.m[addr]; ok {
		l.refs++
		if l.linger != nil {
			l.linger.Stop()
			l.linger = nil
		}
		return l, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen for pushers on %s: %w (is another program or Vigil using the port? choose another port in push: listen)", addr, err)
	}
	o.defaults()
	l := &listener{
		host: addr, ln: ln, token: o.Token, o: o, refs: 1,
		log:      o.Logger.With("component", "push", "listen", ln.Addr().String()),
		announce: map[*Handle]func(string){},
		slots:    map[string]*slot{},
		conns:    map[*pconn]struct{}{},
	}
	if strings.HasSuffix(addr, ":0") {
		l.host = ln.Addr().String()
	}
	for _, k := range []string{addr, ln.Addr().String()} {
		if _, taken := listeners.m[k]; !taken {
			listeners.m[k] = l
			l.keys = append(l.keys, k)
		}
	}
	l.log.Info("listening for pushers", "token_required", o.Token != "")
	l.wg.Add(1)
	go l.accept()
	return l, nil
}

// acquire is acquireLocked for a Source.
func acquire(addr string, o Options) (*listener, error) {
	listeners.mu.Lock()
	defer listeners.mu.Unlock()
	return acquireLocked(addr, o)
}

// lookup returns the open listener of addr, or nil.
func lookup(addr string) *listener {
	listeners.mu.Lock()
	defer listeners.mu.Unlock()
	return listeners.m[addr]
}

// release drops one reference; the last one closes the listener after linger.
func release(l *listener, linger time.Duration) {
	listeners.mu.Lock()
	l.refs--
	if l.refs > 0 {
		listeners.mu.Unlock()
		return
	}
	if linger > 0 {
		l.linger = time.AfterFunc(linger, func() {
			listeners.mu.Lock()
			if l.refs > 0 || l.linger == nil {
				listeners.mu.Unlock()
				return
			}
			l.linger = nil
			l.unregisterLocked()
			listeners.mu.Unlock()
			l.close()
		})
		listeners.mu.Unlock()
		return
	}
	l.unregisterLocked()
	listeners.mu.Unlock()
	l.close()
}

func (l *listener) unregisterLocked() {
	for _, k := range l.keys {
		if listeners.m[k] == l {
			delete(listeners.m, k)
		}
	}
}

// close stops accepting, closes every connection and waits for their goroutines.
func (l *listener) close() {
	l.ln.Close()
	l.mu.Lock()
	l.closed = true
	for pc := range l.conns {
		pc.c.Close()
	}
	l.mu.Unlock()
	l.wg.Wait()
	l.log.Info("stopped listening for pushers")
}

func (l *listener) accept() {
	defer l.wg.Done()
	for {
		c, err := l.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			l.log.Warn("accept failed", "err", err)
			time.Sleep(50 * time.Millisecond) // out of file descriptors: do not spin
			continue
		}
		pc := &pconn{c: c, remote: c.RemoteAddr().String(), done: make(chan struct{})}
		l.mu.Lock()
		if l.closed || len(l.conns) >= l.o.MaxConns {
			l.refuseLocked(pc)
			l.mu.Unlock()
			c.Close()
			continue
		}
		l.conns[pc] = struct{}{}
		l.wg.Add(1)
		l.mu.Unlock()
		go l.serve(pc)
	}
}

// refuseLocked logs a connection over MaxConns, at most once a second.
func (l *listener) refuseLocked(pc *pconn) {
	l.refused++
	if now := time.Now(); now.Sub(l.refusedT) >= time.Second {
		l.log.Warn("pusher refused: too many connections", "remote", pc.remote, "max_conns", l.o.MaxConns, "refused", l.refused)
		l.refused, l.refusedT = 0, now
	}
}

// serve reads one connection until it ends, delivering its frames to the Run attached
// to its name.
func (l *listener) serve(pc *pconn) {
	defer l.wg.Done()
	err := l.read(pc)
	pc.c.Close()
	l.mu.Lock()
	delete(l.conns, pc)
	if sl := l.slots[pc.name]; sl != nil && sl.conn == pc {
		sl.conn, sl.sink, sl.last = nil, nil, capture.Packet{}
		sl.ready = make(chan struct{})
		if !sl.wanted {
			delete(l.slots, pc.name)
		}
	}
	pc.err = err
	l.mu.Unlock()
	close(pc.done)
	name := pc.name
	if name == "" {
		name = "(before the handshake)"
	}
	l.log.Info("pusher disconnected", "name", name, "remote", pc.remote, "kind", pc.kind.String(),
		"reason", capture.CleanText(err.Error(), 300))
}

// read sniffs the connection, admits it under its name and reads its frames.
func (l *listener) read(pc *pconn) error {
	br := bufio.NewReaderSize(pc.c, readBuffer)
	pc.c.SetReadDeadline(time.Now().Add(l.o.HandshakeTimeout))
	kind, boundary, err := Sniff(br)
	if err != nil {
		return timeoutReason(err, "within the handshake", l.o.HandshakeTimeout)
	}
	pc.kind = kind
	var next func() (Frame, error)
	if kind == KindHandshake {
		line, err := readLine(br)
		if err != nil {
			return timeoutReason(err, "within the handshake", l.o.HandshakeTimeout)
		}
		h, err := ParseHandshake(line)
		if err != nil {
			return err
		}
		if !CheckToken(l.token, h.Token) {
			return fmt.Errorf("pusher %q: %w", h.Name, ErrToken)
		}
		pc.name = h.Name
		fr := NewFrameReader(br, l.o.MaxFrame)
		next = fr.Next
	} else {
		if l.token != "" {
			return fmt.Errorf("a %s stream without the %s handshake, and this listener requires a token: %w", kind, Magic, ErrToken)
		}
		pc.name = addrName(pc.c.RemoteAddr())
		pr := mjpeg.NewPartReader(br, boundary, mjpeg.Limits{MaxPartSize: l.o.MaxFrame})
		next = func() (Frame, error) {
			p, err := pr.Next()
			return Frame{JPEG: p.JPEG, At: p.Timestamp}, err
		}
	}
	if err := l.admit(pc); err != nil {
		return err
	}
	url := "push://" + l.host + "/" + pc.name
	l.log.Info("pusher connected", "name", pc.name, "remote", pc.remote, "kind", kind.String())
	l.mu.Lock()
	var ann []func(string)
	for _, a := range l.announce {
		ann = append(ann, a)
	}
	l.mu.Unlock()
	for _, a := range ann {
		a(url)
	}
	for n := 0; ; n++ {
		pc.c.SetReadDeadline(time.Now().Add(l.o.IdleTimeout))
		f, err := next()
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return err
			}
			return timeoutReason(err, fmt.Sprintf("after %d frames", n), l.o.IdleTimeout)
		}
		l.deliver(pc, f)
	}
}

// admit makes pc the connection of its name, closing an older one.
func (l *listener) admit(pc *pconn) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return errors.New("the listener is closing")
	}
	sl := l.slots[pc.name]
	if sl == nil {
		if len(l.slots) >= l.o.MaxNames {
			return fmt.Errorf("pusher %q refused: the listener already tracks %d names", pc.name, l.o.MaxNames)
		}
		sl = &slot{ready: make(chan struct{})}
		l.slots[pc.name] = sl
	}
	if old := sl.conn; old != nil {
		l.log.Info("pusher reconnected: closing its older connection", "name", pc.name, "old_remote", old.remote)
		old.c.Close()
	} else {
		close(sl.ready)
	}
	sl.conn, sl.sink, sl.last = pc, nil, capture.Packet{}
	return nil
}

// deliver hands one frame to the Run attached to pc's name, if any.
func (l *listener) deliver(pc *pconn, f Frame) {
	p := capture.Packet{Codec: capture.CodecJPEG, Data: f.JPEG, Key: true, SourceTime: f.At, ReceiveTime: time.Now()}
	p.Width, p.Height, _ = mjpeg.JPEGSize(f.JPEG)
	l.mu.Lock()
	defer l.mu.Unlock()
	if sl := l.slots[pc.name]; sl != nil && sl.conn == pc {
		if sl.sink != nil {
			sl.sink.Packet(p)
		} else {
			if sl.last.Data != nil {
				l.skipped.Add(1)
			}
			sl.last = p // latest wins: the Run that takes the pusher starts with it
		}
	}
}

// slotLocked returns the slot of name, made when needed and wanted by a Source; nil when
// the listener tracks too many names.
func (l *listener) slotLocked(name string) *slot {
	sl := l.slots[name]
	if sl == nil {
		if len(l.slots) >= l.o.MaxNames {
			return nil
		}
		sl = &slot{ready: make(chan struct{})}
		l.slots[name] = sl
	}
	sl.wanted = true
	return sl
}

// timeoutReason says which limit a deadline error was.
func timeoutReason(err error, where string, limit time.Duration) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("silent for %s %s: %w", limit, where, capture.ErrStalled)
	}
	if errors.Is(err, net.ErrClosed) {
		return errors.New("closed by the panel (a newer connection under the same name, or the listener closing)")
	}
	if errors.Is(err, io.EOF) {
		return errors.New("the pusher closed the connection")
	}
	return err
}

// addrName names a pusher without handshake by its remote address: 10.0.0.5-51234.
func addrName(a net.Addr) string {
	s := a.String()
	if ta, ok := a.(*net.TCPAddr); ok {
		s = fmt.Sprintf("%s-%d", ta.IP, ta.Port)
	}
	s = strings.Map(func(r rune) rune {
		if r < 0x80 && nameByte(byte(r)) {
			return r
		}
		return '_'
	}, s)
	if len(s) > MaxName {
		s = s[len(s)-MaxName:]
	}
	return s
}
