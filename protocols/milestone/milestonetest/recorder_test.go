package milestonetest

// The package's TestMain (goleak) lives in mgmt_test.go.

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"fmt"
	"image"
	"image/jpeg"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

func recorderFrames() [][]byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 64, 48)), nil); err != nil {
		panic(err)
	}
	return [][]byte{b.Bytes()}
}

// recorderBlock reads one CR LF CR LF-terminated block (skipping leading blank lines)
// and, for an ImageResponse, its payload.
func recorderBlock(t *testing.T, br *bufio.Reader) (head string, payload []byte) {
	t.Helper()
	var b []byte
	for !bytes.HasSuffix(b, []byte("\r\n\r\n")) || len(bytes.TrimLeft(b, "\r\n")) == 0 {
		line, err := br.ReadBytes('\n')
		if err != nil {
			t.Fatalf("reading a block: %v (so far %q)", err, b)
		}
		b = append(b, line...)
	}
	head = strings.TrimLeft(string(b), "\r\n")
	if !strings.HasPrefix(head, "ImageResponse") {
		return head, nil
	}
	for _, line := range strings.Split(head, "\r\n") {
		if v, ok := strings.CutPrefix(line, "Content-length: "); ok {
			n, _ := strconv.Atoi(v)
			payload = make([]byte, n)
			if _, err := readFull(br, payload); err != nil {
				t.Fatal(err)
			}
		}
	}
	return head, payload
}

func readFull(br *bufio.Reader, p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := br.Read(p[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func TestRecorderWire(t *testing.T) {
	r := NewRecorder(RecorderOptions{
		Cameras:    map[string][][]byte{"CAM": recorderFrames()},
		FPS:        100,
		ValidToken: func(tok string) bool { return tok == "TOKEN#ok#" },
	})
	defer r.Close()
	send, br := dialImageServer(t, r.Addr(), nil)
	send(`<requestid>1</requestid><methodname>connect</methodname><cameraid>CAM</cameraid><connectparam>id=CAM&amp;connectiontoken=TOKEN#bad#</connectparam>`)
	if h, _ := recorderBlock(t, br); !strings.Contains(h, "<connected>no</connected>") || !strings.Contains(h, "<requestid>1</requestid>") {
		t.Fatalf("bad token: %s", h)
	}
	send(`<requestid>2</requestid><methodname>connect</methodname><cameraid>CAM</cameraid><alwaysstdjpeg>yes</alwaysstdjpeg><transcode><allframes>yes</allframes><width>32</width><height>24</height></transcode><connectparam>id=CAM&amp;connectiontoken=TOKEN#ok#</connectparam>`)
	if h, _ := recorderBlock(t, br); !strings.Contains(h, "<connected>yes</connected>") {
		t.Fatalf("connect: %s", h)
	}
	send(`<requestid>3</requestid><methodname>live</methodname><compressionrate>90</compressionrate>`)
	if h, _ := recorderBlock(t, br); !strings.Contains(h, "<livepackage>") {
		t.Fatalf("first live block: %s", h)
	}
	for range 3 {
		h, p := recorderBlock(t, br)
		if !strings.HasPrefix(h, "ImageResponse\r\nRequestId: 3\r\n") || !strings.Contains(h, "Current: ") || !strings.Contains(h, "Content-type: image/jpeg") {
			t.Fatalf("image header: %q", h)
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(p))
		if err != nil || cfg.Width != 32 || cfg.Height != 24 {
			t.Fatalf("payload: %v %+v", err, cfg)
		}
	}
	send(`<requestid>4</requestid><methodname>stop</methodname>`)
	send(`<requestid>5</requestid><methodname>connectupdate</methodname><connectparam>id=CAM&amp;connectiontoken=TOKEN#ok#</connectparam>`)
	for { // frames sent before stop may still be in flight
		h, _ := recorderBlock(t, br)
		if strings.Contains(h, "<methodname>connectupdate</methodname>") {
			if !strings.Contains(h, "<connected>yes</connected>") {
				t.Fatalf("connectupdate: %s", h)
			}
			break
		}
	}
	if r.ConnectUpdates() != 1 || r.Connections() != 1 || r.Frames() < 3 {
		t.Fatalf("counters: %d %d %d", r.ConnectUpdates(), r.Connections(), r.Frames())
	}
	// Transcoded sizes are cached: the same size twice gives the same bytes.
	if a, b := r.scaled("CAM", 0, 32, 24), r.scaled("CAM", 0, 32, 24); &a[0] != &b[0] {
		t.Error("scaled frame not cached")
	}
}

// dialImageServer connects to a recorder's Image Server port (over TLS when conf is set)
// until the test ends, and returns what sends one methodcall and the reader of answers.
func dialImageServer(t *testing.T, addr string, conf *tls.Config) (send func(call string), br *bufio.Reader) {
	t.Helper()
	var c net.Conn
	var err error
	if conf != nil {
		c, err = tls.Dial("tcp", addr, conf)
	} else {
		c, err = net.Dial("tcp", addr)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	return func(call string) {
		if _, err := fmt.Fprintf(c, `<?xml version="1.0" encoding="UTF-8"?><methodcall>%s</methodcall>`+"\r\n\r\n", call); err != nil {
			t.Fatal(err)
		}
	}, bufio.NewReader(c)
}
