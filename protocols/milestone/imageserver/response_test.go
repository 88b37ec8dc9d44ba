package imageserver

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/capturetest"
)

var testJPEG = []byte{0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x10, 0x00, 0x20, 0x01, 0x01, 0x11, 0x00, 0xFF, 0xD9}

func imageBlock(headers string, payload []byte) string {
	return "ImageResponse\r\n" + headers + "\r\n" + string(payload) + "\r\n\r\n"
}

func cl(n int) string { return "Content-length: " + itoa(n) + "\r\n" }

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// gbdPayload is an H.264 key frame in GenericByteData form.
var gbdPayload = AppendGenericByteData(nil, GBDPacket{
	DataType: GBDVideo, Codec: 0x000A, Flags: 1,
	PictureTime: time.UnixMilli(1705320000500), Data: []byte{0, 0, 0, 1, 0x65, 0x88},
})

// responseCases drive TestReadResponse and seed FuzzReadResponse.
var responseCases = []struct {
	name string
	in   string
	root string // expected XML root; "" with wantErr nil: an image
	// payload is the expected image payload.
	payload []byte
	current int64
	err     error // kind expected (nil: success)
}{
	{"connect ok", `<?xml version="1.0" encoding="UTF-8"?><methodresponse><requestid>1</requestid><methodname>connect</methodname><connected>yes</connected></methodresponse>` + "\r\n\r\n", "methodresponse", nil, 0, nil},
	{"livepackage", "\r\n\r\n" + `<?xml version="1.0" encoding="utf-8"?><livepackage><status><statustime>1605074397121</statustime><statusitem id="2" value="0" /><statusitem id="5" value="1" /></status></livepackage>` + "\r\n\r\n", "livepackage", nil, 0, nil},
	{"jpeg", imageBlock("RequestId: 2\r\nCurrent: 1705320000500\r\n"+cl(len(testJPEG))+"Content-type: image/jpeg\r\n", testJPEG), "", testJPEG, 1705320000500, nil},
	{"lower-case keys, any order", imageBlock("content-type: image/jpeg\r\nCONTENT-LENGTH: "+itoa(len(testJPEG))+"\r\nnext: 5\r\n", testJPEG), "", testJPEG, 0, nil},
	{"payload holding CRLFCRLF and FFD9", imageBlock(cl(8), []byte("\r\n\r\n\xff\xd9\r\n")), "", []byte("\r\n\r\n\xff\xd9\r\n"), 0, nil},
	{"gbd", imageBlock(cl(len(gbdPayload))+"Content-type: application/x-genericbytedata-octet-stream\r\n", gbdPayload), "", gbdPayload, 0, nil},
	{"empty image", imageBlock("Current: 0\r\nContent-length: 0\r\n", nil), "", []byte{}, 0, nil},
	{"garbage", "HTTP/1.1 200 OK\r\n\r\n", "", nil, 0, capture.ErrMalformed},
	{"I garbage", "Icecast\r\n\r\n", "", nil, 0, capture.ErrMalformed},
	{"no content-length", imageBlock("Content-type: image/jpeg\r\n", nil), "", nil, 0, capture.ErrMalformed},
	{"multipart", imageBlock("Content-type: multipart/related; boundary=b0\r\n", nil), "", nil, 0, capture.ErrMalformed},
	{"negative length", imageBlock("Content-length: -5\r\n", nil), "", nil, 0, capture.ErrMalformed},
	{"huge length", imageBlock("Content-length: 2199023255552\r\n", nil), "", nil, 0, capture.ErrTooLarge},
	{"absurd length", imageBlock("Content-length: 99999999999999999999999999\r\n", nil), "", nil, 0, capture.ErrTooLarge},
	{"header over limit", "ImageResponse\r\nX: " + strings.Repeat("a", 5000) + "\r\n\r\n", "", nil, 0, capture.ErrTooLarge},
	{"xml over limit", "<a>" + strings.Repeat("b", 9000) + "</a>\r\n\r\n", "", nil, 0, capture.ErrTooLarge},
	{"bad xml", "<methodresponse><requestid>1</methodresponse>\r\n\r\n", "", nil, 0, capture.ErrMalformed},
	{"bad header line", imageBlock("no colon here\r\n"+cl(0), nil), "", nil, 0, capture.ErrMalformed},
	{"truncated payload", "ImageResponse\r\nContent-length: 100\r\n\r\n\xff\xd8abc", "", nil, 0, io.ErrUnexpectedEOF},
	{"truncated header", "ImageResponse\r\nContent-len", "", nil, 0, io.ErrUnexpectedEOF},
	{"empty", "", "", nil, 0, io.EOF},
}

var testLimits = Limits{MaxHeaderBytes: 4096, MaxXMLBytes: 8192, MaxImageBytes: 1 << 20}

func TestReadResponse(t *testing.T) {
	for _, c := range responseCases {
		r, err := ReadResponse(bufio.NewReaderSize(strings.NewReader(c.in), 16), testLimits)
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("%s: err %v, want %v", c.name, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if r.Root != c.root {
			t.Errorf("%s: root %q, want %q", c.name, r.Root, c.root)
		}
		if c.root == "" {
			if r.Image == nil || !bytes.Equal(r.Image.Payload, c.payload) {
				t.Errorf("%s: image %+v", c.name, r.Image)
			} else if c.current != 0 && r.Image.Current.UnixMilli() != c.current {
				t.Errorf("%s: Current %v", c.name, r.Image.Current)
			}
		}
	}
}

func TestReadResponseFields(t *testing.T) {
	r, err := ReadResponse(bufio.NewReader(strings.NewReader(responseCases[0].in)), Limits{})
	if err != nil || r.Method == nil || !r.Method.OK() || r.Method.ID() != 1 || r.Method.MethodName != "connect" {
		t.Fatalf("%v %+v", err, r)
	}
	r, err = ReadResponse(bufio.NewReader(strings.NewReader(responseCases[1].in)), Limits{})
	if err != nil || r.Status == nil || r.Status.StatusTime != 1605074397121 || r.Status.String() != "2=0 5=1" {
		t.Fatalf("%v %+v", err, r.Status)
	}
	in := imageBlock("RequestId: 3\r\nPrev: 1705320000400\r\nCurrent: 1705320000500\r\nNext: 1705320000600\r\n"+cl(len(testJPEG)), testJPEG)
	br := bufio.NewReader(strings.NewReader(in + in))
	for range 2 { // the trailer is skipped before the next block
		r, err = ReadResponse(br, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		im := r.Image
		if im.RequestID != 3 || im.Prev.UnixMilli() != 1705320000400 || im.Next.UnixMilli() != 1705320000600 {
			t.Fatalf("%+v", im)
		}
		pk, err := im.Packets(time.Now())
		if err != nil || len(pk) != 1 || pk[0].Width != 32 || pk[0].Height != 16 || !pk[0].Key || pk[0].SourceTime.UnixMilli() != 1705320000500 {
			t.Fatalf("%v %+v", err, pk)
		}
	}
	if _, err := ReadResponse(br, Limits{}); err != io.EOF {
		t.Fatalf("after the last block: %v, want io.EOF", err)
	}
	// A claimed 2 TiB is refused before any allocation.
	capturetest.RefusedBeforeAllocating(t, 1<<20, func() error {
		_, err := ReadResponse(bufio.NewReader(strings.NewReader(imageBlock("Content-length: 2199023255552\r\n", nil))), Limits{})
		return err
	})
}

func TestGenericByteData(t *testing.T) {
	jpegGBD := AppendGenericByteData(nil, GBDPacket{DataType: GBDVideo, Codec: 1, Flags: 1, Data: testJPEG})
	multi := append(make([]byte, 16), gbdPayload...)
	multi[0], multi[1] = 0xFE, 0xF0
	multi = AppendGenericByteData(multi, GBDPacket{DataType: GBDAudio, Codec: 0x40, Data: []byte{1, 2}})
	cases := []struct {
		name  string
		in    []byte
		codec capture.Codec
		key   bool
		err   error
	}{
		{"h264", gbdPayload, capture.CodecH264, true, nil},
		{"jpeg inside gbd", jpegGBD, capture.CodecJPEG, true, nil},
		{"multi with audio", multi, capture.CodecH264, true, nil},
		{"legacy video block", append([]byte{0, 0x0A}, make([]byte, 40)...), "", false, capture.ErrNotVideo},
		{"unknown codec", AppendGenericByteData(nil, GBDPacket{DataType: GBDVideo, Codec: 4, Data: []byte{1}}), "", false, capture.ErrNotVideo},
		{"length past end", gbdPayload[:len(gbdPayload)-1], "", false, capture.ErrMalformed},
		{"short header", gbdPayload[:20], "", false, capture.ErrMalformed},
		{"unknown type", []byte{0x12, 0x34, 0, 0}, "", false, capture.ErrMalformed},
	}
	for _, c := range cases {
		im := &Image{Payload: c.in, Current: time.UnixMilli(7)}
		pk, err := im.Packets(time.Now())
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("%s: %v, want %v", c.name, err, c.err)
			}
			continue
		}
		if err != nil || len(pk) != 1 || pk[0].Codec != c.codec || pk[0].Key != c.key {
			t.Errorf("%s: %v %+v", c.name, err, pk)
		}
	}
}

func TestRequestText(t *testing.T) {
	if got := escape("bjørn<&>\n", true); got != "bj&#248;rn&lt;&amp;&gt;&#10;" {
		t.Errorf("escape: %q", got)
	}
	if got := connectParam("CAM", "", "TOKEN#a&b#"); got != "id=CAM&amp;connectiontoken=TOKEN#a&amp;b#" {
		t.Errorf("connectparam: %q", got)
	}
	msg := RedactTokens("bad TOKEN#1234-5678#rec//ServerConnector# and connectiontoken=abc&x")
	if strings.Contains(msg, "1234") || strings.Contains(msg, "abc") {
		t.Errorf("not redacted: %q", msg)
	}
	for _, c := range []struct {
		in, addr string
		tls      bool
	}{{"http://rec:7563/", "rec:7563", false}, {"https://rec/", "rec:7563", true}, {"HTTP://10.0.0.5:8000", "10.0.0.5:8000", false}} {
		addr, tls, err := ParseWebServerURI(c.in)
		if err != nil || addr != c.addr || tls != c.tls {
			t.Errorf("%s: %s %v %v", c.in, addr, tls, err)
		}
	}
	if _, _, err := ParseWebServerURI("ftp://rec/"); err == nil {
		t.Error("ftp accepted")
	}
}

// FuzzReadResponse: whatever a recorder sends, the parser returns blocks or an error,
// never panics, never keeps more than its limits, and the packets it derives are sane.
func FuzzReadResponse(f *testing.F) {
	for _, c := range responseCases {
		f.Add([]byte(c.in))
	}
	f.Add([]byte(imageBlock(cl(len(gbdPayload)), gbdPayload)))
	f.Fuzz(func(t *testing.T, data []byte) {
		br := bufio.NewReaderSize(bytes.NewReader(data), 16)
		for range 64 {
			r, err := ReadResponse(br, testLimits)
			if err != nil {
				return
			}
			switch {
			case r.Image != nil:
				if len(r.Image.Payload) > testLimits.MaxImageBytes {
					t.Fatalf("payload %d bytes", len(r.Image.Payload))
				}
				pk, err := r.Image.Packets(time.Now())
				for _, p := range pk {
					if err == nil && (len(p.Data) > len(r.Image.Payload) || p.Width < 0 || p.Height < 0) {
						t.Fatalf("packet %+v", p)
					}
				}
			case len(r.XML) > testLimits.MaxXMLBytes:
				t.Fatalf("XML %d bytes", len(r.XML))
			}
		}
	})
}
