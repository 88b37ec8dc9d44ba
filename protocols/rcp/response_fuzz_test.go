package rcp

import (
	"errors"
	"testing"

	"github.com/vigil-cctv/vigil/capture"
)

var responseSeeds = []string{
	`<rcp><command><hex>0x0a07</hex><dec>2567</dec></command><type>T_DWORD</type><direction>READ</direction><num>1</num><idstring/><payload/><cltid>0xd2f9</cltid><auth>2</auth><result><hex>0x00000033</hex><dec>51</dec></result></rcp>`,
	`<rcp><auth>2</auth><result><str>00 43 00 61 00 6d 00 65 00 72 00 61 00 20 00 31 00 00</str></result></rcp>`,
	`<rcp><result><err>0x40</err></result></rcp>`,
	`<rcp><result><len>8</len><str>81 00 06 01 12 01 f3 d1</str></result></rcp>`,
	`<rcp><result><str>85 00 06 20 00 6f 00 01</str></result></rcp>`,
	`<rcp><result><str>7.83.0027</str></result></rcp>`,
	`<html>not rcp</html>`,
	`<rcp><result><err>zz</err></result></rcp>`,
	"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rcp><result><str>K\xfcche</str></result></rcp>",
}

// FuzzParseResponse feeds arbitrary answers to the parser and the value decoders: they
// must never panic, and a parsed answer's values stay within the limits.
func FuzzParseResponse(f *testing.F) {
	for _, s := range responseSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseResponse(b)
		if err != nil {
			if !errors.Is(err, capture.ErrMalformed) && !errors.Is(err, capture.ErrTooLarge) {
				t.Fatalf("error without a kind: %v", err)
			}
			return
		}
		if v, err := r.Bytes(); err == nil {
			if len(v) > maxValueBytes {
				t.Fatalf("%d value bytes", len(v))
			}
			_, _ = BiComData(v)
		}
		if s, err := r.Unicode(); err == nil && len(s) > 1000 {
			t.Fatalf("name of %d bytes", len(s))
		}
		_, _ = r.Flag()
	})
}

func TestParseResponse(t *testing.T) {
	r, err := ParseResponse([]byte(responseSeeds[1]))
	if err != nil {
		t.Fatal(err)
	}
	if name, err := r.Unicode(); err != nil || name != "Camera 1" || r.Auth != 2 {
		t.Fatalf("name %q auth %d err %v", name, r.Auth, err)
	}
	r, err = ParseResponse([]byte(responseSeeds[2]))
	if err != nil || !r.HasErr || r.Err != 0x40 {
		t.Fatalf("err %v %+v", err, r)
	}
	r, _ = ParseResponse([]byte(responseSeeds[3]))
	b, _ := r.Bytes()
	if d, err := BiComData(b); err != nil || len(d) != 2 || d[0] != 0xf3 {
		t.Fatalf("data %x err %v", d, err)
	}
	r, _ = ParseResponse([]byte(responseSeeds[4]))
	b, _ = r.Bytes()
	if _, err := BiComData(b); err == nil || !errors.Is(err, capture.ErrUnsupported) {
		t.Fatalf("BiCom error: %v", err)
	}
	if _, err := ParseResponse(make([]byte, MaxResponseBytes+1)); !errors.Is(err, capture.ErrTooLarge) {
		t.Fatalf("oversize: %v", err)
	}
	if r, err := ParseResponse([]byte(responseSeeds[8])); err != nil || r.Str != "Küche" {
		t.Errorf("Latin-1 answer: %q, %v", r.Str, err)
	}
	for _, s := range responseSeeds[6:8] {
		if _, err := ParseResponse([]byte(s)); !errors.Is(err, capture.ErrMalformed) {
			t.Errorf("%s: %v", s, err)
		}
	}
}
