// Package config holds Vigil's typed settings: what cameras exist, how the wall is laid out,
// the demo cameras, where recordings go and how much is logged.
//
// Settings are loaded through viper in layers — defaults, then the file, then the
// environment (VIGIL_ prefix) — and checked strictly by Validate: an unknown key, a bad URL,
// a password inside a URL, a duplicate camera name are all errors, reported together with
// the key path and line that hold them. Settings are saved atomically from the typed struct
// (never viper's WriteConfig), so defaults and environment values are never written back.
// See DESIGN.md "Settings" and "Sources by URL".
package config

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/vigil-cctv/vigil/capture"
)

// Config is the whole of Vigil's settings, as in settings.yaml.
type Config struct {
	// Wall is the grid of live tiles.
	Wall Wall `mapstructure:"wall" yaml:"wall"`
	// Cameras are the real cameras, in the order the wall fills by default.
	Cameras []Camera `mapstructure:"cameras" yaml:"cameras"`
	// Demo asks the app to serve simulated cameras on 127.0.0.1 and put them on the wall.
	Demo Demo `mapstructure:"demo" yaml:"demo"`
	// Recording says where recordings go.
	Recording Recording `mapstructure:"recording" yaml:"recording"`
	// Analytics says where the analyzers' events are kept.
	Analytics Analytics `mapstructure:"analytics" yaml:"analytics,omitempty"`
	// Log says how much is logged.
	Log Log `mapstructure:"log" yaml:"log"`
	// Trust lists servers whose certificate is accepted by its SHA-256 fingerprint even
	// though no authority vouches for it (a VMS or camera with a self-signed certificate).
	Trust []Trusted `mapstructure:"trust" yaml:"trust,omitempty"`
	// Sites are video management servers (Milestone XProtect) Vigil logs in to: the
	// sidebar lists their cameras grouped by recording server, and a camera put on a tile
	// is saved to Cameras like any other.
	Sites []Site `mapstructure:"sites" yaml:"sites,omitempty"`
	// Push are listeners frame pushers connect to (see Push).
	Push []Push `mapstructure:"push" yaml:"push,omitempty"`
	// Views are named arrangements of the wall (Milestone Smart Client's views): the
	// toolbar's view selector switches between them, Ctrl+1…9 picks one.
	Views []View `mapstructure:"views" yaml:"views,omitempty"`

	// loaded remembers, for each scalar key that defaults or the environment can set,
	// what the file said and what was loaded, so Save writes back neither defaults nor
	// environment values. Nil for a Config built in code.
	loaded map[string]provenance
}

// Site is one video management server.
type Site struct {
	// Name labels the site in the sidebar. It defaults to the server's host.
	Name string `mapstructure:"name" yaml:"name,omitempty"`
	// URL is the management server: milestones://host[:port] (HTTPS) or milestone://host
	// (plain HTTP, labs). No credentials and no camera in it.
	URL string `mapstructure:"url" yaml:"url"`
	// User and Password of an XProtect Basic user; the password is never logged or shown.
	User     string `mapstructure:"user" yaml:"user,omitempty"`
	Password string `mapstructure:"password" yaml:"password,omitempty"`
}

// Label is the site's name, else its host.
func (s Site) Label() string {
	if s.Name != "" {
		return s.Name
	}
	if u, err := url.Parse(s.URL); err == nil && u.Host != "" {
		return u.Host
	}
	return s.URL
}

// AddTrust pins a server's certificate fingerprint, replacing an older pin of the same
// server, and reports whether anything changed.
func (c *Config) AddTrust(hostPort, sha256 string) bool {
	for i, t := range c.Trust {
		if strings.EqualFold(t.hostPort(), hostPort) {
			if strings.EqualFold(t.SHA256, sha256) {
				return false
			}
			c.Trust[i].SHA256 = sha256
			return true
		}
	}
	c.Trust = append(c.Trust, Trusted{Host: hostPort, SHA256: sha256})
	return true
}

// Trusted is one server whose certificate is pinned.
type Trusted struct {
	// Host is the server as "host" or "host:port" (port 443 when omitted).
	Host string `mapstructure:"host" yaml:"host"`
	// SHA256 is the certificate's fingerprint as `vigil probe --insecure` prints it
	// (colons and case do not matter).
	SHA256 string `mapstructure:"sha256" yaml:"sha256"`
}

// Pin returns the pinned fingerprint for host:port, or "": what every TLS source (https,
// rtsps, milestones) trusts a certificate by when no authority vouches for it.
func (c *Config) Pin(hostPort string) string {
	for _, t := range c.Trust {
		if strings.EqualFold(t.hostPort(), hostPort) {
			return t.SHA256
		}
	}
	return ""
}

// hostPort is Host with its port, 443 when it names none ("vms", "[::1]").
func (t Trusted) hostPort() string {
	h := t.Host
	if !strings.Contains(h, ":") || strings.HasSuffix(h, "]") {
		h = net.JoinHostPort(strings.Trim(h, "[]"), "443")
	}
	return h
}

// Camera is one camera: a name, the URLs of its streams, and how to log in.
type Camera struct {
	// Name is shown on the tile and names the camera's recordings folder, so it must be
	// unique (ignoring case), and may not contain "/" or "\" or control characters.
	Name string `mapstructure:"name" yaml:"name"`
	// Streams are one or more URLs of the same picture (for example a camera's main and
	// sub stream). The first stream's scheme picks the protocol. URLs carry no credentials.
	Streams []Stream `mapstructure:"streams" yaml:"streams"`
	// User is the login name for the camera. It defaults to none.
	User string `mapstructure:"user" yaml:"user,omitempty"`
	// Password goes with User. It is never logged or shown in an error.
	Password string `mapstructure:"password" yaml:"password,omitempty"`
	// Fallback is an optional URL shown while the streams are down (for example a JPEG
	// snapshot endpoint). It follows the same rules as a stream URL.
	Fallback string `mapstructure:"fallback" yaml:"fallback,omitempty"`
	// Transport is the RTSP transport: "auto", "tcp" or "udp". It defaults to auto
	// (empty means auto); see TransportOrDefault.
	Transport string `mapstructure:"transport" yaml:"transport,omitempty"`
	// FPS is the camera's expected frame rate, and the poll rate of a snapshot (single
	// JPEG) URL. It defaults to 0, meaning unknown.
	FPS float64 `mapstructure:"fps" yaml:"fps,omitempty"`
	// Record is "continuous" to record the camera whenever Vigil runs, "motion" to record
	// while its analyzers see something (with the pre-roll, and 10 s after), or "off"
	// (the default, empty means off): recordings are then started from the tile.
	Record string `mapstructure:"record" yaml:"record,omitempty"`
	// Analyzers run on the camera's stream while Vigil runs: "motion", a built-in
	// detector, or a model's name (Config.AnalyzerNames lists them). Empty: none.
	Analyzers []string `mapstructure:"analyzers" yaml:"analyzers,omitempty"`
	// Motion tunes the motion analyzer: zones and masks. Nil: the whole picture.
	Motion *Motion `mapstructure:"motion" yaml:"motion,omitempty"`
	// PTZ is how the camera's pan-tilt-zoom head is driven, when it has one (empty Kind:
	// none). See ptz.go.
	PTZ PTZ `mapstructure:"ptz" yaml:"ptz,omitempty"`
}

// Stream is one URL of a camera's picture.
type Stream struct {
	// URL of the stream, without user or password (see Camera.User).
	URL string `mapstructure:"url" yaml:"url"`
	// Size is the picture size as "WIDTHxHEIGHT", for example "1920x1080". It is optional;
	// when known the wall picks the smallest stream that fills a tile.
	Size string `mapstructure:"size" yaml:"size,omitempty"`
	// Name is an optional label such as "main" or "sub".
	Name string `mapstructure:"name" yaml:"name,omitempty"`
}

// Wall is the grid of live tiles.
type Wall struct {
	// Layout is "auto", "1", "2x2", "3x3", "4x4", "5x5", "6x6" or "8x8". It defaults to
	// auto: the smallest of those grids that fits every camera. Empty means auto.
	Layout string `mapstructure:"layout" yaml:"layout"`
	// Tiles optionally places cameras: the camera name for each tile position, left to
	// right, top to bottom; "" leaves a tile empty. Empty means cameras in list order.
	// Positions beyond a fixed layout's grid are kept (up to MaxTiles) and come back
	// when the grid grows.
	Tiles []string `mapstructure:"tiles" yaml:"tiles,omitempty"`
	// View is the name of the view the wall last showed (one of Views), so it comes back
	// at the next start. Empty: none.
	View string `mapstructure:"view" yaml:"view,omitempty"`
	// Windows are the views shown in windows besides the main one (a second monitor),
	// opened again at the next start.
	Windows []string `mapstructure:"windows" yaml:"windows,omitempty"`
}

// View is one named arrangement of the wall: a layout and the camera per position.
type View struct {
	// Name labels the view in the view selector; unique, ignoring case.
	Name string `mapstructure:"name" yaml:"name"`
	// Layout is one of the wall's layouts (see Wall.Layout). Empty means auto.
	Layout string `mapstructure:"layout" yaml:"layout"`
	// Tiles is the camera name per position, as Wall.Tiles. A name no camera has (a
	// camera removed since) is kept: the wall shows an empty tile with that name.
	Tiles []string `mapstructure:"tiles" yaml:"tiles,omitempty"`
}

// View returns the view with the given name (ignoring case), or false.
func (c *Config) View(name string) (View, bool) {
	for _, v := range c.Views {
		if strings.EqualFold(v.Name, name) {
			return v, true
		}
	}
	return View{}, false
}

// Demo asks the app to serve simulated cameras in-process on 127.0.0.1 over the real
// protocols and put them on the wall, so there is something to see with nothing configured.
type Demo struct {
	// MJPEG is how many simulated MJPEG-over-HTTP cameras to serve. It defaults to 0 (off).
	MJPEG int `mapstructure:"mjpeg" yaml:"mjpeg"`
	// Quiet is how many quiet demo MJPEG cameras to serve, shown as "Quiet 1", …: a still
	// street in which one person walks through at known times of a 30 s loop (8 s to
	// 14 s), with motion analysis on, so the motion border and the events pane show
	// something with nothing configured. It defaults to 0 (off); the built-in settings
	// have 1.
	Quiet int `mapstructure:"quiet" yaml:"quiet,omitempty"`
	// Milestone is how many cameras of a simulated Milestone XProtect site (management
	// server and recording server, with token logins) to serve. It defaults to 0 (off).
	Milestone int `mapstructure:"milestone" yaml:"milestone"`
	// RTSP is how many simulated RTSP cameras (H.264, encoded once with ffmpeg) to
	// serve. It defaults to 0 (off).
	RTSP int `mapstructure:"rtsp" yaml:"rtsp,omitempty"`
	// PTZ is how many simulated Bosch PTZ cameras (RCP+ with Digest, a picture that pans,
	// tilts and zooms over a panorama, served as MJPEG) to serve. It defaults to 0 (off).
	PTZ int `mapstructure:"ptz" yaml:"ptz,omitempty"`
	// ONVIF is how many simulated ONVIF PTZ cameras (WS-Security with a camera clock 7
	// minutes off, a picture that moves with the head) to serve, added by their ONVIF
	// address. It defaults to 0 (off).
	ONVIF int `mapstructure:"onvif" yaml:"onvif,omitempty"`
	// Size is each simulated camera's picture size, "WIDTHxHEIGHT". Empty means
	// DefaultDemoSize.
	Size string `mapstructure:"size" yaml:"size"`
	// FPS is each simulated camera's frame rate. Zero means DefaultDemoFPS.
	FPS float64 `mapstructure:"fps" yaml:"fps"`
}

// Recording says where recordings go.
type Recording struct {
	// Root is the recordings folder. It defaults to $XDG_VIDEOS_DIR/vigil, usually
	// ~/Videos/vigil (empty means the default); a leading "~/" means the home folder.
	// See Dir.
	Root string `mapstructure:"root" yaml:"root"`
	// SegmentMinutes is the length of one file of continuous recording. It defaults to 15.
	SegmentMinutes float64 `mapstructure:"segment_minutes" yaml:"segment_minutes,omitempty"`
	// MaxAgeDays deletes recordings older than this many days (the oldest first; a file
	// being written never). 0, the default, keeps them.
	MaxAgeDays float64 `mapstructure:"max_age_days" yaml:"max_age_days,omitempty"`
	// MaxSizeGB caps the total size of the recordings folder: the oldest recordings
	// across all cameras go first. 0, the default, means no cap.
	MaxSizeGB float64 `mapstructure:"max_size_gb" yaml:"max_size_gb,omitempty"`
	// MinFreeMB is the free disk space below which recording stops with a warning, before
	// the disk is full. It defaults to 512; -1 disables the check.
	MinFreeMB float64 `mapstructure:"min_free_mb" yaml:"min_free_mb,omitempty"`
	// PreRollSeconds is how much video before a triggered recording is kept. It defaults
	// to 5.
	PreRollSeconds float64 `mapstructure:"pre_roll_seconds" yaml:"pre_roll_seconds,omitempty"`
}

// Analytics says where the analyzers' events (motion, detections) are kept and for how long.
type Analytics struct {
	// Database is the event store: a SQLite file path (a leading "~/" means the home
	// folder), or a postgres://user@host:port/database URL of a PostgreSQL server that
	// several desks share. It defaults to $XDG_DATA_HOME/vigil/events.db, usually
	// ~/.local/share/vigil/events.db (empty means the default). See DatabaseDSN.
	Database string `mapstructure:"database" yaml:"database,omitempty"`
	// MaxAgeDays deletes events older than this many days. It defaults to 90; -1 keeps them.
	MaxAgeDays float64 `mapstructure:"max_age_days" yaml:"max_age_days,omitempty"`
	// MaxSizeMB caps the events and their snapshots: the oldest go first. It defaults to
	// 1024; -1 means no cap.
	MaxSizeMB float64 `mapstructure:"max_size_mb" yaml:"max_size_mb,omitempty"`
	// Models are detectors from DNN models the user gives (ONNX, or Caffe with its
	// prototxt), run through OpenCV's DNN module: a camera lists one by its Name in its
	// analyzers, beside the built-ins (Analyzers). See Model.
	Models []Model `mapstructure:"models" yaml:"models,omitempty"`
}

// Defaults of Analytics.
const (
	DefaultEventMaxAgeDays = 90
	DefaultEventMaxSizeMB  = 1024
)

// DatabaseDSN returns the event store to open: Database with a leading "~/" expanded, or
// when Database is empty $XDG_DATA_HOME/vigil/events.db, else ~/.local/share/vigil/events.db.
func (a Analytics) DatabaseDSN() (string, error) {
	home, herr := os.UserHomeDir()
	return analyticsDSN(a.Database, os.Getenv("XDG_DATA_HOME"), home, herr)
}

// analyticsDSN is DatabaseDSN with the environment passed in, for tests.
func analyticsDSN(db, dataHome, home string, homeErr error) (string, error) {
	if db != "" && !homeRelative(db) {
		return db, nil
	}
	if db == "" && filepath.IsAbs(dataHome) {
		return filepath.Join(dataHome, "vigil", "events.db"), nil
	}
	if homeErr != nil {
		return "", fmt.Errorf("event database: cannot find the home folder (set analytics.database): %w", homeErr)
	}
	if db == "" {
		return filepath.Join(home, ".local", "share", "vigil", "events.db"), nil
	}
	return inHome(home, db), nil
}

// Retention returns the age and size limits with defaults applied; 0 means no limit.
func (a Analytics) Retention() (maxAgeDays, maxSizeMB float64) {
	limit := func(v, def float64) float64 {
		switch {
		case v == 0:
			return def
		case v < 0:
			return 0
		}
		return v
	}
	return limit(a.MaxAgeDays, DefaultEventMaxAgeDays), limit(a.MaxSizeMB, DefaultEventMaxSizeMB)
}

// Log says how much is logged.
type Log struct {
	// Level is "debug", "info", "warn" or "error". It defaults to info.
	Level string `mapstructure:"level" yaml:"level"`
}

// Defaults used where a setting is empty or zero.
const (
	// DefaultLayout is the wall layout when none is set.
	DefaultLayout = "auto"
	// DefaultTransport is the RTSP transport when none is set.
	DefaultTransport = "auto"
	// DefaultLogLevel is the log level when none is set.
	DefaultLogLevel = "info"
	// DefaultDemoSize is the demo cameras' picture size when none is set.
	DefaultDemoSize = "1280x720"
	// DefaultDemoFPS is the demo cameras' frame rate when none is set.
	DefaultDemoFPS = 15
)

// Limits that keep a hand-edited (or damaged) file from asking for absurd amounts.
const (
	// MaxFileSize is the largest settings file read.
	MaxFileSize = 1 << 20
	// MaxCameras is the most cameras a settings file may list.
	MaxCameras = 1024
	// MaxStreams is the most streams one camera may list.
	MaxStreams = 16
	// MaxDemoCameras is the most demo cameras.
	MaxDemoCameras = 64
	// MaxDimension is the largest width or height accepted in a size.
	MaxDimension = 16384
	// MaxFPS is the largest frame rate accepted.
	MaxFPS = 1000
	// MaxNameLen is the longest camera name, in bytes.
	MaxNameLen = 128
	// MaxTiles is the most wall positions (Wall.Tiles): an 8×8 grid, the largest layout.
	// 64 tiles is already more than a screen shows usefully and more than two cores
	// decode at a watchable rate.
	MaxTiles = 64
	// MaxViews is the most named views (Views) and extra windows (Wall.Windows).
	MaxViews = 64
)

// Accepted values, in the order error messages list them. Read-only; the exported
// functions below hand out copies.
var (
	layouts   = []string{"auto", "1", "2x2", "3x3", "4x4", "5x5", "6x6", "8x8"}
	logLevels = []string{"debug", "info", "warn", "error"}
)

// Layouts returns the accepted Wall.Layout values, smallest first, for a layout menu.
func Layouts() []string { return slices.Clone(layouts) }

// Transports returns the accepted Camera.Transport values, those the protocols
// registered (RTSP's), DefaultTransport first, for a transport menu.
func Transports() []string { return Protocols().Transports() }

// Schemes returns the accepted video URL schemes, those a protocol registered with a
// Source (Protocols; see DESIGN.md "Sources by URL"); PTZ-only schemes (rcp) are not.
func Schemes() []string {
	var out []string
	for _, s := range Protocols().Schemes() {
		if p, _ := Protocols().Lookup(s); p.New != nil {
			out = append(out, s)
		}
	}
	return out
}

// Dimensions parses Size ("WIDTHxHEIGHT"). ok is false when Size is empty or malformed.
func (s Stream) Dimensions() (w, h int, ok bool) {
	w, h, err := parseSize(s.Size)
	return w, h, err == nil
}

// Dimensions parses Size, or DefaultDemoSize when Size is empty. ok is false when Size is
// malformed (Validate refuses such a Size).
func (d Demo) Dimensions() (w, h int, ok bool) {
	size := d.Size
	if size == "" {
		size = DefaultDemoSize
	}
	w, h, err := parseSize(size)
	return w, h, err == nil
}

// FPSOrDefault is FPS, or DefaultDemoFPS when FPS is zero.
func (d Demo) FPSOrDefault() float64 {
	if d.FPS == 0 {
		return DefaultDemoFPS
	}
	return d.FPS
}

// CameraNames are the wall names of every demo camera: MJPEGNames, QuietNames, then
// MilestoneNames, RTSPNames, PTZNames and ONVIFNames. The app names the cameras it
// serves this way, so Wall.Tiles may refer to them.
func (d Demo) CameraNames() []string {
	return append(append(append(append(append(d.MJPEGNames(), d.QuietNames()...), d.MilestoneNames()...), d.RTSPNames()...), d.PTZNames()...), d.ONVIFNames()...)
}

// QuietNames are "Quiet 1", … for the quiet demo cameras.
func (d Demo) QuietNames() []string { return demoNames("Quiet ", d.Quiet) }

// ONVIFNames are "ONVIF 1", … for the simulated ONVIF PTZ cameras.
func (d Demo) ONVIFNames() []string { return demoNames("ONVIF ", d.ONVIF) }

// PTZNames are "PTZ 1", … for the simulated PTZ cameras.
func (d Demo) PTZNames() []string { return demoNames("PTZ ", d.PTZ) }

// RTSPNames are "RTSP 1", … for the simulated RTSP cameras.
func (d Demo) RTSPNames() []string { return demoNames("RTSP ", d.RTSP) }

// MJPEGNames are "Demo 1", "Demo 2", … for the simulated MJPEG cameras.
func (d Demo) MJPEGNames() []string { return demoNames("Demo ", d.MJPEG) }

// MilestoneNames are "Milestone 1", … for the simulated Milestone site's cameras.
func (d Demo) MilestoneNames() []string { return demoNames("Milestone ", d.Milestone) }

func demoNames(prefix string, n int) []string {
	if n <= 0 {
		return nil
	}
	names := make([]string, 0, min(n, MaxDemoCameras))
	for i := 1; i <= n && i <= MaxDemoCameras; i++ {
		names = append(names, prefix+strconv.Itoa(i))
	}
	return names
}

// TransportOrDefault is Transport, or DefaultTransport when Transport is empty.
func (c Camera) TransportOrDefault() string {
	if c.Transport == "" {
		return DefaultTransport
	}
	return c.Transport
}

// LevelOrDefault is Level, or DefaultLogLevel when Level is empty.
func (l Log) LevelOrDefault() string {
	if l.Level == "" {
		return DefaultLogLevel
	}
	return l.Level
}

// Camera returns the camera with the given name (compared ignoring case, as names are
// unique that way), or false.
func (c *Config) Camera(name string) (Camera, bool) {
	for _, cam := range c.Cameras {
		if strings.EqualFold(cam.Name, name) {
			return cam, true
		}
	}
	return Camera{}, false
}

// layoutSide returns the side of a fixed layout, 0 for auto (or empty), and false for an
// unknown layout.
func layoutSide(layout string) (int, bool) {
	switch layout {
	case "", "auto":
		return 0, true
	case "1":
		return 1, true
	case "2x2", "3x3", "4x4", "5x5", "6x6", "8x8":
		return int(layout[0] - '0'), true
	}
	return 0, false
}

// Dir returns the recordings folder: Root with a leading "~/" expanded, or when Root is
// empty $XDG_VIDEOS_DIR/vigil (from the environment or ~/.config/user-dirs.dirs), else
// ~/Videos/vigil. It does not create the folder.
func (r Recording) Dir() (string, error) {
	home, herr := os.UserHomeDir()
	cfgDir, _ := os.UserConfigDir()
	return recordingDir(r.Root, os.Getenv, home, herr, cfgDir, os.ReadFile)
}

// recordingDir is Dir with the environment and file system passed in, for tests.
func recordingDir(root string, getenv func(string) string, home string, homeErr error,
	configDir string, readFile func(string) ([]byte, error)) (string, error) {
	if root != "" {
		if homeRelative(root) {
			if homeErr != nil {
				return "", fmt.Errorf("recording.root %q: cannot find the home folder: %w", root, homeErr)
			}
			return inHome(home, root), nil
		}
		return filepath.Clean(root), nil
	}
	videos := getenv("XDG_VIDEOS_DIR")
	if videos == "" && configDir != "" {
		if data, err := readFile(filepath.Join(configDir, "user-dirs.dirs")); err == nil {
			videos = userDirsVideos(data, home)
		}
	}
	if videos != "" {
		videos = expandHomeVar(videos, home)
		if filepath.IsAbs(videos) {
			return filepath.Join(videos, "vigil"), nil
		}
	}
	if homeErr != nil {
		return "", fmt.Errorf("recordings folder: no XDG_VIDEOS_DIR and cannot find the home folder (set recording.root): %w", homeErr)
	}
	return filepath.Join(home, "Videos", "vigil"), nil
}

// userDirsVideos reads XDG_VIDEOS_DIR from the xdg-user-dirs file format:
// lines `XDG_VIDEOS_DIR="$HOME/Videos"` (see xdg-user-dirs-update(1)).
func userDirsVideos(data []byte, home string) string {
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		rest, ok := strings.CutPrefix(line, "XDG_VIDEOS_DIR=")
		if !ok {
			continue
		}
		if unq, err := strconv.Unquote(rest); err == nil {
			rest = unq
		}
		return expandHomeVar(rest, home)
	}
	return ""
}

// expandHomeVar replaces a leading $HOME or ${HOME}, the only variable user-dirs.dirs uses.
func expandHomeVar(p, home string) string {
	for _, v := range []string{"${HOME}", "$HOME"} {
		if rest, ok := strings.CutPrefix(p, v); ok && home != "" {
			return home + rest
		}
	}
	return p
}

// ParseSize parses "WIDTHxHEIGHT" with both in 1..MaxDimension: the one size parser of
// the settings and the command line.
func ParseSize(s string) (w, h int, err error) { return parseSize(s) }

func parseSize(s string) (w, h int, err error) {
	if w, h, err = capture.ParseSize(s); err != nil {
		return 0, 0, err
	}
	if w < 1 || h < 1 || w > MaxDimension || h > MaxDimension {
		return 0, 0, fmt.Errorf("width and height must be 1 to %d", MaxDimension)
	}
	return w, h, nil
}
