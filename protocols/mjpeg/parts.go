package mjpeg

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/textproto"
	"strings"
	"time"

	"github.com/vigil-cctv/vigil/capture"
)

// Default limits of a PartReader.
const (
	DefaultMaxPartSize    = 16 << 20
	DefaultMaxHeaderBytes = 16 << 10
	// maxBoundaryLen caps a boundary; RFC 2046 §5.1.1 allows 70 characters.
	maxBoundaryLen = 200
	// wxpHeaderLen is the size of mjpg-streamer's webcamXP-compatible part header.
	wxpHeaderLen  = 50
	minReaderSize = 4096
)

// Limits bound what a camera can make the reader hold in memory.
type Limits struct {
	// MaxPartSize is the largest JPEG accepted. A part that claims more (Content-Length)
	// or grows past it is an error wrapping capture.ErrTooLarge, detected before anything
	// is allocated for it. It defaults to 16 MiB.
	MaxPartSize int
	// MaxHeaderBytes caps one part header block, and the bytes skipped looking for the
	// next part (preamble, padding). It defaults to 16 KiB.
	MaxHeaderBytes int
}

func (l Limits) withDefaults() Limits {
	l.MaxPartSize = capture.OrDefault(l.MaxPartSize, DefaultMaxPartSize)
	l.MaxHeaderBytes = capture.OrDefault(l.MaxHeaderBytes, DefaultMaxHeaderBytes)
	return l
}

// Part is one JPEG read from a stream.
type Part struct {
	// JPEG is the picture, starting with SOI (FF D8). The caller owns it: every Part has
	// its own slice.
	JPEG []byte
	// Header holds the part's MIME headers. It is only valid until the next call to Next.
	Header PartHeader
	// Timestamp is the part's X-Timestamp (mjpg-streamer's "<sec>.<usec>" since the Unix
	// epoch), zero when absent or implausible (before 2000 or after 2100, as sent by
	// cameras that count from boot).
	Timestamp time.Time
	// Index counts parts from 1; Offset is the byte offset of the JPEG in the stream.
	Index  int
	Offset int64
}

// PartHeader is a part's header block, looked up case-insensitively. It refers to the
// PartReader's buffer and is valid until the next call to Next; Clone it to keep it.
type PartHeader struct {
	buf []byte
	kv  []hspan
}

type hspan struct{ k0, k1, v0, v1 int }

// Get returns the last value of key (case-insensitive), "" when absent. The last value is
// the one that counts for a repeated header (duplicate Content-Length, OctoPrint-Obico#150).
func (h PartHeader) Get(key string) string {
	for i := len(h.kv) - 1; i >= 0; i-- {
		s := h.kv[i]
		if strings.EqualFold(string(h.buf[s.k0:s.k1]), key) {
			return string(h.buf[s.v0:s.v1])
		}
	}
	return ""
}

// Len is the number of header lines.
func (h PartHeader) Len() int { return len(h.kv) }

// Clone copies the headers into an http.Header with canonical keys.
func (h PartHeader) Clone() http.Header {
	out := make(http.Header, len(h.kv))
	for _, s := range h.kv {
		k := textproto.CanonicalMIMEHeaderKey(string(h.buf[s.k0:s.k1]))
		out[k] = append(out[k], string(h.buf[s.v0:s.v1]))
	}
	return out
}

func (h PartHeader) value(key string) []byte {
	for i := len(h.kv) - 1; i >= 0; i-- {
		s := h.kv[i]
		if bytesEqualFold(h.buf[s.k0:s.k1], key) {
			return h.buf[s.v0:s.v1]
		}
	}
	return nil
}

// bytesEqualFold compares ASCII case-insensitively without allocating.
func bytesEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		c, d := b[i], s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if 'A' <= d && d <= 'Z' {
			d += 'a' - 'A'
		}
		if c != d {
			return false
		}
	}
	return true
}

// NormalizeBoundary cleans a boundary parameter as cameras send it: surrounding spaces
// and quotes, and leading dashes (Panasonic, Sony, webcamXP send "boundary=--myboundary"
// and then use "--myboundary" as the delimiter, against RFC 2046). The delimiter matcher
// accepts the result preceded by two or more dashes, so RFC-correct streams still work.
func NormalizeBoundary(b string) string {
	b = strings.TrimSpace(b)
	b = strings.Trim(b, `"'`)
	b = strings.TrimSpace(b)
	if c := strings.TrimLeft(b, "-"); c != "" {
		b = c
	}
	if len(b) > maxBoundaryLen {
		b = b[:maxBoundaryLen]
	}
	return b
}

// BoundaryFromContentType returns the multipart boundary declared in a Content-Type, and
// whether the type is multipart at all (multipart/x-mixed-replace, multipart/mixed, …).
// It tolerates spaces around "=" (Panasonic BL-VT164P) and quoted or dashed boundaries.
func BoundaryFromContentType(ct string) (boundary string, multipart bool) {
	mt, params, err := mime.ParseMediaType(ct)
	if err == nil {
		if b, ok := params["boundary"]; ok {
			return NormalizeBoundary(b), strings.HasPrefix(mt, "multipart/")
		}
		if !strings.HasPrefix(mt, "multipart/") {
			return "", false
		}
	}
	// mime rejects some camera spellings ("boundary =--x", stray ';'): find it by hand.
	low := strings.ToLower(ct)
	multipart = strings.HasPrefix(strings.TrimSpace(low), "multipart/")
	i := strings.Index(low, "boundary")
	if i < 0 {
		return "", multipart
	}
	rest := strings.TrimSpace(ct[i+len("boundary"):])
	if !strings.HasPrefix(rest, "=") {
		return "", multipart
	}
	rest = strings.TrimSpace(rest[1:])
	if strings.HasPrefix(rest, `"`) {
		if j := strings.IndexByte(rest[1:], '"'); j >= 0 {
			rest = rest[1 : 1+j]
		}
	} else if j := strings.IndexAny(rest, "; \t,"); j >= 0 {
		rest = rest[:j]
	}
	return NormalizeBoundary(rest), multipart
}

// SniffKind is what the first bytes of a body look like.
type SniffKind int

// Kinds of body found by Sniff.
const (
	SniffUnknown   SniffKind = iota
	SniffMultipart           // a "--boundary" line
	SniffJPEG                // starts with a JPEG SOI
	SniffHTML                // an HTML page (a login form, an error page)
	SniffText                // other printable text
)

// Sniff classifies the first bytes of a body for a server that declares no useful
// Content-Type (ffmpeg's mpjpeg muxer sends application/octet-stream by default). For
// SniffMultipart it returns the boundary found on the first "--" line.
func Sniff(b []byte) (SniffKind, string) {
	t := bytes.TrimLeft(b, " \t\r\n")
	switch {
	case len(t) >= 2 && t[0] == 0xFF && t[1] == 0xD8:
		return SniffJPEG, ""
	case bytes.HasPrefix(t, []byte("--")):
		line := t
		if i := bytes.IndexByte(t, '\n'); i >= 0 {
			line = t[:i]
		}
		b := NormalizeBoundary(string(bytes.TrimSpace(line)))
		if b != "" && isPrintable([]byte(b)) {
			return SniffMultipart, b
		}
	}
	if len(t) == 0 {
		return SniffUnknown, ""
	}
	head := bytes.ToLower(t[:min(len(t), 256)])
	if bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html")) ||
		bytes.Contains(head, []byte("<head")) || bytes.Contains(head, []byte("<body")) {
		return SniffHTML, ""
	}
	if isPrintable(t[:min(len(t), 64)]) {
		return SniffText, ""
	}
	return SniffUnknown, ""
}

func isPrintable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\r' && c != '\n' && c != '\t' || c >= 0x7F {
			return false
		}
	}
	return true
}

// PartReader reads JPEGs from a multipart stream, or from raw concatenated JPEGs when the
// boundary is empty. It is a pure parser: no goroutines, no clock, bounded memory.
//
// Tolerated (see bosch.md §6): parts with or without Content-Length (without, it scans for
// the next delimiter line); a delimiter with any number of leading dashes, right after the
// JPEG's EOI or after CRLFs; no delimiter before the first part (the preamble is skipped
// up to the first delimiter or JPEG SOI); extra and duplicate headers (the last
// Content-Length wins, a non-numeric one means "scan"); a blank line missing between
// headers and JPEG; mjpg-streamer's webcamXP mode (50-byte "mjpeg %07d12345" headers and
// no delimiters at all); empty parts (skipped).
//
// A part that claims or grows past Limits.MaxPartSize is an error wrapping
// capture.ErrTooLarge; the reader does not resynchronise after it, since a camera that
// sends it is broken and the caller reconnects. Bytes that break the format give an
// error wrapping capture.ErrMalformed naming the part number and byte offset.
type PartReader struct {
	r     *bufio.Reader
	lim   Limits
	delim []byte // "--" + boundary; nil in raw JPEG mode
	off   int64
	index int

	scratch []byte
	hdr     PartHeader
	done    bool
}

// NewPartReader reads parts delimited by boundary (as declared by the server; see
// NormalizeBoundary) from r. An empty boundary reads raw concatenated JPEGs (a snapshot
// body, or a stream with no multipart framing), delimited by the JPEG structure.
func NewPartReader(r *bufio.Reader, boundary string, lim Limits) *PartReader {
	if r.Size() < minReaderSize {
		r = bufio.NewReaderSize(r, minReaderSize)
	}
	pr := &PartReader{r: r, lim: lim.withDefaults()}
	if b := NormalizeBoundary(boundary); b != "" {
		pr.delim = []byte("--" + b)
	}
	return pr
}

// Offset is the number of bytes consumed so far.
func (pr *PartReader) Offset() int64 { return pr.off }

func (pr *PartReader) discard(n int) {
	d, _ := pr.r.Discard(n)
	pr.off += int64(d)
}

func (pr *PartReader) malformed(format string, args ...any) error {
	return fmt.Errorf("part %d at byte %d: %s: %w", pr.index, pr.off, fmt.Sprintf(format, args...), capture.ErrMalformed)
}

// Next returns the next JPEG. It returns io.EOF at a clean end of the stream (after a
// whole part, or a closing delimiter), and an error wrapping io.ErrUnexpectedEOF when the
// stream ends inside a part.
func (pr *PartReader) Next() (Part, error) {
	if pr.done {
		return Part{}, io.EOF
	}
	for {
		p, err := pr.next()
		if err != nil {
			if err == io.EOF {
				pr.done = true
			}
			return Part{}, err
		}
		if p.JPEG == nil { // empty part: skip
			continue
		}
		return p, nil
	}
}

func (pr *PartReader) next() (Part, error) {
	pr.hdr.buf = pr.hdr.buf[:0]
	pr.hdr.kv = pr.hdr.kv[:0]
	if pr.delim == nil {
		return pr.nextRaw()
	}
	var kind seekKind
	var wxpLen int
	var err error
	pr.index++
	if pr.index == 1 && pr.startsWithHeader() {
		kind = seekDelim // no delimiter before the first part, but its headers are there
	} else if kind, wxpLen, err = pr.seek(); err != nil {
		if err == io.EOF {
			pr.index--
		}
		return Part{}, err
	}
	length := int64(-1)
	switch kind {
	case seekDelim:
		if err := pr.readHeaders(); err != nil {
			return Part{}, err
		}
		length = pr.contentLength()
	case seekWXP:
		length = int64(wxpLen)
	case seekSOI:
		// No headers: scan to the next delimiter.
	}
	p := Part{Index: pr.index, Offset: pr.off}
	switch {
	case length > int64(pr.lim.MaxPartSize):
		return Part{}, fmt.Errorf("part %d at byte %d: Content-Length %d is over the %d-byte part limit: %w",
			pr.index, pr.off, length, pr.lim.MaxPartSize, capture.ErrTooLarge)
	case length == 0:
		return Part{}, nil
	case length > 0:
		// Peek before allocating: a part header followed by nothing must not cost length bytes.
		if _, err := pr.r.Peek(1); err != nil {
			return Part{}, pr.eofErr(err)
		}
		p.JPEG = make([]byte, length)
		n, err := io.ReadFull(pr.r, p.JPEG)
		pr.off += int64(n)
		if err != nil {
			return Part{}, pr.eofErr(err)
		}
	default:
		if err := pr.scanToDelim(); err != nil {
			return Part{}, err
		}
		if len(pr.scratch) == 0 {
			return Part{}, nil
		}
		p.JPEG = bytes.Clone(pr.scratch)
	}
	if len(p.JPEG) < 2 || p.JPEG[0] != 0xFF || p.JPEG[1] != 0xD8 {
		return Part{}, fmt.Errorf("part %d at byte %d: not a JPEG (starts with % x): %w",
			pr.index, p.Offset, p.JPEG[:min(len(p.JPEG), 8)], capture.ErrMalformed)
	}
	p.Header = pr.hdr
	p.Timestamp = ParseTimestamp(pr.hdr.value("x-timestamp"))
	return p, nil
}

func (pr *PartReader) eofErr(err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("part %d at byte %d: stream ended inside a part: %w", pr.index, pr.off, err)
	}
	return err
}

type seekKind int

const (
	seekDelim seekKind = iota
	seekSOI
	seekWXP
)

// seek skips to the start of the next part: a delimiter line (consumed), a JPEG SOI (not
// consumed) or a webcamXP header (consumed, its length returned). Only whitespace before
// a clean end of stream gives io.EOF.
func (pr *PartReader) seek() (seekKind, int, error) {
	look := max(len(pr.delim)+2, wxpHeaderLen)
	skipped := 0
	onlySpace := true
	for {
		w, err := pr.r.Peek(look)
		eof := err != nil
		if eof && len(w) == 0 {
			if err == io.EOF && onlySpace {
				return 0, 0, io.EOF
			}
			if err == io.EOF {
				return 0, 0, pr.malformed("stream ended in %d bytes of garbage between parts", skipped)
			}
			return 0, 0, err
		}
		if !eof {
			w, _ = pr.r.Peek(pr.r.Buffered())
		}
		end := len(w) - look + 1
		if eof {
			end = len(w)
		}
		for i := 0; i < end; i++ {
			c := w[i]
			switch {
			case c == '-' && bytes.HasPrefix(w[i:], pr.delim):
				pr.discard(i + len(pr.delim))
				return pr.finishDelimLine()
			case c == 0xFF && i+2 < len(w) && w[i+1] == 0xD8 && w[i+2] == 0xFF:
				pr.discard(i)
				return seekSOI, 0, nil
			case c == 'm':
				if n, ok := parseWXPHeader(w[i:]); ok {
					pr.discard(i + wxpHeaderLen)
					return seekWXP, n, nil
				}
			}
			if c != ' ' && c != '\r' && c != '\n' && c != '\t' && c != 0 {
				onlySpace = false
			}
			if skipped+i >= pr.lim.MaxHeaderBytes {
				pr.discard(i)
				return 0, 0, pr.malformed("no boundary %q or JPEG start in %d bytes (bytes there: % x)",
					pr.delim, pr.lim.MaxHeaderBytes, w[:min(len(w), 8)])
			}
		}
		pr.discard(end)
		skipped += end
		if eof {
			continue // Peek again to report the end
		}
	}
}

// startsWithHeader says whether the stream starts with a "Name:" header line, as streams
// without an initial delimiter do (Tasmota, esp32cam).
func (pr *PartReader) startsWithHeader() bool {
	w, _ := pr.r.Peek(80)
	w = bytes.TrimLeft(w, "\r\n")
	i := 0
	for i < len(w) && (w[i] == '-' || w[i] == '_' || 'a' <= w[i]|0x20 && w[i]|0x20 <= 'z' || '0' <= w[i] && w[i] <= '9') {
		i++
	}
	return i > 0 && i < len(w) && w[i] == ':' && w[0] != '-'
}

// finishDelimLine consumes the rest of a delimiter line after "--boundary". A closing
// delimiter ("--boundary--") ends the stream.
func (pr *PartReader) finishDelimLine() (seekKind, int, error) {
	// Extra dashes: "----boundary" matched at its tail, or the closing "--".
	w, _ := pr.r.Peek(2)
	if len(w) == 2 && w[0] == '-' && w[1] == '-' {
		return 0, 0, io.EOF
	}
	for n := 0; n < pr.lim.MaxHeaderBytes; n++ {
		c, err := pr.r.ReadByte()
		if err != nil {
			if err == io.EOF {
				return 0, 0, io.EOF
			}
			return 0, 0, err
		}
		pr.off++
		if c == '\n' {
			return seekDelim, 0, nil
		}
		if c == 0xFF { // JPEG right after the boundary with no line end
			_ = pr.r.UnreadByte()
			pr.off--
			return seekDelim, 0, nil
		}
	}
	return 0, 0, pr.malformed("boundary line longer than %d bytes", pr.lim.MaxHeaderBytes)
}

// parseWXPHeader recognises mjpg-streamer's webcamXP-compatible part header: 50 bytes of
// "mjpeg %07d12345" padded with NULs, followed by the JPEG (no MIME headers, no boundary).
func parseWXPHeader(w []byte) (int, bool) {
	const prefix = "mjpeg "
	if len(w) < wxpHeaderLen || !bytes.HasPrefix(w, []byte(prefix)) {
		return 0, false
	}
	d := w[len(prefix):wxpHeaderLen]
	n, i := 0, 0
	for ; i < len(d) && d[i] >= '0' && d[i] <= '9'; i++ {
		if i < 7 {
			n = n*10 + int(d[i]-'0')
		}
	}
	if i != 12 || !bytes.HasSuffix(d[:i], []byte("12345")) {
		return 0, false
	}
	for _, c := range d[i:] {
		if c != 0 {
			return 0, false
		}
	}
	return n, true
}

// readHeaders reads a part header block into pr.hdr, up to a blank line or a JPEG SOI.
func (pr *PartReader) readHeaders() error {
	total := 0
	for {
		w, err := pr.r.Peek(2)
		if len(w) == 2 && w[0] == 0xFF && w[1] == 0xD8 {
			return nil
		}
		if err != nil && len(w) == 0 {
			if err == io.EOF && total == 0 {
				return io.EOF
			}
			return pr.eofErr(err)
		}
		line, err := pr.r.ReadSlice('\n')
		total += len(line)
		pr.off += int64(len(line))
		if total > pr.lim.MaxHeaderBytes {
			return fmt.Errorf("part %d at byte %d: header block over %d bytes: %w",
				pr.index, pr.off, pr.lim.MaxHeaderBytes, capture.ErrTooLarge)
		}
		if err == bufio.ErrBufferFull {
			continue // a line longer than the buffer: counted, not kept
		}
		if err != nil {
			return pr.eofErr(err)
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(bytes.TrimSpace(line)) == 0 {
			if len(pr.hdr.kv) == 0 {
				// A blank line right after the delimiter (extra CRLF): keep reading
				// headers unless the JPEG starts here.
				continue
			}
			return nil
		}
		k, v, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue // junk line, e.g. a status word some cameras add
		}
		k, v = bytes.TrimSpace(k), bytes.TrimSpace(v)
		b := len(pr.hdr.buf)
		pr.hdr.buf = append(pr.hdr.buf, k...)
		pr.hdr.buf = append(pr.hdr.buf, v...)
		pr.hdr.kv = append(pr.hdr.kv, hspan{b, b + len(k), b + len(k), b + len(k) + len(v)})
	}
}

// contentLength is the last Content-Length as a number, -1 when absent or not a number.
func (pr *PartReader) contentLength() int64 {
	v := pr.hdr.value("content-length")
	if len(v) == 0 {
		return -1
	}
	var n int64
	for _, c := range v {
		if c < '0' || c > '9' {
			return -1
		}
		if n > 1<<50 {
			continue // saturate: far over any limit, and no overflow
		}
		n = n*10 + int64(c-'0')
	}
	return n
}

// scanToDelim reads a part of unknown length into pr.scratch, up to the next delimiter
// (left unconsumed), then trims the line end before it.
func (pr *PartReader) scanToDelim() error {
	pr.scratch = pr.scratch[:0]
	dl := len(pr.delim)
	look := dl + 1
	for {
		w, err := pr.r.Peek(look)
		if err != nil {
			// Stream ended without a delimiter: what we have is the last part.
			pr.scratch = append(pr.scratch, w...)
			pr.discard(len(w))
			if err == io.EOF {
				pr.done = true
				pr.trimPartEnd()
				if len(pr.scratch) > pr.lim.MaxPartSize {
					return pr.tooLarge()
				}
				return nil
			}
			return err
		}
		w, _ = pr.r.Peek(pr.r.Buffered())
		limit := len(w) - look + 1 // candidates i < limit have w[i+dl] in range
		from := 0
		for from < limit {
			j := bytes.Index(w[from:limit+dl-1], pr.delim)
			if j < 0 {
				break
			}
			i := from + j
			if pr.delimAt(w, i) {
				pr.scratch = append(pr.scratch, w[:i]...)
				pr.discard(i)
				pr.trimPartEnd()
				if len(pr.scratch) > pr.lim.MaxPartSize {
					return pr.tooLarge()
				}
				return nil
			}
			from = i + 1
		}
		pr.scratch = append(pr.scratch, w[:limit]...)
		pr.discard(limit)
		if len(pr.scratch) > pr.lim.MaxPartSize {
			return pr.tooLarge()
		}
	}
}

// delimAt says whether the delimiter found at w[i] is a real one: at the start of a line,
// after more dashes, or right after the JPEG's EOI; and followed by a line end, spaces or
// the closing "--".
func (pr *PartReader) delimAt(w []byte, i int) bool {
	switch w[i+len(pr.delim)] {
	case '\r', '\n', '-', ' ', '\t':
	default:
		return false
	}
	var p1, p2 byte // the two bytes before, from w or the scratch already taken
	get := func(k int) byte {
		if i-k >= 0 {
			return w[i-k]
		}
		j := len(pr.scratch) - (k - i)
		if j >= 0 {
			return pr.scratch[j]
		}
		return '\n' // start of the part
	}
	p1, p2 = get(1), get(2)
	return p1 == '\n' || p1 == '-' || (p2 == 0xFF && p1 == 0xD9)
}

func (pr *PartReader) trimPartEnd() {
	s := pr.scratch
	for len(s) > 0 && (s[len(s)-1] == '-' || s[len(s)-1] == '\r' || s[len(s)-1] == '\n') {
		s = s[:len(s)-1]
	}
	pr.scratch = s
}

func (pr *PartReader) tooLarge() error {
	return fmt.Errorf("part %d at byte %d: JPEG over the %d-byte part limit: %w",
		pr.index, pr.off, pr.lim.MaxPartSize, capture.ErrTooLarge)
}

// nextRaw reads one JPEG from a stream of concatenated JPEGs, finding its end from the
// JPEG structure (segment lengths, then the entropy-coded data up to EOI), which is safe
// against FF D9 inside an EXIF thumbnail.
func (pr *PartReader) nextRaw() (Part, error) {
	onlySpace := true
	for skipped := 0; ; {
		w, err := pr.r.Peek(3)
		if len(w) >= 2 && w[0] == 0xFF && w[1] == 0xD8 {
			break
		}
		if err != nil && len(w) < 3 {
			if err == io.EOF && onlySpace && isSpace(w) {
				return Part{}, io.EOF
			}
			if err == io.EOF {
				pr.discard(len(w))
				return Part{}, pr.malformed("stream ended in bytes that are not a JPEG")
			}
			return Part{}, err
		}
		if !isSpace(w[:1]) {
			onlySpace = false
		}
		pr.discard(1)
		skipped++
		if skipped > pr.lim.MaxHeaderBytes {
			return Part{}, pr.malformed("no JPEG start (FF D8) in %d bytes", pr.lim.MaxHeaderBytes)
		}
	}
	pr.index++
	p := Part{Index: pr.index, Offset: pr.off}
	pr.scratch = pr.scratch[:0]
	var sc jpegScan
	for {
		if _, err := pr.r.Peek(1); err != nil {
			return Part{}, pr.eofErr(err)
		}
		w, _ := pr.r.Peek(pr.r.Buffered())
		base := len(pr.scratch)
		pr.scratch = append(pr.scratch, w...)
		end, serr := sc.step(pr.scratch)
		if serr != nil {
			pr.discard(len(w))
			return Part{}, pr.malformed("%v", serr)
		}
		if end >= 0 {
			pr.discard(end - base)
			pr.scratch = pr.scratch[:end]
			break
		}
		pr.discard(len(w))
		if len(pr.scratch) > pr.lim.MaxPartSize {
			return Part{}, pr.tooLarge()
		}
	}
	if len(pr.scratch) > pr.lim.MaxPartSize {
		return Part{}, pr.tooLarge()
	}
	p.JPEG = bytes.Clone(pr.scratch)
	return p, nil
}

func isSpace(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\r' && c != '\n' && c != '\t' {
			return false
		}
	}
	return true
}

// ParseTimestamp parses an X-Timestamp value, "<sec>.<usec>" since the Unix epoch
// (mjpg-streamer), without allocating. It returns the zero time for anything else or a
// time outside 2000…2100 (cameras that count from boot).
func ParseTimestamp(v []byte) time.Time {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || len(v) > 32 {
		return time.Time{}
	}
	var sec, frac, scale int64 = 0, 0, 1
	i := 0
	for ; i < len(v) && v[i] >= '0' && v[i] <= '9'; i++ {
		sec = sec*10 + int64(v[i]-'0')
		if sec > 1<<40 {
			return time.Time{}
		}
	}
	if i == 0 {
		return time.Time{}
	}
	if i < len(v) {
		if v[i] != '.' {
			return time.Time{}
		}
		i++
		for ; i < len(v) && v[i] >= '0' && v[i] <= '9'; i++ {
			if scale < 1e9 {
				frac = frac*10 + int64(v[i]-'0')
				scale *= 10
			}
		}
		if i != len(v) {
			return time.Time{}
		}
	}
	const lo, hi = 946684800, 4102444800 // 2000-01-01, 2100-01-01
	if sec < lo || sec >= hi {
		return time.Time{}
	}
	return time.Unix(sec, frac*(1e9/scale))
}
