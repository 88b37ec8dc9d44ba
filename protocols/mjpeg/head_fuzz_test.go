package mjpeg

import (
	"bufio"
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/vigil-cctv/vigil/capture"
)

// headCases drive TestReadHead and seed FuzzReadHead.
var headCases = []struct {
	name   string
	in     string
	status int    // 0: an error is expected
	ct     string // Content-Type expected on success
}{
	{"ok", "HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary=b\r\n\r\n", 200, "multipart/x-mixed-replace; boundary=b"},
	{"http 1.0 bare LF", "HTTP/1.0 200 OK\nContent-Type: image/jpeg\n\n", 200, "image/jpeg"},
	{"interim then ok", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n\r\n", 200, "image/jpeg"},
	{"folded header", "HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace;\r\n boundary=b\r\n\r\n", 200, "multipart/x-mixed-replace; boundary=b"},
	{"401", "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"cam\", nonce=\"abc\", qop=\"auth\"\r\n\r\n", 401, ""},
	{"not http", "RTSP/1.0 200 OK\r\n\r\n", 0, ""},
	{"garbage", "\xff\xd8\xff\xe0 binary", 0, ""},
	{"truncated", "HTTP/1.1 200 OK\r\nContent-Type: ima", 0, ""},
	{"endless interim", strings.Repeat("HTTP/1.1 100 Continue\r\n\r\n", 20) + "HTTP/1.1 200 OK\r\n\r\n", 0, ""},
	{"over the limit", "HTTP/1.1 200 OK\r\nX-Pad: " + strings.Repeat("a", 2000) + "\r\n\r\n", 0, ""},
}

const fuzzHeadMax = 1024

func TestReadHead(t *testing.T) {
	for _, c := range headCases {
		h, err := readHead(bufio.NewReader(strings.NewReader(c.in)), fuzzHeadMax)
		if c.status == 0 {
			if err == nil {
				t.Errorf("%s: no error, status %d", c.name, h.status)
			}
			continue
		}
		if err != nil || h.status != c.status || h.header.Get("Content-Type") != c.ct {
			t.Errorf("%s: %v %+v", c.name, err, h)
		}
	}
	_, err := readHead(bufio.NewReader(strings.NewReader(headCases[8].in)), fuzzHeadMax)
	if !errors.Is(err, capture.ErrMalformed) {
		t.Errorf("endless interim responses: %v, want ErrMalformed", err)
	}
}

// FuzzReadHead: whatever a server sends, the head reader returns an error or a final
// status, and never keeps more than its limit of header bytes.
func FuzzReadHead(f *testing.F) {
	for _, c := range headCases {
		f.Add([]byte(c.in))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := readHead(bufio.NewReaderSize(bytes.NewReader(data), 4096), fuzzHeadMax)
		if err != nil {
			return
		}
		if h.status < 200 || h.status > 999 {
			t.Fatalf("status %d returned", h.status)
		}
		n := 0
		for k, vs := range h.header {
			for _, v := range vs {
				n += len(k) + len(v)
			}
		}
		if n > fuzzHeadMax {
			t.Fatalf("%d header bytes kept, limit %d", n, fuzzHeadMax)
		}
	})
}
