package config

import (
	"strings"
	"testing"
)

func TestPTZBlock(t *testing.T) {
	isolate(t)
	const head = "cameras:\n  - name: Dome\n    streams:\n      - url: rtsp://10.0.0.5/?inst=1\n"
	good := head + "    ptz:\n      kind: rcp\n      url: rcps://10.0.0.5/\n      user: service\n      password: hunter22\n"
	c, err := Parse([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if p := c.Cameras[0].PTZ; p.Kind != "rcp" || p.URL != "rcps://10.0.0.5/" || p.Password != "hunter22" {
		t.Fatalf("ptz %+v", p)
	}
	out, err := c.Marshal()
	if err != nil || !strings.Contains(string(out), "ptz:") {
		t.Fatalf("marshal: %v\n%s", err, out)
	}
	if c2, err := Parse(out); err != nil || c2.Cameras[0].PTZ != c.Cameras[0].PTZ {
		t.Fatalf("round trip: %v", err)
	}
	if _, err := Parse([]byte(head + "    ptz:\n      kind: milestone\n")); err != nil {
		t.Fatalf("milestone without url: %v", err)
	}

	for _, tc := range []struct{ yaml, want string }{
		{head + "    ptz:\n      kind: pelco\n      url: rcp://h/\n", "ptz.kind"},
		{head + "    ptz:\n      kind: rcp\n      url: onvif://h/\n", "does not match the kind"},
		{head + "    ptz:\n      kind: onvif\n      url: rcp://h/\n", "does not match the kind"},
		{head + "    ptz:\n      kind: rcp\n", "ptz.url"},
		{head + "    ptz:\n      kind: rcp\n      url: rcp://service:hunter22@h/\n", "not in the URL"},
		{head + "    ptz:\n      kind: rcp\n      url: rcp://h/\n      profile: P1\n", "only an onvif"},
		{head + "    ptz:\n      kind: rcp\n      url: rcp://h/\n      colour: red\n", "colour"},
		{"cameras:\n  - name: Dome\n    streams:\n      - url: rcp://10.0.0.5/\n", "PTZ address"},
	} {
		_, err := Parse([]byte(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want it to say %q", tc.yaml, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "hunter22") {
			t.Errorf("the password shows in %v", err)
		}
	}
}
