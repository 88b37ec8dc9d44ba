package mjpeg

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/capturetest"
)

// testJPEG encodes a small w×h JPEG.
func testJPEG(w, h int, shade uint8) []byte {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = shade + uint8(i%7)
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 80}); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// withThumbnail inserts an APP1 segment holding a fake embedded JPEG (with its own FF D9)
// after SOI, as EXIF thumbnails do.
func withThumbnail(j, thumb []byte) []byte {
	seg := append([]byte{0xFF, 0xE1, byte((len(thumb) + 2) >> 8), byte(len(thumb) + 2)}, thumb...)
	out := append([]byte{}, j[:2]...)
	out = append(out, seg...)
	return append(out, j[2:]...)
}

var (
	j1 = testJPEG(16, 8, 10)
	j2 = testJPEG(8, 16, 100)
	j3 = withThumbnail(testJPEG(24, 24, 50), testJPEG(4, 4, 200))
)

func cat(parts ...any) []byte {
	var b bytes.Buffer
	for _, p := range parts {
		switch v := p.(type) {
		case string:
			b.WriteString(v)
		case []byte:
			b.Write(v)
		}
	}
	return b.Bytes()
}

func hdrs(j []byte, extra string) string {
	return fmt.Sprintf("Content-Type: image/jpeg\r\nContent-Length: %d\r\n%s\r\n", len(j), extra)
}

func wxp(j []byte) []byte {
	h := make([]byte, 50)
	copy(h, fmt.Sprintf("mjpeg %07d12345", len(j)))
	return append(h, j...)
}

// partCase is one stream: it drives TestPartReader and seeds FuzzPartReader.
type partCase struct {
	name     string
	boundary string // as declared by the server
	in       []byte
	want     [][]byte
	wantTS   time.Time // of the first part, when set
	err      error     // error kind after the wanted parts; nil means a clean io.EOF
}

const ts = "X-Timestamp: 1700000000.250000\r\n"

var partCases = []partCase{
	{name: "mjpg-streamer", boundary: "boundarydonotcross",
		in:   cat("--boundarydonotcross\r\n", hdrs(j1, ts), j1, "\r\n--boundarydonotcross\r\n", hdrs(j2, ts), j2, "\r\n--boundarydonotcross\r\n"),
		want: [][]byte{j1, j2}, wantTS: time.Unix(1700000000, 250000000)},
	{name: "no content-length", boundary: "b",
		in:   cat("--b\r\nContent-Type: image/jpeg\r\n\r\n", j1, "\r\n--b\r\nContent-Type: image/jpeg\r\n\r\n", j2, "\r\n--b--\r\n"),
		want: [][]byte{j1, j2}},
	{name: "no content-length, stream ends", boundary: "b",
		in:   cat("--b\r\n\r\n", j1, "\r\n--b\r\n\r\n", j2, "\r\n"),
		want: [][]byte{j1, j2}},
	{name: "delimiter right after EOI", boundary: "b",
		in:   cat("--b\r\n\r\n", j1, "--b\r\n\r\n", j2, "--b\r\n"),
		want: [][]byte{j1, j2}},
	{name: "dashed boundary as used", boundary: "--myboundary",
		in:   cat("--myboundary\r\n", hdrs(j1, ""), j1, "\r\n--myboundary\r\n", hdrs(j2, ""), j2, "\r\n"),
		want: [][]byte{j1, j2}},
	{name: "dashed boundary RFC-correct", boundary: "--myboundary",
		in:   cat("----myboundary\r\n\r\n", j1, "\r\n----myboundary\r\n\r\n", j2, "\r\n----myboundary--\r\n"),
		want: [][]byte{j1, j2}},
	{name: "quoted boundary with spaces", boundary: ` "b c" `,
		in:   cat("--b c\r\n", hdrs(j1, ""), j1, "\r\n--b c\r\n", hdrs(j2, ""), j2),
		want: [][]byte{j1, j2}},
	{name: "no initial boundary", boundary: "123456789000000000000987654321",
		in:   cat(hdrs(j1, ts), j1, "\r\n--123456789000000000000987654321\r\n", hdrs(j2, ts), j2, "\r\n--123456789000000000000987654321\r\n"),
		want: [][]byte{j1, j2}},
	{name: "preamble", boundary: "b",
		in:   cat("This is a multipart stream.\r\n\r\n--b\r\n", hdrs(j1, ""), j1, "\r\n--b\r\n", hdrs(j2, ""), j2),
		want: [][]byte{j1, j2}},
	{name: "extra headers, odd case", boundary: "b",
		in:   cat("--b\r\ncontent-TYPE: image/jpeg\r\nX-Status: 0\r\nX-Tags: 0\r\nMotion-Event: 1\r\nX-Puls-Pan: 10\r\nCONTENT-LENGTH:", fmt.Sprint(len(j1)), "\r\n\r\n", j1, "\r\n--b\r\n", hdrs(j2, "X-Flags: 0\r\n"), j2),
		want: [][]byte{j1, j2}},
	{name: "duplicate content-length, last wins", boundary: "b",
		in:   cat("--b\r\nContent-Length: 3\r\n", hdrs(j1, ""), j1, "\r\n--b\r\nContent-Length: 999999\r\n", hdrs(j2, ""), j2),
		want: [][]byte{j1, j2}},
	{name: "non-numeric content-length", boundary: "b",
		in:   cat("--b\r\nContent-Length: unknown\r\n\r\n", j1, "\r\n--b\r\nContent-Length: 12abc\r\n\r\n", j2, "\r\n--b\r\n"),
		want: [][]byte{j1, j2}},
	{name: "webcamXP", boundary: "--myboundary",
		in:   cat(wxp(j1), wxp(j2), wxp(j1)),
		want: [][]byte{j1, j2, j1}},
	{name: "trailing CRLFs", boundary: "b",
		in:   cat("\r\n\r\n--b\r\n", hdrs(j1, ""), j1, "\r\n\r\n\r\n\r\n--b\r\n", hdrs(j2, ""), j2, "\r\n\r\n\r\n"),
		want: [][]byte{j1, j2}},
	{name: "LF only", boundary: "b",
		in:   cat("--b\nContent-Type: image/jpeg\n\n", j1, "\n--b\nContent-Length: ", fmt.Sprint(len(j2)), "\n\n", j2, "\n--b\n"),
		want: [][]byte{j1, j2}},
	{name: "no blank line before JPEG", boundary: "b",
		in:   cat("--b\r\nContent-Type: image/jpeg\r\n", j1, "\r\n--b\r\n", j2),
		want: [][]byte{j1, j2}},
	{name: "blank line after delimiter", boundary: "b",
		in:   cat("--b\r\n\r\n", hdrs(j1, ""), j1, "\r\n--b\r\n", hdrs(j2, ""), j2),
		want: [][]byte{j1, j2}},
	{name: "empty part skipped", boundary: "b",
		in:   cat("--b\r\nContent-Length: 0\r\n\r\n\r\n--b\r\n", hdrs(j1, ""), j1),
		want: [][]byte{j1}},
	{name: "thumbnail with EOI inside", boundary: "b",
		in:   cat("--b\r\n\r\n", j3, "\r\n--b\r\n\r\n", j1),
		want: [][]byte{j3, j1}},
	{name: "closing delimiter then junk", boundary: "b",
		in:   cat("--b\r\n", hdrs(j1, ""), j1, "\r\n--b--\r\nepilogue junk"),
		want: [][]byte{j1}},
	{name: "raw concatenated JPEGs", boundary: "",
		in:   cat(j1, j3, "\r\n", j2),
		want: [][]byte{j1, j3, j2}},
	{name: "raw single JPEG", boundary: "",
		in:   j1,
		want: [][]byte{j1}},
	{name: "huge content-length", boundary: "b",
		in:  cat("--b\r\nContent-Length: 10737418240\r\n\r\n", j1),
		err: capture.ErrTooLarge},
	{name: "garbage", boundary: "b",
		in:  bytes.Repeat([]byte("garbage!"), 4000),
		err: capture.ErrMalformed},
	{name: "not a JPEG", boundary: "b",
		in:   cat("--b\r\n", hdrs(j1, ""), j1, "\r\n--b\r\nContent-Length: 5\r\n\r\nhello\r\n--b\r\n"),
		want: [][]byte{j1}, err: capture.ErrMalformed},
	{name: "header block too large", boundary: "b",
		in:  cat("--b\r\n", strings.Repeat("X-Junk: 0123456789012345678901234567890123456789\r\n", 1000), "\r\n", j1),
		err: capture.ErrTooLarge},
	{name: "truncated part", boundary: "b",
		in:   cat("--b\r\n", hdrs(j1, ""), j1, "\r\n--b\r\n", hdrs(j2, ""), j2[:len(j2)/2]),
		want: [][]byte{j1}, err: io.ErrUnexpectedEOF},
	{name: "raw garbage", boundary: "",
		in:  bytes.Repeat([]byte{1, 2, 3}, 10000),
		err: capture.ErrMalformed},
	{name: "raw truncated", boundary: "",
		in:   cat(j1, j2[:len(j2)-10]),
		want: [][]byte{j1}, err: io.ErrUnexpectedEOF},
}

func readAll(r io.Reader, boundary string, lim Limits) ([]Part, error) {
	pr := NewPartReader(bufio.NewReader(r), boundary, lim)
	var out []Part
	for {
		p, err := pr.Next()
		if err != nil {
			return out, err
		}
		out = append(out, p)
	}
}

func TestPartReader(t *testing.T) {
	for _, tc := range partCases {
		for _, mode := range []string{"whole", "one byte per read"} {
			t.Run(tc.name+"/"+mode, func(t *testing.T) {
				var r io.Reader = bytes.NewReader(tc.in)
				if mode != "whole" {
					r = iotest.OneByteReader(r)
				}
				parts, err := readAll(r, tc.boundary, Limits{})
				if tc.err == nil && err != io.EOF {
					t.Fatalf("error %v, want io.EOF", err)
				}
				if tc.err != nil && !errors.Is(err, tc.err) {
					t.Fatalf("error %v, want one wrapping %v", err, tc.err)
				}
				if len(parts) != len(tc.want) {
					t.Fatalf("got %d parts, want %d (err %v)", len(parts), len(tc.want), err)
				}
				for i, p := range parts {
					if !bytes.Equal(p.JPEG, tc.want[i]) {
						t.Errorf("part %d: %d bytes, want %d (starts % x, ends % x)", i, len(p.JPEG), len(tc.want[i]),
							p.JPEG[:min(8, len(p.JPEG))], p.JPEG[max(0, len(p.JPEG)-8):])
					}
					if i > 0 && p.Index <= parts[i-1].Index {
						t.Errorf("part %d: Index %d not increasing", i, p.Index)
					}
				}
				if !tc.wantTS.IsZero() && !parts[0].Timestamp.Equal(tc.wantTS) {
					t.Errorf("timestamp %v, want %v", parts[0].Timestamp, tc.wantTS)
				}
			})
		}
	}
}

func TestPartErrorsSayWhere(t *testing.T) {
	in := cat("--b\r\n", hdrs(j1, ""), j1, "\r\n--b\r\nContent-Length: 5\r\n\r\nhello\r\n--b\r\n")
	_, err := readAll(bytes.NewReader(in), "b", Limits{})
	if !errors.Is(err, capture.ErrMalformed) || !strings.Contains(err.Error(), "part 2 at byte") {
		t.Fatalf("error %q should name part 2 and a byte offset", err)
	}
}

func TestPartHeader(t *testing.T) {
	in := cat("--b\r\nContent-Type: image/jpeg\r\nx-custom: one\r\nX-Custom: two\r\n", "Content-Length: ", fmt.Sprint(len(j1)), "\r\n\r\n", j1)
	parts, err := readAll(bytes.NewReader(in), "b", Limits{})
	if err != io.EOF || len(parts) != 1 {
		t.Fatalf("got %d parts, %v", len(parts), err)
	}
	h := parts[0].Header
	if got := h.Get("X-CUSTOM"); got != "two" {
		t.Errorf("Get = %q, want the last value", got)
	}
	if got := h.Clone()["X-Custom"]; len(got) != 2 {
		t.Errorf("Clone = %v", got)
	}
	if !parts[0].Timestamp.IsZero() {
		t.Errorf("timestamp without X-Timestamp: %v", parts[0].Timestamp)
	}
}

func TestHugePartDoesNotAllocate(t *testing.T) {
	in := cat("--b\r\nContent-Length: 10737418240\r\n\r\n", bytes.Repeat(j1, 10))
	capturetest.RefusedBeforeAllocating(t, 1<<20, func() error { // a 10 GB claim
		_, err := readAll(bytes.NewReader(in), "b", Limits{})
		return err
	})
}

func TestPartTooLargeWhileScanning(t *testing.T) {
	in := cat("--b\r\n\r\n", j1, bytes.Repeat([]byte{0}, 5000), "\r\n--b\r\n")
	_, err := readAll(bytes.NewReader(in), "b", Limits{MaxPartSize: 4096})
	if !errors.Is(err, capture.ErrTooLarge) {
		t.Fatalf("error %v, want ErrTooLarge", err)
	}
}

// TestAllocsPerPart checks that reading a part allocates only the returned JPEG.
func TestAllocsPerPart(t *testing.T) {
	for _, cl := range []bool{true, false} {
		var b bytes.Buffer
		for range 300 {
			if cl {
				b.Write(cat("--b\r\n", hdrs(j1, ts), j1, "\r\n"))
			} else {
				b.Write(cat("--b\r\nContent-Type: image/jpeg\r\n", ts, "\r\n", j1, "\r\n"))
			}
		}
		pr := NewPartReader(bufio.NewReaderSize(bytes.NewReader(b.Bytes()), 64<<10), "b", Limits{})
		_, _ = pr.Next() // warm the buffers
		allocs := testing.AllocsPerRun(200, func() {
			if _, err := pr.Next(); err != nil {
				t.Fatal(err)
			}
		})
		if allocs > 1 {
			t.Errorf("content-length %v: %.1f allocations per part, want 1", cl, allocs)
		}
	}
}

func TestBoundaryFromContentType(t *testing.T) {
	for _, tc := range []struct {
		ct, want string
		multi    bool
	}{
		{"multipart/x-mixed-replace;boundary=boundarydonotcross", "boundarydonotcross", true},
		{"multipart/x-mixed-replace; boundary=--myboundary", "myboundary", true},
		{`multipart/x-mixed-replace; boundary="--quoted b"`, "quoted b", true},
		{"multipart/x-mixed-replace; boundary =--myboundary", "myboundary", true},
		{"multipart/x-mixed-replace;boundary = myboundary ; charset=x", "myboundary", true},
		{"multipart/mixed; boundary=abc", "abc", true},
		{"Multipart/X-Mixed-Replace; Boundary=ABC", "ABC", true},
		{"multipart/x-mixed-replace", "", true},
		{"image/jpeg", "", false},
		{"application/octet-stream", "", false},
		{"", "", false},
	} {
		b, m := BoundaryFromContentType(tc.ct)
		if b != tc.want || m != tc.multi {
			t.Errorf("%q: got %q,%v want %q,%v", tc.ct, b, m, tc.want, tc.multi)
		}
	}
}

func TestSniff(t *testing.T) {
	for _, tc := range []struct {
		in   string
		kind SniffKind
		b    string
	}{
		{"--ffmpeg\r\nContent-type: image/jpeg\r\n", SniffMultipart, "ffmpeg"},
		{"\r\n--myboundary\r\n", SniffMultipart, "myboundary"},
		{string(j1), SniffJPEG, ""},
		{"<!DOCTYPE html><html>", SniffHTML, ""},
		{"<HTML><HEAD><TITLE>Login</TITLE>", SniffHTML, ""},
		{"Error: no such stream", SniffText, ""},
		{"\x00\x01\x02", SniffUnknown, ""},
	} {
		k, b := Sniff([]byte(tc.in))
		if k != tc.kind || b != tc.b {
			t.Errorf("%q: got %v %q, want %v %q", tc.in, k, b, tc.kind, tc.b)
		}
	}
}

func TestParseTimestamp(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"1700000000.123456", time.Unix(1700000000, 123456000)},
		{" 1700000000.5 ", time.Unix(1700000000, 500000000)},
		{"1700000000", time.Unix(1700000000, 0)},
		{"1234.567", time.Time{}}, // seconds since boot
		{"abc", time.Time{}},
		{"1700000000.12x", time.Time{}},
		{"99999999999999999999999", time.Time{}},
		{"", time.Time{}},
	} {
		if got := ParseTimestamp([]byte(tc.in)); !got.Equal(tc.want) {
			t.Errorf("%q: got %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestJPEGSize(t *testing.T) {
	for _, tc := range []struct {
		in   []byte
		w, h int
		ok   bool
	}{
		{j1, 16, 8, true},
		{j2, 8, 16, true},
		{j3, 24, 24, true},
		{j1[:20], 0, 0, false},
		{[]byte{0xFF, 0xD8, 0xFF, 0xD9}, 0, 0, false},
		{[]byte("not a jpeg"), 0, 0, false},
	} {
		w, h, ok := JPEGSize(tc.in)
		if w != tc.w || h != tc.h || ok != tc.ok {
			t.Errorf("JPEGSize(% x…) = %d,%d,%v want %d,%d,%v", tc.in[:min(6, len(tc.in))], w, h, ok, tc.w, tc.h, tc.ok)
		}
	}
	// A progressive JPEG from an encoder that is not Go's: built by hand is overkill; the
	// SOF2 marker is covered by isSOF.
	if !isSOF(0xC2) || isSOF(0xC4) || isSOF(0xCC) {
		t.Error("isSOF")
	}
}

func fuzzLimits() Limits { return Limits{MaxPartSize: 1 << 20, MaxHeaderBytes: 4096} }

func FuzzPartReader(f *testing.F) {
	for _, tc := range partCases {
		f.Add(tc.boundary, tc.in)
	}
	f.Fuzz(func(t *testing.T, boundary string, in []byte) {
		lim := fuzzLimits()
		pr := NewPartReader(bufio.NewReader(bytes.NewReader(in)), boundary, lim)
		for i := 0; i < 1000; i++ {
			p, err := pr.Next()
			if err != nil {
				if err != io.EOF && !errors.Is(err, capture.ErrMalformed) && !errors.Is(err, capture.ErrTooLarge) &&
					!errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("unexpected error kind: %v", err)
				}
				return
			}
			if len(p.JPEG) < 2 || p.JPEG[0] != 0xFF || p.JPEG[1] != 0xD8 {
				t.Fatalf("part %d does not start with SOI", i)
			}
			if len(p.JPEG) > lim.MaxPartSize {
				t.Fatalf("part of %d bytes over the limit", len(p.JPEG))
			}
		}
	})
}

func FuzzJPEGSize(f *testing.F) {
	for _, j := range [][]byte{j1, j2, j3, j1[:30], {0xFF, 0xD8, 0xFF, 0xC0, 0, 0}} {
		f.Add(j)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		w, h, ok := JPEGSize(in)
		if ok && (w <= 0 || h <= 0) {
			t.Fatalf("ok with size %dx%d", w, h)
		}
		if cfg, err := jpeg.DecodeConfig(bytes.NewReader(in)); err == nil && ok && (cfg.Width != w || cfg.Height != h) {
			t.Fatalf("JPEGSize %dx%d, image/jpeg says %dx%d", w, h, cfg.Width, cfg.Height)
		}
		var s jpegScan
		if end, err := s.step(in); err == nil && end > len(in) {
			t.Fatalf("end %d past %d bytes", end, len(in))
		}
	})
}

// BenchmarkPartReader measures parsing 300 KB parts from memory, with and without
// Content-Length.
func BenchmarkPartReader(b *testing.B) {
	big := make([]byte, 300<<10)
	copy(big, j1)
	for _, cl := range []bool{true, false} {
		b.Run(fmt.Sprintf("content-length=%v", cl), func(b *testing.B) {
			var part []byte
			if cl {
				part = cat("--b\r\n", hdrs(big, ts), big, "\r\n")
			} else {
				part = cat("--b\r\nContent-Type: image/jpeg\r\n", ts, "\r\n", big, "\r\n")
			}
			b.SetBytes(int64(len(part)))
			b.ReportAllocs()
			r := &repeatReader{data: part}
			pr := NewPartReader(bufio.NewReaderSize(r, 64<<10), "b", Limits{})
			for b.Loop() {
				if _, err := pr.Next(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// repeatReader returns data over and over.
type repeatReader struct {
	data []byte
	off  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := copy(p, r.data[r.off:])
	r.off = (r.off + n) % len(r.data)
	return n, nil
}
