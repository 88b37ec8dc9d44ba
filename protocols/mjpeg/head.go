package mjpeg

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/vigil-cctv/vigil/capture"
)

// respHead is a parsed HTTP response status line and header.
type respHead struct {
	status  int
	reason  string
	proto11 bool
	header  http.Header
}

// contentLength is the last numeric Content-Length, -1 when absent or not a number.
func (h *respHead) contentLength() int64 {
	vs := h.header.Values("Content-Length")
	if len(vs) == 0 {
		return -1
	}
	n, err := strconv.ParseInt(strings.TrimSpace(vs[len(vs)-1]), 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

func (h *respHead) chunked() bool {
	for _, v := range h.header.Values("Transfer-Encoding") {
		if hasToken(v, "chunked") {
			return true
		}
	}
	return false
}

func (h *respHead) keepAlive() bool {
	for _, v := range h.header.Values("Connection") {
		if hasToken(v, "close") {
			return false
		}
		if hasToken(v, "keep-alive") {
			return true
		}
	}
	return h.proto11
}

// maxInterim bounds the 1xx responses skipped before the real one: a server streaming
// "100 Continue" heads would otherwise keep the reader busy forever while every read
// deadline is met.
const maxInterim = 8

// readHead reads a status line and header block of at most max bytes. Up to maxInterim
// 1xx responses are skipped. A first line that is not HTTP is an error wrapping
// capture.ErrNotVideo.
func readHead(br *bufio.Reader, max int) (*respHead, error) {
	for i := 0; ; i++ {
		h, err := readOneHead(br, max)
		if err != nil || h.status >= 200 {
			return h, err
		}
		if i >= maxInterim {
			return nil, fmt.Errorf("the server sent more than %d interim (1xx) responses: %w", maxInterim, capture.ErrMalformed)
		}
	}
}

func readOneHead(br *bufio.Reader, max int) (*respHead, error) {
	total := 0
	readLine := func() ([]byte, error) {
		line, err := br.ReadSlice('\n')
		total += len(line)
		if total > max || err == bufio.ErrBufferFull {
			return nil, fmt.Errorf("HTTP response header over %d bytes: %w", max, capture.ErrTooLarge)
		}
		if err != nil {
			if err == io.EOF && len(line) > 0 {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		return bytes.TrimRight(line, "\r\n"), nil
	}
	line, err := readLine()
	if err != nil {
		return nil, err
	}
	proto, rest, _ := bytes.Cut(line, []byte(" "))
	code, reason, _ := bytes.Cut(bytes.TrimLeft(rest, " "), []byte(" "))
	status, cerr := strconv.Atoi(string(code))
	if !bytes.HasPrefix(proto, []byte("HTTP/1.")) || cerr != nil || status < 100 || status > 999 {
		return nil, &capture.Error{Kind: capture.ErrNotVideo,
			What: fmt.Sprintf("the server did not answer with HTTP (first bytes % x)", line[:min(len(line), 16)]),
			Hint: "check the port and the scheme (http vs https)"}
	}
	h := &respHead{status: status, reason: string(reason), proto11: string(proto) != "HTTP/1.0", header: http.Header{}}
	var lastKey string
	for {
		line, err := readLine()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		if len(line) == 0 {
			return h, nil
		}
		if (line[0] == ' ' || line[0] == '\t') && lastKey != "" { // obsolete line folding
			vs := h.header[lastKey]
			vs[len(vs)-1] += " " + string(bytes.TrimSpace(line))
			continue
		}
		k, v, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		lastKey = textprotoKey(bytes.TrimSpace(k))
		h.header[lastKey] = append(h.header[lastKey], string(bytes.TrimSpace(v)))
	}
}

func textprotoKey(k []byte) string { return http.CanonicalHeaderKey(string(k)) }

// hasToken reports whether the comma-separated list holds tok, case-insensitively
// (Connection, Transfer-Encoding).
func hasToken(list, tok string) bool {
	for _, t := range strings.Split(list, ",") {
		if strings.EqualFold(strings.TrimSpace(t), tok) {
			return true
		}
	}
	return false
}
