// Package imageserver speaks Milestone XProtect's ImageServer protocol: the XML-over-TCP
// (or TLS) protocol a recording server offers on port 7563 for live and recorded video
// (research/milestone.md §2). It knows the wire format and nothing about screens: Conn is
// the request/response client, ReadResponse the pure block parser, and Source the
// capture.Source a camera tile runs.
//
// Framing follows the [C] facts of milestone.md: requests are one-line XML documents
// followed by CR LF CR LF; responses are blocks ending with CR LF CR LF, either XML
// (`<methodresponse>`, `<livepackage>`) or an `ImageResponse` header block followed by
// exactly Content-length payload bytes. Frames are never found by scanning for JPEG
// markers.
package imageserver

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-cctv/vigil/capture"
)

// Default limits of the response parser. A recorder transcoding to tile size sends tens
// of kilobytes per JPEG; a native 4K H.265 key frame can reach a few megabytes.
const (
	DefaultMaxHeaderBytes = 64 << 10
	DefaultMaxXMLBytes    = 1 << 20
	DefaultMaxImageBytes  = 16 << 20
	// maxBlankBytes bounds the CR/LF bytes skipped between blocks (trailers, empty
	// blocks), so a peer sending endless newlines cannot keep the reader busy forever.
	maxBlankBytes = 64 << 10
)

// Limits bound what ReadResponse keeps in memory. A block that claims or reaches more is
// an error wrapping capture.ErrTooLarge, and a claimed Content-length over MaxImageBytes
// is refused before anything is allocated.
type Limits struct {
	// MaxHeaderBytes bounds an ImageResponse header block. It defaults to 64 KiB.
	MaxHeaderBytes int
	// MaxXMLBytes bounds an XML block. It defaults to 1 MiB.
	MaxXMLBytes int
	// MaxImageBytes bounds an image payload. It defaults to 16 MiB.
	MaxImageBytes int
}

func (l Limits) withDefaults() Limits {
	l.MaxHeaderBytes = capture.OrDefault(l.MaxHeaderBytes, DefaultMaxHeaderBytes)
	l.MaxXMLBytes = capture.OrDefault(l.MaxXMLBytes, DefaultMaxXMLBytes)
	l.MaxImageBytes = capture.OrDefault(l.MaxImageBytes, DefaultMaxImageBytes)
	return l
}

// Response is one block from the recorder: either XML (Root set) or an image (Image set).
type Response struct {
	// Root is the XML root element ("methodresponse", "livepackage", …), "" for images.
	Root string
	// XML is the whole XML block, without its CR LF CR LF terminator.
	XML []byte
	// Method is the parsed reply when Root is "methodresponse".
	Method *MethodResponse
	// Status is the parsed status packet when Root is "livepackage".
	Status *LivePackage
	// Image is set for an ImageResponse block.
	Image *Image
}

// MethodResponse is a `<methodresponse>` reply (connect, connectupdate, errors). Unknown
// elements are ignored (milestone.md §2.2).
type MethodResponse struct {
	RequestID   string `xml:"requestid"`
	MethodName  string `xml:"methodname"`
	Connected   string `xml:"connected"`
	ErrorReason string `xml:"errorreason"`
}

// ID is the echoed request id, -1 when absent or not a number.
func (m *MethodResponse) ID() int {
	n, err := strconv.Atoi(strings.TrimSpace(m.RequestID))
	if err != nil {
		return -1
	}
	return n
}

// OK reports `<connected>yes</connected>`, compared case-insensitively as Milestone's
// sample does [C, MS-TVV].
func (m *MethodResponse) OK() bool {
	return strings.EqualFold(strings.TrimSpace(m.Connected), "yes")
}

// LivePackage is a status packet sent during live. The meaning of the statusitem ids is
// undocumented [S, milestone.md §2.3]: log them, do not act on them.
type LivePackage struct {
	StatusTime int64        `xml:"status>statustime"`
	Items      []StatusItem `xml:"status>statusitem"`
}

// StatusItem is one `<statusitem id="…" value="…"/>`.
type StatusItem struct {
	ID    string `xml:"id,attr"`
	Value string `xml:"value,attr"`
}

// String renders the items compactly for a log line ("2=0 3=0 5=1").
func (p *LivePackage) String() string {
	var b strings.Builder
	for i, it := range p.Items {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(it.ID + "=" + it.Value)
	}
	return b.String()
}

// Image is an ImageResponse block: its header fields and exactly Content-length payload
// bytes (a JPEG, GenericByteData, or empty for "no image").
type Image struct {
	// RequestID echoes the request (for live, the live request), -1 when absent [S].
	RequestID int
	// ContentType is as declared; do not trust it alone (milestone.md §2.3), see Kind.
	ContentType string
	// Current, Prev and Next are the frame's and its neighbours' times (ms since the
	// epoch, UTC) [C]. Zero when absent or 0.
	Current, Prev, Next time.Time
	// Header holds every header line, keys lower-cased, values trimmed.
	Header map[string]string
	// Payload is the block's data.
	Payload []byte
}

// IsJPEG reports a payload starting with SOI (FF D8), the sample's own test [C, MS-TVV].
func (im *Image) IsJPEG() bool {
	return len(im.Payload) >= 2 && im.Payload[0] == 0xFF && im.Payload[1] == 0xD8
}

var crlfcrlf = []byte("\r\n\r\n")

// ReadResponse reads the next block from br: XML or an ImageResponse with its payload.
// CR/LF bytes between blocks (the payload trailer, empty blocks) are skipped. It returns
// io.EOF when br ends cleanly between blocks, io.ErrUnexpectedEOF inside one, an error
// wrapping capture.ErrTooLarge over a limit (never allocating what a length field claims)
// and one wrapping capture.ErrMalformed for bytes that break the format.
func ReadResponse(br *bufio.Reader, lim Limits) (*Response, error) {
	lim = lim.withDefaults()
	if err := skipBlank(br); err != nil {
		return nil, err
	}
	first, err := br.Peek(1)
	if err != nil {
		return nil, err
	}
	switch first[0] {
	case '<':
		block, err := readBlock(br, lim.MaxXMLBytes, "XML block")
		if err != nil {
			return nil, err
		}
		return parseXML(block)
	case 'I':
		block, err := readBlock(br, lim.MaxHeaderBytes, "ImageResponse header")
		if err != nil {
			return nil, err
		}
		im, err := parseImageHeader(block, lim)
		if err != nil {
			return nil, err
		}
		n, _ := strconv.Atoi(im.Header["content-length"]) // checked by parseImageHeader
		im.Payload = make([]byte, n)
		if _, err := io.ReadFull(br, im.Payload); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, fmt.Errorf("reading a %d-byte image payload: %w", n, err)
		}
		return &Response{Image: im}, nil
	}
	head, _ := br.Peek(16)
	return nil, fmt.Errorf("a response block starts with %s, neither XML nor ImageResponse (the stream is out of step or this is not an Image Server): %w",
		describe(head), capture.ErrMalformed)
}

// describe renders the first bytes of something unexpected for an error message.
func describe(b []byte) string {
	for _, c := range b {
		if c < 0x20 && c != '\r' && c != '\n' && c != '\t' || c >= 0x7f {
			return fmt.Sprintf("bytes % x", b)
		}
	}
	return strconv.Quote(string(b))
}

// skipBlank discards CR and LF bytes, at most maxBlankBytes of them.
func skipBlank(br *bufio.Reader) error {
	for n := 0; ; n++ {
		b, err := br.Peek(1)
		if err != nil {
			if err == io.EOF && n > 0 {
				return io.EOF // a trailer then a clean end
			}
			return err
		}
		if b[0] != '\r' && b[0] != '\n' {
			return nil
		}
		if n >= maxBlankBytes {
			return fmt.Errorf("over %d bytes of blank lines between blocks: %w", maxBlankBytes, capture.ErrMalformed)
		}
		_, _ = br.ReadByte()
	}
}

// readBlock reads through the next CR LF CR LF and returns the block without it, failing
// once the block exceeds max bytes.
func readBlock(br *bufio.Reader, max int, what string) ([]byte, error) {
	var block []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(block)+len(chunk) > max+len(crlfcrlf) {
			return nil, fmt.Errorf("%s over %d bytes without an end (CR LF CR LF): %w", what, max, capture.ErrTooLarge)
		}
		block = append(block, chunk...)
		switch {
		case err == nil:
			if bytes.HasSuffix(block, crlfcrlf) {
				return block[:len(block)-len(crlfcrlf)], nil
			}
		case errors.Is(err, bufio.ErrBufferFull):
		case err == io.EOF:
			return nil, fmt.Errorf("connection ended inside a %s: %w", what, io.ErrUnexpectedEOF)
		default:
			return nil, err
		}
	}
}

func parseXML(block []byte) (*Response, error) {
	d := xml.NewDecoder(bytes.NewReader(block))
	var root string
	for root == "" {
		tok, err := d.Token()
		if err != nil {
			return nil, fmt.Errorf("XML block %s does not parse: %v: %w", describe(block[:min(len(block), 40)]), err, capture.ErrMalformed)
		}
		if se, ok := tok.(xml.StartElement); ok {
			root = strings.ToLower(se.Name.Local)
		}
	}
	r := &Response{Root: root, XML: block}
	var err error
	switch root {
	case "methodresponse":
		r.Method = &MethodResponse{}
		err = xml.Unmarshal(block, r.Method)
	case "livepackage":
		r.Status = &LivePackage{}
		err = xml.Unmarshal(block, r.Status)
	}
	if err != nil {
		return nil, fmt.Errorf("<%s> block does not parse: %v: %w", root, err, capture.ErrMalformed)
	}
	return r, nil
}

// parseImageHeader parses an ImageResponse header block and checks Content-length
// against the limit, so the caller can allocate it.
func parseImageHeader(block []byte, lim Limits) (*Image, error) {
	lines := strings.Split(string(block), "\n")
	if strings.TrimSpace(lines[0]) != "ImageResponse" {
		return nil, fmt.Errorf("a response block starts with %s, neither XML nor ImageResponse: %w",
			describe([]byte(lines[0][:min(len(lines[0]), 16)])), capture.ErrMalformed)
	}
	im := &Image{RequestID: -1, Header: make(map[string]string, len(lines))}
	for _, line := range lines[1:] {
		k, v, ok := strings.Cut(line, ":")
		k = strings.ToLower(strings.TrimSpace(k))
		if !ok || k == "" {
			if strings.TrimSpace(line) == "" {
				continue
			}
			return nil, fmt.Errorf("ImageResponse header line %s is not \"Key: Value\": %w",
				describe([]byte(line[:min(len(line), 32)])), capture.ErrMalformed)
		}
		im.Header[k] = strings.TrimSpace(v)
	}
	h := im.Header
	cl, ok := h["content-length"]
	if !ok {
		if strings.HasPrefix(strings.ToLower(h["content-type"]), "multipart/") {
			return nil, fmt.Errorf("ImageResponse is multipart (%q), which Vigil never asks for: %w", h["content-type"], capture.ErrMalformed)
		}
		return nil, fmt.Errorf("ImageResponse header has no Content-length: %w", capture.ErrMalformed)
	}
	n, err := strconv.ParseInt(cl, 10, 64)
	switch {
	case err != nil && isDigits(cl):
		return nil, fmt.Errorf("ImageResponse claims a Content-length of %.20s bytes, over the %d-byte limit: %w", cl, lim.MaxImageBytes, capture.ErrTooLarge)
	case err != nil || n < 0:
		return nil, fmt.Errorf("ImageResponse Content-length %q is not a size: %w", cl[:min(len(cl), 24)], capture.ErrMalformed)
	case n > int64(lim.MaxImageBytes):
		return nil, fmt.Errorf("ImageResponse claims %d bytes, over the %d-byte limit: %w", n, lim.MaxImageBytes, capture.ErrTooLarge)
	}
	h["content-length"] = strconv.FormatInt(n, 10)
	im.ContentType = h["content-type"]
	if id, err := strconv.Atoi(h["requestid"]); err == nil {
		im.RequestID = id
	}
	im.Current, im.Prev, im.Next = msTime(h["current"]), msTime(h["prev"]), msTime(h["next"])
	return im, nil
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// msTime parses milliseconds since the Unix epoch (UTC) [C, MS-TVV TimeConverter]; zero
// for absent, 0 or unparsable values.
func msTime(s string) time.Time {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(n).UTC()
}

// Millis converts t to the protocol's time: milliseconds since the Unix epoch.
func Millis(t time.Time) int64 { return t.UnixMilli() }
