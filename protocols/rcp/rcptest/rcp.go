package rcptest

import (
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// serveRCP answers /rcp.xml: the reads of §1.6 and the BiCom moves and presets of §3.
func (c *Camera) serveRCP(w http.ResponseWriter, r *http.Request) {
	if !c.authorize(w, r) {
		return
	}
	q := r.URL.Query()
	cmd64, err := strconv.ParseUint(q.Get("command"), 0, 16)
	if err != nil {
		c.reply(w, "", 0x40)
		return
	}
	cmd := Command{At: time.Now(), Command: uint16(cmd64), Type: q.Get("type"), Direction: q.Get("direction")}
	cmd.Num, _ = strconv.Atoi(q.Get("num"))
	if p := q.Get("payload"); p != "" {
		b, err := hex.DecodeString(strings.TrimPrefix(strings.ToLower(p), "0x"))
		if err != nil {
			c.reply(w, "", 0x60)
			return
		}
		cmd.Payload = b
	}
	c.mu.Lock()
	if len(c.commands) < maxCommands {
		c.commands = append(c.commands, cmd)
	}
	code := c.errCode
	c.mu.Unlock()
	if code != 0 {
		c.reply(w, "", code)
		return
	}
	switch {
	case cmd.Command == 0x0019 && cmd.Direction == "READ":
		c.reply(w, "<str>"+spaced(UTF16(c.opts.Name))+"</str>", 0)
	case (cmd.Command == 0x0cd4 || cmd.Command == 0x002f) && cmd.Direction == "READ":
		c.reply(w, "<str>9.40.0029</str>", 0)
	case cmd.Command == 0x002e && cmd.Direction == "READ":
		c.reply(w, "<str>AUTODOME IP starlight 7000i (simulated)</str>", 0)
	case cmd.Command == 0x0a51 && cmd.Direction == "READ":
		c.reply(w, "<hex>0x01</hex><dec>1</dec>", 0)
	case cmd.Command == 0x09a5 && cmd.Direction == "WRITE" && cmd.Type == "P_OCTET":
		out, code := c.bicom(cmd.Payload)
		c.reply(w, out, code)
	default:
		c.reply(w, "", 0x40)
	}
}

// bicom runs one BiCom message and returns the <result> content (or an <err> code).
func (c *Camera) bicom(p []byte) (string, int) {
	if len(p) < 6 {
		return "", 0x80
	}
	flags := p[0]
	h := 6
	if flags&0x08 != 0 {
		h += 6
		if len(p) < h {
			return "", 0x80
		}
	}
	server := int(p[h-5])<<8 | int(p[h-4])
	object := int(p[h-3])<<8 | int(p[h-2])
	action := p[h-1]
	data := p[h:]
	header := p[:h]
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advance(time.Now())
	fail := func(code int) (string, int) {
		if flags == 0x80 {
			return "", 0
		}
		e := append(append([]byte(nil), header[:h-1]...), 0x6f, byte(code>>8), byte(code))
		return "<len>" + strconv.Itoa(len(e)) + "</len><str>" + spaced(e) + "</str>", 0
	}
	ok := func(d []byte) (string, int) {
		if flags == 0x80 {
			return "", 0
		}
		out := append(append([]byte(nil), header...), d...)
		return "<len>" + strconv.Itoa(len(out)) + "</len><str>" + spaced(out) + "</str>", 0
	}
	switch {
	case server == 0x0006 && object == 0x0110 && action == 0x85:
		if len(data) != 3 {
			return fail(0x0011)
		}
		c.vel = [3]int{nibble(data[0], 15), nibble(data[1], 15), nibble(data[2], 7)}
		return ok(nil)
	case server == 0x0006 && object >= 0x2000 && object <= 0x2ff0 && object&0xf == 0:
		if c.opts.Legacy {
			return "", 0x40
		}
		n := (object-0x2000)>>4 + 1
		switch action {
		case 0x81:
			v, defined := c.presets[n]
			if !defined {
				return fail(0x0010)
			}
			c.view, c.vel = v, [3]int{}
			return ok(nil)
		case 0x80:
			c.presets[n] = c.view
			return ok(nil)
		case 0x84:
			bm := make([]byte, 32)
			for n := range c.presets {
				i, j := (n-1)/32, (n-1)%32
				bm[i*4+3-j/8] |= 1 << (j % 8)
			}
			return ok(bm)
		}
		return fail(0x0003)
	case server == 0x0002 && object == 0x01b0 && action == 0x80:
		if len(data) != 3 || data[0] != 0x07 || data[2] < 1 || data[2] > 99 {
			return fail(0x0010)
		}
		n := int(data[2])
		switch data[1] {
		case 0x05:
			if v, defined := c.presets[n]; defined {
				c.view, c.vel = v, [3]int{}
			}
		case 0x04:
			c.presets[n] = c.view
		default:
			return fail(0x0003)
		}
		return ok(nil)
	}
	return fail(0x0001)
}

// nibble reads a BiCom axis byte: bit 7 the positive direction, the rest the speed.
func nibble(b byte, top int) int {
	s := min(int(b&0x7f), top)
	if b&0x80 != 0 {
		return s
	}
	return -s
}

// reply writes an RCP+ answer with result (or <err>code when code is not 0).
func (c *Camera) reply(w http.ResponseWriter, result string, code int) {
	if code != 0 {
		result = fmt.Sprintf("<err>0x%02x</err>", code)
	}
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, "<rcp>\n<command><hex>0x0000</hex></command>\n<auth>2</auth>\n<payload/>\n<result>%s</result>\n</rcp>\n", result)
}

// spaced writes bytes as the camera does: "81 00 06 …".
func spaced(b []byte) string {
	parts := make([]string, len(b))
	for i, x := range b {
		parts[i] = fmt.Sprintf("%02x", x)
	}
	return strings.Join(parts, " ")
}
