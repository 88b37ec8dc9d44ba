package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	vigil "github.com/vigil-cctv/vigil"
)

// secret is the password used throughout; no error text may ever contain it.
const secret = "Sup3rS3cret!"

// validCamera is a camera that passes Validate, for cases to spoil one key at a time.
const validCamera = `
  - name: Gate
    streams:
      - url: rtsp://192.168.1.20:554/Streaming/Channels/101
        size: 1920x1080
        name: main
      - url: rtsp://192.168.1.20:554/Streaming/Channels/102
        size: 640x360
        name: sub
    user: viewer
    password: "` + secret + `"
    fallback: http://192.168.1.20/snapshot.jpg
    transport: tcp
    fps: 12.5
`

const fullSettings = `# a comment
wall:
  layout: 3x3
  tiles: [Gate, "", Door, Demo 2]
cameras:` + validCamera + `
  - name: Door
    streams:
      - url: milestones://vms.example:8443/Front Door
demo:
  mjpeg: 2
  size: 640x360
  fps: 10
recording:
  root: /srv/video
log:
  level: debug
`

func mustParse(t *testing.T, data string) *Config {
	t.Helper()
	c, err := Parse([]byte(data))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return c
}

func assertNoSecret(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), secret) {
		t.Errorf("error shows the password:\n%v", err)
	}
}

func TestDefaultSettingsParseAndValidate(t *testing.T) {
	c := mustParse(t, string(vigil.DefaultSettings))
	if c.Wall.Layout != "auto" || c.Demo != (Demo{MJPEG: 11, Quiet: 1, RTSP: 2, PTZ: 1, ONVIF: 1, Size: "1280x720", FPS: 15}) || c.Cameras != nil {
		t.Errorf("default = %+v, want the 16-camera demo wall with no cameras", c)
	}
	if c.Log.LevelOrDefault() != "info" || c.Recording.Root != "" {
		t.Errorf("default log/recording = %+v %+v", c.Log, c.Recording)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	if got := c.Demo.CameraNames(); len(got) != 16 || got[0] != "Demo 1" || got[10] != "Demo 11" || got[11] != "Quiet 1" || got[13] != "RTSP 2" || got[14] != "PTZ 1" || got[15] != "ONVIF 1" {
		t.Errorf("CameraNames = %q", got)
	}
}

// The commented example camera in settings.yaml must itself be valid once uncommented.
func TestDefaultSettingsExampleCameraIsValid(t *testing.T) {
	text := string(vigil.DefaultSettings)
	start := strings.Index(text, "# cameras:\n")
	if start < 0 {
		t.Fatal("settings.yaml lost its commented camera example")
	}
	var b strings.Builder
	for _, line := range strings.Split(text[start:], "\n") {
		rest, ok := strings.CutPrefix(line, "#")
		if !ok || strings.TrimSpace(rest) == "" && b.Len() > 0 {
			break
		}
		b.WriteString(strings.TrimPrefix(rest, " ") + "\n")
	}
	c := mustParse(t, b.String())
	if len(c.Cameras) != 1 || len(c.Cameras[0].Streams) != 2 || c.Cameras[0].User == "" ||
		c.Cameras[0].Password == "" || c.Cameras[0].Fallback == "" || c.Cameras[0].Transport != "auto" {
		t.Errorf("example camera = %+v", c.Cameras)
	}
}

func TestParseFull(t *testing.T) {
	c := mustParse(t, fullSettings)
	want := Config{
		Wall: Wall{Layout: "3x3", Tiles: []string{"Gate", "", "Door", "Demo 2"}},
		Cameras: []Camera{{
			Name: "Gate",
			Streams: []Stream{
				{URL: "rtsp://192.168.1.20:554/Streaming/Channels/101", Size: "1920x1080", Name: "main"},
				{URL: "rtsp://192.168.1.20:554/Streaming/Channels/102", Size: "640x360", Name: "sub"},
			},
			User: "viewer", Password: secret, Fallback: "http://192.168.1.20/snapshot.jpg",
			Transport: "tcp", FPS: 12.5,
		}, {
			Name:    "Door",
			Streams: []Stream{{URL: "milestones://vms.example:8443/Front Door"}},
		}},
		Demo:      Demo{MJPEG: 2, Size: "640x360", FPS: 10},
		Recording: Recording{Root: "/srv/video"},
		Log:       Log{Level: "debug"},
	}
	c.loaded = nil
	if !reflect.DeepEqual(*c, want) {
		t.Errorf("Parse =\n%+v\nwant\n%+v", *c, want)
	}
	if w, h, ok := c.Cameras[0].Streams[1].Dimensions(); !ok || w != 640 || h != 360 {
		t.Errorf("Dimensions = %d, %d, %v", w, h, ok)
	}
	if _, _, ok := c.Cameras[1].Streams[0].Dimensions(); ok {
		t.Error("Dimensions of a stream without size: ok")
	}
	if cam, ok := c.Camera("door"); !ok || cam.Name != "Door" {
		t.Errorf("Camera(door) = %v, %v", cam.Name, ok)
	}
	if got := c.Cameras[1].TransportOrDefault(); got != "auto" {
		t.Errorf("TransportOrDefault = %q", got)
	}
}

func TestParseEmptyUsesDefaults(t *testing.T) {
	for _, data := range []string{"", "# nothing\n", "~\n", "{}\n"} {
		c := mustParse(t, data)
		if c.Wall.Layout != DefaultLayout || c.Log.Level != DefaultLogLevel || c.Demo.MJPEG != 0 {
			t.Errorf("Parse(%q) = %+v, want defaults", data, c)
		}
		if w, h, ok := c.Demo.Dimensions(); !ok || w != 1280 || h != 720 || c.Demo.FPSOrDefault() != 15 {
			t.Errorf("demo defaults = %dx%d %v fps %v", w, h, ok, c.Demo.FPSOrDefault())
		}
	}
}

// Each case spoils one thing; the error must name the key path and say what is wrong.
var invalidCases = []struct {
	name string
	yaml string
	want []string // substrings of the error, all required
}{
	{"bad scheme", `cameras: [{name: Gate, streams: [{url: "htp://x"}]}]`,
		[]string{`line 1: cameras[0] "Gate": streams[0].url "htp://x": unsupported scheme "htp" (want http, https, rtsp, rtsps, milestone, milestones, onvif, onvifs, demo, push, file)`}},
	{"no scheme", `cameras: [{name: Gate, streams: [{url: "192.168.1.2/video"}]}]`,
		[]string{`streams[0].url "192.168.1.2/video": missing scheme`}},
	{"unparsable url", `cameras: [{name: Gate, streams: [{url: "http://[::1/x"}]}]`,
		[]string{`streams[0].url "http://[::1/x": not a valid URL`}},
	{"password in url", `cameras: [{name: Gate, streams: [{url: "rtsp://admin:` + secret + `@10.0.0.1/a"}]}]`,
		[]string{`streams[0].url "rtsp://10.0.0.1/a": put credentials in user/password, not in the URL`}},
	{"user only in url", `cameras: [{name: Gate, streams: [{url: "rtsp://admin@10.0.0.1/a"}]}]`,
		[]string{`streams[0].url "rtsp://10.0.0.1/a": put credentials in user/password, not in the URL`}},
	{"password in query", `cameras: [{name: Gate, streams: [{url: "http://cam/snap.cgi?user=a&pwd=` + secret + `"}]}]`,
		[]string{`"http://cam/snap.cgi?user=a&pwd=xxxxx": put credentials in user/password, not in the URL`}},
	{"password in fallback", `cameras: [{name: Gate, streams: [{url: "rtsp://cam/a"}], fallback: "http://u:` + secret + `@cam/s.jpg"}]`,
		[]string{`cameras[0] "Gate": fallback "http://cam/s.jpg": put credentials in user/password`}},
	{"missing host", `cameras: [{name: Gate, streams: [{url: "rtsp:///a"}]}]`,
		[]string{`streams[0].url "rtsp:///a": missing host`}},
	{"opaque http", `cameras: [{name: Gate, streams: [{url: "http:cam"}]}]`,
		[]string{`streams[0].url "http:cam": missing host`}},
	{"bad port", `cameras: [{name: Gate, streams: [{url: "rtsp://cam:70000/a"}]}]`,
		[]string{`streams[0].url "rtsp://cam:70000/a": port must be 1 to 65535`}},
	{"milestone without camera", `cameras: [{name: Gate, streams: [{url: "milestones://vms"}]}]`,
		[]string{`streams[0].url "milestones://vms": missing camera after the host`}},
	// push:// is checked by its protocol (issue 14; before, issue 11, no protocol built it).
	{"push without port", `cameras: [{name: Gate, streams: [{url: "push://host/cam"}]}]`,
		[]string{`streams[0].url "push://host/cam": missing port (want push://HOST:PORT/NAME)`}},
	{"demo without pattern", `cameras: [{name: Gate, streams: [{url: "demo://"}]}]`,
		[]string{`streams[0].url "demo://": missing pattern`}},
	{"empty url", `cameras: [{name: Gate, streams: [{url: ""}]}]`,
		[]string{`cameras[0] "Gate": streams[0].url: empty`}},
	{"no streams", `cameras: [{name: Gate}]`,
		[]string{`cameras[0] "Gate": streams: at least one stream URL is needed`}},
	{"bad size", `cameras: [{name: Gate, streams: [{url: "rtsp://cam/a", size: "1920*1080"}]}]`,
		[]string{`cameras[0] "Gate": streams[0].size "1920*1080": want WIDTHxHEIGHT`}},
	{"zero size", `cameras: [{name: Gate, streams: [{url: "rtsp://cam/a", size: "0x1080"}]}]`,
		[]string{`streams[0].size "0x1080": width and height must be 1 to 16384`}},
	{"unquoted hex size", `cameras: [{name: Gate, streams: [{url: "rtsp://cam/a", size: 0x10}]}]`,
		[]string{`streams[0].size: put the value in quotes`}},
	{"duplicate stream name", `cameras: [{name: Gate, streams: [{url: "rtsp://cam/a", name: main}, {url: "rtsp://cam/b", name: main}]}]`,
		[]string{`streams[1].name "main": already used by streams[0]`}},
	{"bad layout", `wall: {layout: 3x4}`,
		[]string{`line 1: wall.layout "3x4": unsupported layout (want auto, 1, 2x2, 3x3, 4x4, 5x5, 6x6, 8x8)`}},
	{"too many tiles", "wall: {tiles: [" + strings.Repeat("\"\", ", 64) + "\"\"]}",
		[]string{`wall.tiles: 65 entries, at most 64 allowed`}},
	{"unknown tile camera", `wall: {tiles: [Nobody]}`,
		[]string{`wall.tiles[0] "Nobody": no camera has this name`}},
	{"tile placed twice", "wall: {tiles: [Demo 1, Demo 1]}\ndemo: {mjpeg: 1}",
		[]string{`wall.tiles[1] "Demo 1": camera already placed in wall.tiles[0]`}},
	{"empty name", `cameras: [{streams: [{url: "rtsp://cam/a"}]}]`,
		[]string{`cameras[0].name: empty (every camera needs a unique name)`}},
	{"duplicate name", "cameras:\n  - {name: Gate, streams: [{url: \"rtsp://cam/a\"}]}\n  - {name: GATE, streams: [{url: \"rtsp://cam/b\"}]}",
		[]string{`line 3: cameras[1] "GATE": name "GATE": already used by cameras[0]`}},
	{"name clashes with demo", "cameras: [{name: Demo 1, streams: [{url: \"rtsp://cam/a\"}]}]\ndemo: {mjpeg: 1}",
		[]string{`cameras[0] "Demo 1": name "Demo 1": already used by demo camera 1`}},
	{"name with slash", `cameras: [{name: "../etc", streams: [{url: "rtsp://cam/a"}]}]`,
		[]string{`cameras[0] "../etc": name "../etc": contains "/"`}},
	{"bad transport", `cameras: [{name: Gate, streams: [{url: "rtsp://cam/a"}], transport: TCP}]`,
		[]string{`cameras[0] "Gate": transport "TCP": unsupported transport (want auto, tcp, udp)`}},
	{"negative fps", `cameras: [{name: Gate, streams: [{url: "rtsp://cam/a"}], fps: -1}]`,
		[]string{`cameras[0] "Gate": fps "-1": negative`}},
	{"nan fps", `cameras: [{name: Gate, streams: [{url: "rtsp://cam/a"}], fps: .nan}]`,
		[]string{`cameras[0] "Gate": fps: want a finite number`}},
	{"text fps", `cameras: [{name: Gate, streams: [{url: "rtsp://cam/a"}], fps: fast}]`,
		[]string{`cameras[0] "Gate": fps: want a number, got text`}},
	{"demo count", `demo: {mjpeg: -2}`, []string{`demo.mjpeg "-2": want 0 (off) to 64 cameras`}},
	{"demo fraction", `demo: {mjpeg: 1.5}`, []string{`demo.mjpeg: want a whole number, got a number`}},
	{"demo size", `demo: {size: big}`, []string{`demo.size "big": want WIDTHxHEIGHT`}},
	{"demo fps", `demo: {fps: -15}`, []string{`demo.fps "-15": negative`}},
	{"log level", `log: {level: loud}`, []string{`log.level "loud": unsupported level (want debug, info, warn, error)`}},
	{"relative root", `recording: {root: videos}`, []string{`recording.root "videos": want an absolute folder`}},
	{"unknown key", "cameras:\n  - name: Gate\n    strems: []\n",
		[]string{`line 3: cameras[0] "Gate": strems: unknown key (did you mean "streams"?)`}},
	{"unknown top key", "wal: {layout: auto}\n", []string{`line 1: wal: unknown key (did you mean "wall"?)`}},
	{"upper-case key", "Wall: {layout: auto}\n", []string{`Wall: unknown key (keys are lower-case: "wall")`}},
	{"key twice", "log: {level: info}\nlog: {level: debug}\n", []string{`line 2: log: set twice (first on line 1)`}},
	{"list expected", `cameras: {name: Gate}`, []string{`cameras: want a list`}},
	{"section expected", `wall: auto`, []string{`wall: want a section of keys, got text`}},
	{"not yaml", "wall: [\n", []string{"not valid YAML"}},
	{"bool password", `cameras: [{name: Gate, user: u, password: true, streams: [{url: "rtsp://cam/a"}]}]`,
		[]string{`cameras[0] "Gate": password: put the value in quotes`}},
	{"list password", "cameras: [{name: Gate, user: u, password: [\"" + secret + "\"], streams: [{url: \"rtsp://cam/a\"}]}]",
		[]string{`cameras[0] "Gate": password: want text`}},
}

func TestValidationErrors(t *testing.T) {
	for _, tc := range invalidCases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(tc.yaml))
			if err == nil {
				t.Fatalf("Parse accepted it: %+v", c)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\nlacks %q", err, w)
				}
			}
			assertNoSecret(t, err)
		})
	}
}

func TestAllProblemsReportedAtOnce(t *testing.T) {
	data := `
wall: {layout: 3x4}
cameras:
  - name: Gate
    strems: []
    streams: [{url: "htp://x"}]
  - name: gate
    streams: [{url: "rtsp://a:` + secret + `@cam/x"}]
    transport: quic
log: {level: loud}
`
	_, err := Parse([]byte(data))
	problems := Problems(err)
	var paths []string
	for _, p := range problems {
		paths = append(paths, p.Path)
		if p.Line == 0 {
			t.Errorf("%v: no line", p)
		}
	}
	want := []string{"wall.layout", "cameras[0].strems", "cameras[0].streams[0].url", "cameras[1].name",
		"cameras[1].streams[0].url", "cameras[1].transport", "log.level"}
	if !reflect.DeepEqual(paths, want) {
		t.Errorf("problem paths = %q, want %q\n%v", paths, want, err)
	}
	assertNoSecret(t, err)
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Path != "wall.layout" {
		t.Errorf("errors.As FieldError = %v", fe)
	}
}

// Every way a password could reach an error message, in one place.
func TestPasswordsNeverInErrors(t *testing.T) {
	cases := []string{
		`cameras: [{name: Gate, streams: [{url: "rtsp://admin:` + secret + `@cam/a"}]}]`,
		`cameras: [{name: Gate, streams: [{url: "rtsp://admin:` + secret + `@cam:99999/a"}]}]`,
		`cameras: [{name: Gate, streams: [{url: "htp://admin:` + secret + `@cam/a"}]}]`,
		`cameras: [{name: Gate, streams: [{url: "http://admin:` + secret + `%zz@cam/a"}]}]`,
		`cameras: [{name: Gate, streams: [{url: "http://[admin:` + secret + `@cam/a"}]}]`,
		`cameras: [{name: Gate, streams: [{url: "http://cam/a?password=` + secret + `"}]}]`,
		`cameras: [{name: Gate, password: "` + secret + `", streams: [{url: "rtsp://cam/a"}], pasword: x}]`,
		`cameras: [{name: Gate, password: {x: "` + secret + `"}, streams: [{url: "rtsp://cam/a"}]}]`,
		`cameras: [{name: "` + secret + `/x", password: "` + secret + `", streams: [{url: "rtsp://cam/a"}]}]`,
		`cameras: [{name: Gate, user: "` + secret + `", password: "` + secret + `", streams: [{url: "x"}], fallback: "rtsp://a:` + secret + `@b/c"}]`,
	}
	for _, data := range cases {
		_, err := Parse([]byte(data))
		if err == nil {
			t.Errorf("Parse(%s) accepted it", data)
			continue
		}
		assertNoSecret(t, err)
	}
	c := mustParse(t, fullSettings)
	c.Cameras[0].Streams[0].URL = "rtsp://u:" + secret + "@cam/a"
	c.Cameras[0].Fallback = "rtsp://u:" + secret + "@cam/b"
	err := Save(c, filepath.Join(t.TempDir(), "s.yaml"))
	if err == nil {
		t.Fatal("Save accepted a password in a URL")
	}
	assertNoSecret(t, err)
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"rtsp://u:p@cam/a":                "rtsp://cam/a",
		"rtsp://u@cam/a?x=1":              "rtsp://cam/a?x=1",
		"http://cam/a?user=u&pwd=p&x=@":   "http://cam/a?user=u&pwd=xxxxx&x=@",
		"http://cam/a?Password=p#frag":    "http://cam/a?Password=xxxxx#frag",
		"u:p@cam/a":                       "cam/a",
		"http://[u:p@cam":                 "http://cam",
		"milestones://vms/Front@Door":     "milestones://vms/Front@Door",
		"rtsp://a:b@c@cam:554/x":          "rtsp://cam:554/x",
		"http://cam/?connectiontoken=TOK": "http://cam/?connectiontoken=xxxxx",
	} {
		if got := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRecordingDir(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	noFile := func(string) ([]byte, error) { return nil, os.ErrNotExist }
	userDirs := func(string) ([]byte, error) {
		return []byte("# xdg\nXDG_DESKTOP_DIR=\"$HOME/Desktop\"\nXDG_VIDEOS_DIR=\"$HOME/Filme\"\n"), nil
	}
	for _, tc := range []struct {
		name, root string
		getenv     func(string) string
		readFile   func(string) ([]byte, error)
		want       string
	}{
		{"explicit", "/srv/video/", env(nil), noFile, "/srv/video"},
		{"tilde", "~/clips", env(nil), noFile, "/home/ann/clips"},
		{"xdg env", "", env(map[string]string{"XDG_VIDEOS_DIR": "/data/vids"}), userDirs, "/data/vids/vigil"},
		{"user-dirs", "", env(nil), userDirs, "/home/ann/Filme/vigil"},
		{"fallback", "", env(nil), noFile, "/home/ann/Videos/vigil"},
	} {
		got, err := recordingDir(tc.root, tc.getenv, "/home/ann", nil, "/home/ann/.config", tc.readFile)
		if err != nil || got != tc.want {
			t.Errorf("%s: recordingDir = %q, %v, want %q", tc.name, got, err, tc.want)
		}
	}
	if _, err := recordingDir("", env(nil), "", errors.New("no home"), "", noFile); err == nil {
		t.Error("no home and no XDG_VIDEOS_DIR: no error")
	}
	t.Setenv("XDG_VIDEOS_DIR", "/media/v")
	if got, err := (Recording{}).Dir(); err != nil || got != "/media/v/vigil" {
		t.Errorf("Dir = %q, %v", got, err)
	}
}

func TestProblemsAreCapped(t *testing.T) {
	data := "cameras:\n" + strings.Repeat("  - {name: x, streams: [{url: \"demo://a\"}]}\n", 200)
	_, err := Parse([]byte(data))
	if got := len(Problems(err)); got != maxProblems {
		t.Errorf("%d problems listed, want %d", got, maxProblems)
	}
	if err == nil || !strings.HasSuffix(err.Error(), "… and 149 more problems") {
		t.Errorf("error does not say how many more: …%s", err.Error()[max(0, len(err.Error())-80):])
	}
}

func TestTrustListPinsServers(t *testing.T) {
	fp := strings.Repeat("AB:", 31) + "AB"
	c := mustParse(t, "demo:\n  mjpeg: 0\ntrust:\n  - host: vms.example\n    sha256: \""+fp+"\"\n  - host: 10.0.0.5:8443\n    sha256: \""+strings.ToLower(strings.ReplaceAll(fp, ":", ""))+"\"\n")
	if c.Pin("vms.example:443") != fp || c.Pin("10.0.0.5:8443") == "" || c.Pin("vms.example:8443") != "" {
		t.Fatalf("pins: %q %q %q", c.Pin("vms.example:443"), c.Pin("10.0.0.5:8443"), c.Pin("vms.example:8443"))
	}
	// An IPv6 host without a port means 443; an rtsps camera is pinned with its port.
	c = &Config{Trust: []Trusted{{Host: "[::1]", SHA256: fp}, {Host: "cam.example:322", SHA256: fp}}}
	if c.Pin("[::1]:443") != fp || c.Pin("[::1]:322") != "" || c.Pin("CAM.example:322") != fp || c.Pin("cam.example:443") != "" {
		t.Fatalf("IPv6 or rtsps pins: %+v", c.Trust)
	}
	_, err := Parse([]byte("trust:\n  - host: \"\"\n    sha256: \"12:34\"\n"))
	if err == nil || !strings.Contains(err.Error(), "trust[0].sha256") || !strings.Contains(err.Error(), "trust[0].host") {
		t.Fatalf("bad trust entry: %v", err)
	}
}

func TestSitesValidatedAndTrustAdded(t *testing.T) {
	c := &Config{Wall: Wall{Layout: "auto"}, Sites: []Site{
		{URL: "milestones://vms.example:8443", User: "op", Password: "hunter2"},
		{URL: "milestones://op:hunter2@vms2"},
		{URL: "milestone://vms3/Camera 1"},
		{URL: "rtsp://vms4"},
		{Name: "VMS.EXAMPLE:8443", URL: "milestone://other"},
	}}
	err := c.Validate()
	if err == nil {
		t.Fatal("bad sites accepted")
	}
	msg := err.Error()
	for _, want := range []string{"sites[1].url", "credentials", "sites[2].url", "no camera", "sites[3].url", "sites[4].name"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "hunter2") || strings.Contains(msg, "sites[0].") {
		t.Fatalf("error shows a password or refuses a good site:\n%s", msg)
	}
	if got := c.Sites[0].Label(); got != "vms.example:8443" {
		t.Fatalf("label %q", got)
	}
	fp := strings.Repeat("AB:", 31) + "AB"
	if !c.AddTrust("vms.example:8443", fp) || c.AddTrust("vms.example:8443", fp) || c.Pin("vms.example:8443") != fp {
		t.Fatal("AddTrust did not pin once")
	}
	fp2 := strings.Repeat("CD:", 31) + "CD"
	if !c.AddTrust("vms.example:8443", fp2) || len(c.Trust) != 1 || c.Pin("vms.example:8443") != fp2 {
		t.Fatalf("re-pin did not replace: %+v", c.Trust)
	}
}

func TestRecordingSettingsValidated(t *testing.T) {
	c := &Config{Wall: Wall{Layout: "auto"}, Recording: Recording{SegmentMinutes: -1, MaxSizeGB: -2, MinFreeMB: -1, PreRollSeconds: 90},
		Cameras: []Camera{{Name: "A", Streams: []Stream{{URL: "rtsp://a/"}}, Record: "always"}}}
	err := c.Validate()
	if err == nil {
		t.Fatal("bad recording settings accepted")
	}
	for _, want := range []string{"recording.segment_minutes", "recording.max_size_gb", "recording.pre_roll_seconds", `record "always"`, "want continuous, motion or off"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "min_free_mb") {
		t.Errorf("min_free_mb -1 (disabled) refused: %v", err)
	}
}

// TestBrokenURLNeverShowsItsPassword: a password with '/', '#', '?' or '%' breaks the URL
// it was typed into; the error names the problem without any form of the password
// (issue 10: `parse "http://admin:ab/cd@…": invalid port` on stderr).
func TestBrokenURLNeverShowsItsPassword(t *testing.T) {
	for _, pw := range []string{"ab/cd3fgh", "12/34567", "ab#cd3fgh", "ab?cd3fgh", "p%zz3fgh", "50%off3fgh"} {
		for _, key := range []string{"cameras:\n  - name: Gate\n    streams: [{url: %q}]", "cameras:\n  - name: Gate\n    streams: [{url: \"rtsp://cam/a\"}]\n    fallback: %q",
			"sites:\n  - name: HQ\n    url: %q"} {
			raw := "http://admin:" + pw + "@10.0.0.5:8080/video"
			if strings.HasPrefix(key, "sites") {
				raw = "milestones://admin:" + pw + "@10.0.0.5:8443"
			}
			yaml := fmt.Sprintf(key, raw) + "\n"
			_, err := Parse([]byte(yaml))
			if err == nil {
				t.Fatalf("%s: accepted", raw)
			}
			msg := err.Error()
			b64 := base64.StdEncoding.EncodeToString([]byte("admin:" + pw))
			for _, form := range []string{pw, url.QueryEscape(pw), url.PathEscape(pw), b64, "3fgh", "admin:"} {
				if strings.Contains(msg, form) {
					t.Fatalf("%s: error shows %q:\n%s", raw, form, msg)
				}
			}
			if !strings.Contains(msg, "not a valid URL") && !strings.Contains(msg, "credentials") && !strings.Contains(msg, "want milestones://") {
				t.Fatalf("%s: error does not say what is wrong:\n%s", raw, msg)
			}
		}
	}
}

func TestAnalyticsSettings(t *testing.T) {
	for _, tc := range []struct{ db, dataHome, want string }{
		{"", "/data", "/data/vigil/events.db"},
		{"", "", "/home/ann/.local/share/vigil/events.db"},
		{"~/ev.db", "/data", "/home/ann/ev.db"},
		{"/srv/events.db", "", "/srv/events.db"},
		{"postgres://desk@db/vigil", "", "postgres://desk@db/vigil"},
	} {
		if got, err := analyticsDSN(tc.db, tc.dataHome, "/home/ann", nil); err != nil || got != tc.want {
			t.Errorf("analyticsDSN(%q, %q) = %q, %v, want %q", tc.db, tc.dataHome, got, err, tc.want)
		}
	}
	c, err := Parse([]byte("analytics:\n  database: postgres://desk:pa55word@db:5432/vigil\n  max_age_days: 7\n  max_size_mb: -1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if age, size := c.Analytics.Retention(); c.Analytics.Database != "postgres://desk:pa55word@db:5432/vigil" || age != 7 || size != 0 {
		t.Fatalf("analytics = %+v, retention %v %v", c.Analytics, age, size)
	}
	_, err = Parse([]byte("analytics:\n  database: mysql://desk:pa55word@db/vigil\n  max_age_days: -3\n  max_size: 1\n"))
	if err == nil {
		t.Fatal("bad analytics settings accepted")
	}
	for _, want := range []string{"analytics.database", "unsupported database URL", "analytics.max_age_days", "max_size"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "pa55word") {
		t.Errorf("the password was shown: %v", err)
	}
}
