package tcpserve

import (
	"bufio"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func listen(t *testing.T, addr string) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	return c
}

// echo answers each line with the same line until the peer or the server closes c.
func echo(c net.Conn) bool {
	br := bufio.NewReader(c)
	for {
		l, err := br.ReadString('\n')
		if err != nil {
			return false
		}
		if _, err := io.WriteString(c, l); err != nil {
			return false
		}
	}
}

// roundTrip sends a line on c and reads it echoed.
func roundTrip(t *testing.T, c net.Conn) {
	t.Helper()
	if _, err := io.WriteString(c, "ping\n"); err != nil {
		t.Fatal(err)
	}
	expectLine(t, c, "ping\n")
}

// expectLine reads a line from c and checks it is want.
func expectLine(t *testing.T, c net.Conn, want string) {
	t.Helper()
	l, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || l != want {
		t.Fatalf("read %q, %v; want %q", l, err, want)
	}
}

// closed waits for the server to close c: a read ends in EOF (or a reset), not a timeout.
func closed(t *testing.T, c net.Conn) {
	t.Helper()
	var b [16]byte
	_, err := c.Read(b[:])
	var ne net.Error
	if err == nil || errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("connection still open: read gave %v", err)
	}
}

func TestDropStopAndStartAgain(t *testing.T) {
	defer goleak.VerifyNone(t)
	var cs Conns
	ln := listen(t, "127.0.0.1:0")
	addr := ln.Addr().String()
	cs.Start(ln, echo)
	if !cs.Serving() {
		t.Fatal("not serving after Start")
	}
	a, b := dial(t, addr), dial(t, addr)
	roundTrip(t, a)
	roundTrip(t, b)

	cs.Drop() // both are closed, new ones are still served
	closed(t, a)
	closed(t, b)
	c := dial(t, addr)
	roundTrip(t, c)

	cs.Stop() // the open one is closed and the port refuses
	closed(t, c)
	if cs.Serving() {
		t.Fatal("serving after Stop")
	}
	if d, err := net.DialTimeout("tcp", addr, 2*time.Second); err == nil {
		d.Close()
		t.Fatal("dial after Stop was accepted")
	}
	cs.Stop() // twice is fine

	cs.Start(listen(t, addr), echo) // the camera comes back on the same port
	roundTrip(t, dial(t, addr))
	cs.Stop()
}

// A connection handed off is left open for its new owner, and Stop does not wait for it.
func TestHandedOffStaysOpen(t *testing.T) {
	defer goleak.VerifyNone(t)
	var cs Conns
	ln := listen(t, "127.0.0.1:0")
	handed := make(chan net.Conn, 1)
	cs.Start(ln, func(c net.Conn) bool { handed <- c; return true })
	c := dial(t, ln.Addr().String())
	owned := <-handed
	cs.Stop()
	if _, err := io.WriteString(owned, "still mine\n"); err != nil {
		t.Fatal(err)
	}
	expectLine(t, c, "still mine\n")
	owned.Close()
}
