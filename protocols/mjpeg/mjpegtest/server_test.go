package mjpegtest_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestSnapshotAndCounters(t *testing.T) {
	fr := mjpegtest.MakeFrames(2, 32, 16)
	s := mjpegtest.NewServer(mjpegtest.Options{Frames: fr, Cameras: 2})
	defer s.Close()
	c := &http.Client{}
	defer c.CloseIdleConnections()
	for i := 0; i < 3; i++ {
		resp, err := c.Get(s.CameraURL(2) + "/snap.jpg")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" || !bytes.Equal(b, fr[i%2]) {
			t.Fatalf("snapshot %d: %d %q %d bytes", i, resp.StatusCode, resp.Header.Get("Content-Type"), len(b))
		}
		if ts := resp.Header.Get("X-Timestamp"); !strings.Contains(ts, ".") || len(ts) != len("1700000000.123456") {
			t.Errorf("X-Timestamp %q", ts)
		}
	}
	if s.Connections() != 1 || s.Requests() != 3 || s.Frames() != 3 {
		t.Errorf("connections %d requests %d frames %d", s.Connections(), s.Requests(), s.Frames())
	}
	resp, err := c.Get(s.CameraURL(3))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("camera 3: %d", resp.StatusCode)
	}
}

func TestStreamWire(t *testing.T) {
	s := mjpegtest.NewServer(mjpegtest.Options{FPS: 100, Quirks: mjpegtest.Quirks{HTTP10: true}})
	defer s.Close()
	c, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET /cam/1 HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	head, _ := br.ReadString('\n')
	if head != "HTTP/1.0 200 OK\r\n" {
		t.Fatalf("status line %q", head)
	}
	var hdr strings.Builder
	for {
		l, err := br.ReadString('\n')
		if err != nil || l == "\r\n" {
			break
		}
		hdr.WriteString(l)
	}
	if !strings.Contains(hdr.String(), "Content-Type: multipart/x-mixed-replace;boundary=boundarydonotcross\r\n") {
		t.Errorf("header %q", hdr.String())
	}
	l, _ := br.ReadString('\n')
	if l != "--boundarydonotcross\r\n" {
		t.Errorf("first line %q", l)
	}
}

func TestDownUp(t *testing.T) {
	s := mjpegtest.NewServer(mjpegtest.Options{})
	defer s.Close()
	c, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(c, "GET /cam/1 HTTP/1.1\r\nHost: x\r\n\r\n")
	s.Down()
	_, _ = io.Copy(io.Discard, c) // ends when the server drops it
	c.Close()
	if _, err := net.Dial("tcp", s.Addr()); err == nil {
		t.Fatal("down server accepted")
	}
	if err := s.Up(); err != nil {
		t.Fatal(err)
	}
	c, err = net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}

// BenchmarkServe16Cameras measures the server's cost for 16 cameras of 300 KB frames at
// 15 fps with one reader each: see ns/op per frame sent and the CPU it reports.
func BenchmarkServe16Cameras(b *testing.B) {
	frame := make([]byte, 300<<10)
	copy(frame, mjpegtest.MakeFrames(1, 64, 64)[0])
	s := mjpegtest.NewServer(mjpegtest.Options{Cameras: 16, FPS: 15, Frames: [][]byte{frame}})
	defer s.Close()
	var wg sync.WaitGroup
	var conns []net.Conn
	for n := 1; n <= 16; n++ {
		c, err := net.Dial("tcp", s.Addr())
		if err != nil {
			b.Fatal(err)
		}
		conns = append(conns, c)
		fmt.Fprintf(c, "GET /cam/%d HTTP/1.1\r\nHost: x\r\n\r\n", n)
		wg.Add(1)
		go func() { defer wg.Done(); _, _ = io.Copy(io.Discard, c) }()
	}
	b.ResetTimer()
	start, f0 := time.Now(), s.Frames()
	for s.Frames()-f0 < int64(b.N) {
		time.Sleep(time.Millisecond)
	}
	b.ReportMetric(float64(s.Frames()-f0)/time.Since(start).Seconds(), "frames/s")
	b.StopTimer()
	for _, c := range conns {
		c.Close()
	}
	s.Close()
	wg.Wait()
}
