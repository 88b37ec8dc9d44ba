package config

import (
	"errors"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vigil-cctv/vigil/analytics/store"
	"github.com/vigil-cctv/vigil/capture"
)

// Validate checks every setting and returns all problems at once (errors.Join of
// *FieldError; see Problems), or nil. Messages name the key path and what is wrong, show
// URLs redacted, and never show a password.
func (c *Config) Validate() error {
	var errs []error
	add := func(fe *FieldError) { errs = append(errs, fe) }

	// Wall.
	_, layoutOK := layoutSide(c.Wall.Layout)
	if !layoutOK {
		add(fieldErr("wall.layout", "", c.Wall.Layout, "unsupported layout (want %s)", strings.Join(layouts, ", ")))
	}
	// Positions beyond a fixed layout's grid are kept (issue 12): the wall keeps every
	// position up to MaxTiles and shows them again when the grid grows, so they are
	// saved too; only the largest grid bounds them.
	if len(c.Wall.Tiles) > MaxTiles {
		add(fieldErr("wall.tiles", "", "", "%d tiles, at most %d allowed", len(c.Wall.Tiles), MaxTiles))
	}

	// Demo.
	for _, d := range []struct {
		key string
		n   int
	}{{"mjpeg", c.Demo.MJPEG}, {"quiet", c.Demo.Quiet}, {"rtsp", c.Demo.RTSP}, {"ptz", c.Demo.PTZ}, {"onvif", c.Demo.ONVIF}, {"milestone", c.Demo.Milestone}} {
		if d.n < 0 || d.n > MaxDemoCameras {
			add(fieldErr("demo."+d.key, "", strconv.Itoa(d.n), "want 0 (off) to %d cameras", MaxDemoCameras))
		}
	}
	if c.Demo.Size != "" {
		if _, _, err := parseSize(c.Demo.Size); err != nil {
			add(fieldErr("demo.size", "", c.Demo.Size, "%v", err))
		}
	}
	if msg := checkFPS(c.Demo.FPS); msg != "" {
		add(fieldErr("demo.fps", "", fmtFloat(c.Demo.FPS), "%s", msg))
	}

	// Trust.
	for i, t := range c.Trust {
		path := "trust[" + strconv.Itoa(i) + "]"
		if t.Host == "" || strings.ContainsAny(t.Host, "/@ ") {
			add(fieldErr(path+".host", "", t.Host, "want a server as host or host:port"))
		}
		hex := strings.NewReplacer(":", "", " ", "").Replace(t.SHA256)
		if len(hex) != 64 || strings.Trim(strings.ToLower(hex), "0123456789abcdef") != "" {
			add(fieldErr(path+".sha256", "", t.SHA256, "want the certificate's SHA-256 fingerprint (64 hex digits, as vigil probe --insecure prints it)"))
		}
	}

	// Sites.
	sites := map[string]int{}
	for i, site := range c.Sites {
		path := "sites[" + strconv.Itoa(i) + "]"
		if msg := checkSiteURL(site.URL); msg != "" {
			add(fieldErr(path+".url", site.Name, redactURL(site.URL), "%s", msg))
		}
		label := strings.ToLower(site.Label())
		if j, dup := sites[label]; dup {
			add(fieldErr(path+".name", site.Name, site.Name, "same name as sites[%d]: give one a name", j))
		}
		sites[label] = i
	}

	errs = append(errs, c.validatePush()...)

	// Cameras.
	if len(c.Cameras) > MaxCameras {
		add(fieldErr("cameras", "", "", "%d cameras, at most %d allowed", len(c.Cameras), MaxCameras))
	}
	names := map[string]string{} // folded name → where it is defined
	for _, d := range []struct {
		names     []string
		what, key string
	}{{c.Demo.MJPEGNames(), "demo camera", "mjpeg"}, {c.Demo.QuietNames(), "quiet demo camera", "quiet"},
		{c.Demo.RTSPNames(), "demo RTSP camera", "rtsp"}, {c.Demo.MilestoneNames(), "demo Milestone camera", "milestone"},
		{c.Demo.PTZNames(), "demo PTZ camera", "ptz"}, {c.Demo.ONVIFNames(), "demo ONVIF camera", "onvif"}} {
		for i, name := range d.names {
			names[strings.ToLower(name)] = d.what + " " + strconv.Itoa(i+1) + " (demo." + d.key + ")"
		}
	}
	known := c.AnalyzerNames()
	for i := range c.Cameras {
		for _, fe := range c.Cameras[i].validate(i, names, known) {
			add(fe)
		}
	}

	// Tiles refer to cameras by name.
	placed := map[string]int{}
	for i, t := range c.Wall.Tiles {
		if t == "" {
			continue
		}
		p := "wall.tiles[" + strconv.Itoa(i) + "]"
		if _, ok := names[strings.ToLower(t)]; !ok {
			add(fieldErr(p, "", t, "no camera has this name"))
			continue
		}
		if j, dup := placed[strings.ToLower(t)]; dup {
			add(fieldErr(p, "", t, "camera already placed in wall.tiles[%d]", j))
			continue
		}
		placed[strings.ToLower(t)] = i
	}

	for _, fe := range c.validateViews(names) {
		add(fe)
	}

	// Recording.
	if r := c.Recording.Root; r != "" {
		switch {
		case strings.ContainsRune(r, 0):
			add(fieldErr("recording.root", "", r, "contains a NUL character"))
		case !filepath.IsAbs(r) && !homeRelative(r):
			add(fieldErr("recording.root", "", r, `want an absolute folder ("/…"), or one in your home folder ("~/…")`))
		}
	}

	for _, f := range []struct {
		key   string
		v, lo float64
	}{
		{"recording.segment_minutes", c.Recording.SegmentMinutes, 0},
		{"recording.max_age_days", c.Recording.MaxAgeDays, 0},
		{"recording.max_size_gb", c.Recording.MaxSizeGB, 0},
		{"recording.min_free_mb", c.Recording.MinFreeMB, -1},
		{"recording.pre_roll_seconds", c.Recording.PreRollSeconds, 0},
	} {
		if f.v < f.lo || math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			add(fieldErr(f.key, "", fmtFloat(f.v), "want a number of at least %s", fmtFloat(f.lo)))
		}
	}
	if m := c.Recording.SegmentMinutes; m > 0 && (m < 0.1 || m > 24*60) {
		add(fieldErr("recording.segment_minutes", "", fmtFloat(m), "want 0.1 to 1440 minutes (0: the default, 15)"))
	}
	if p := c.Recording.PreRollSeconds; p > 60 {
		add(fieldErr("recording.pre_roll_seconds", "", fmtFloat(p), "at most 60 seconds (it is kept in memory)"))
	}

	// Analytics.
	if db := c.Analytics.Database; db != "" {
		check := db
		if homeRelative(db) {
			check = "/" + strings.TrimPrefix(db, "~") // the home folder is absolute
		}
		if msg := store.CheckDSN(check); msg != "" {
			add(fieldErr("analytics.database", "", redactURL(db), "%s", msg))
		}
	}
	for _, fe := range c.validateModels() {
		add(fe)
	}
	for _, f := range []struct {
		key string
		v   float64
	}{{"analytics.max_age_days", c.Analytics.MaxAgeDays}, {"analytics.max_size_mb", c.Analytics.MaxSizeMB}} {
		if (f.v < 0 && f.v != -1) || math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			add(fieldErr(f.key, "", fmtFloat(f.v), "want a positive number, 0 for the default or -1 for no limit"))
		}
	}

	// Log.
	if l := c.Log.Level; l != "" && !slices.Contains(logLevels, l) {
		add(fieldErr("log.level", "", l, "unsupported level (want %s)", strings.Join(logLevels, ", ")))
	}
	return errors.Join(errs...)
}

// validate checks camera i; names collects camera names (folded) to catch duplicates;
// known are the analyzers it may list.
func (cam *Camera) validate(i int, names map[string]string, known []string) []*FieldError {
	var out []*FieldError
	base := "cameras[" + strconv.Itoa(i) + "]"
	add := func(key, value, format string, args ...any) {
		out = append(out, fieldErr(joinPath(base, key), cam.Name, value, format, args...))
	}

	if msg := checkName(cam.Name); msg != "" {
		add("name", cam.Name, "%s", msg)
	} else if where, dup := names[strings.ToLower(cam.Name)]; dup {
		add("name", cam.Name, "already used by %s (names must be unique, ignoring case: each names a recordings folder)", where)
	} else {
		names[strings.ToLower(cam.Name)] = base
	}

	switch {
	case len(cam.Streams) == 0:
		add("streams", "", "at least one stream URL is needed")
	case len(cam.Streams) > MaxStreams:
		add("streams", "", "%d streams, at most %d allowed", len(cam.Streams), MaxStreams)
	}
	streamNames := map[string]int{}
	for j, s := range cam.Streams {
		sp := "streams[" + strconv.Itoa(j) + "]"
		if msg := checkURL(s.URL); msg != "" {
			add(sp+".url", redactURL(s.URL), "%s", msg)
		}
		if s.Size != "" {
			if _, _, err := parseSize(s.Size); err != nil {
				add(sp+".size", s.Size, "%v", err)
			}
		}
		if s.Name != "" {
			if k, dup := streamNames[s.Name]; dup {
				add(sp+".name", s.Name, "already used by streams[%d]", k)
			}
			streamNames[s.Name] = j
		}
	}
	if cam.Fallback != "" {
		if msg := checkURL(cam.Fallback); msg != "" {
			add("fallback", redactURL(cam.Fallback), "%s", msg)
		}
	}
	switch {
	case cam.Record != "" && cam.Record != "continuous" && cam.Record != "off" && cam.Record != "motion":
		add("record", cam.Record, "want continuous, motion or off")
	case cam.Record == "motion" && len(cam.Analyzers) == 0:
		add("record", cam.Record, "records while the camera's analyzers see something: list them (analyzers: [motion])")
	}
	if transports := Transports(); cam.Transport != "" && !slices.Contains(transports, cam.Transport) {
		add("transport", cam.Transport, "unsupported transport (want %s)", strings.Join(transports, ", "))
	}
	if msg := checkFPS(cam.FPS); msg != "" {
		add("fps", fmtFloat(cam.FPS), "%s", msg)
	}
	cam.validateAnalytics(known, add)
	for _, fe := range cam.PTZ.validate() {
		add("ptz."+fe.key, fe.value, "%s", fe.msg)
	}
	return out
}

// checkName returns what is wrong with a camera name, or "". A name becomes a folder name
// under the recordings root, so it may not be able to leave that folder.
func checkName(name string) string {
	if msg := checkLabel(name, "every camera needs a unique name"); msg != "" {
		return msg
	}
	switch {
	case name == "." || name == "..":
		return `"." and ".." cannot name a recordings folder`
	case strings.ContainsAny(name, `/\`):
		return `contains "/" or "\" (the name becomes a recordings folder name)`
	}
	return ""
}

// checkLabel returns what is wrong with a name shown to people (a camera's, a view's), or
// ""; need says why an empty one is refused.
func checkLabel(name, need string) string {
	switch {
	case name == "":
		return "empty (" + need + ")"
	case strings.TrimSpace(name) == "":
		return "only spaces (" + need + ")"
	case len(name) > MaxNameLen:
		return "longer than " + strconv.Itoa(MaxNameLen) + " bytes"
	case !utf8.ValidString(name):
		return "not valid UTF-8 text"
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "contains a control character"
	}
	return ""
}

// CheckFPS returns what is wrong with a frame rate given to a camera (its fps setting,
// `vigil probe --fps`), or "" when it is acceptable; 0 means unknown.
func CheckFPS(fps float64) string { return checkFPS(fps) }

// checkFPS returns what is wrong with a frame rate, or "".
func checkFPS(fps float64) string {
	switch {
	case math.IsNaN(fps) || math.IsInf(fps, 0):
		return "not a number"
	case fps < 0:
		return "negative (0 means unknown)"
	case fps > MaxFPS:
		return "more than " + strconv.Itoa(MaxFPS) + " frames per second"
	}
	return ""
}

// maxURLLen caps a URL's length.
const maxURLLen = 4096

// checkURL returns what is wrong with a camera URL, or "": what every URL is checked for
// here, then its protocol's own CheckURL (Protocols). The message never repeats the URL's
// userinfo (the caller shows the URL redacted).
func checkURL(raw string) string {
	if raw == "" {
		return "empty (want a URL such as rtsp://192.168.1.20/stream)"
	}
	if len(raw) > maxURLLen {
		return "longer than " + strconv.Itoa(maxURLLen) + " bytes"
	}
	u, err := capture.ParseURL(raw)
	if err != nil {
		return badURLMessage(err)
	}
	want := strings.Join(Schemes(), ", ")
	if u.Scheme == "" {
		return "missing scheme such as rtsp:// (want " + want + ")"
	}
	p, ok := Protocols().Lookup(u.Scheme)
	if !ok {
		return "unsupported scheme " + strconv.Quote(u.Scheme) + " (want " + want + ")"
	}
	if p.New == nil {
		return u.Scheme + ":// is a PTZ address, not a video stream: put it under the camera's ptz: (kind, url, user, password)"
	}
	if u.User != nil {
		return "put credentials in user/password, not in the URL"
	}
	for k := range u.Query() {
		if isPasswordQueryKey(k) {
			return "put credentials in user/password, not in the URL (query parameter " + strconv.Quote(k) + ")"
		}
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "port must be 1 to 65535"
		}
	}
	if p.CheckURL != nil {
		return p.CheckURL(u)
	}
	return ""
}

// badURLMessage says what is wrong with a URL capture.ParseURL refused, quoting nothing of
// it (url.Parse's own message quotes the password).
func badURLMessage(err error) string {
	msg := "not a valid URL"
	var ue *capture.URLError
	if errors.As(err, &ue) {
		msg += ": " + ue.Reason
		if ue.MaybePassword {
			msg += " (if the password holds / ? # @ or %, percent-encode it (%2F %3F %23 %40 %25) or put it in the password field)"
		}
	}
	return msg
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// checkSiteURL returns what is wrong with a site's management server URL, or "".
func checkSiteURL(raw string) string {
	u, err := capture.ParseURL(raw)
	if err != nil && raw != "" {
		return badURLMessage(err) + "; want milestones://HOST[:PORT] (HTTPS) or milestone://HOST (plain HTTP)"
	}
	if raw == "" {
		return "want milestones://HOST[:PORT] (HTTPS) or milestone://HOST (plain HTTP)"
	}
	if u.Scheme != "milestone" && u.Scheme != "milestones" {
		return "unsupported scheme " + strconv.Quote(u.Scheme) + " (want milestones://HOST or milestone://HOST)"
	}
	if u.User != nil {
		return "put credentials in user/password, not in the URL"
	}
	if u.Hostname() == "" {
		return "missing host (want " + u.Scheme + "://HOST)"
	}
	if strings.Trim(u.Path, "/") != "" {
		return "no camera in a site's URL (want " + u.Scheme + "://HOST): the site lists all its cameras"
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "port must be 1 to 65535"
		}
	}
	return ""
}

// validateViews checks the named views and the wall's current view and windows against
// them. A view may name a camera that does not exist (one removed since the view was
// saved): it is kept, and the wall shows an empty tile with the name.
func (c *Config) validateViews(cameras map[string]string) []*FieldError {
	var out []*FieldError
	add := func(path, value, format string, args ...any) {
		out = append(out, fieldErr(path, "", value, format, args...))
	}
	if len(c.Views) > MaxViews {
		add("views", "", "%d views, at most %d allowed", len(c.Views), MaxViews)
	}
	seen := map[string]int{}
	for i, v := range c.Views {
		base := "views[" + strconv.Itoa(i) + "]"
		if msg := checkViewName(v.Name); msg != "" {
			add(base+".name", v.Name, "%s", msg)
		} else if j, dup := seen[strings.ToLower(v.Name)]; dup {
			add(base+".name", v.Name, "same name as views[%d] (names are unique, ignoring case)", j)
		} else {
			seen[strings.ToLower(v.Name)] = i
		}
		if _, ok := layoutSide(v.Layout); !ok {
			add(base+".layout", v.Layout, "unsupported layout (want %s)", strings.Join(layouts, ", "))
		}
		if len(v.Tiles) > MaxTiles {
			add(base+".tiles", "", "%d tiles, at most %d allowed", len(v.Tiles), MaxTiles)
		}
		placed := map[string]int{}
		for j, t := range v.Tiles {
			if t == "" {
				continue
			}
			p := base + ".tiles[" + strconv.Itoa(j) + "]"
			if _, known := cameras[strings.ToLower(t)]; !known && checkName(t) != "" {
				add(p, t, "not a camera name: %s", checkName(t))
				continue
			}
			if k, dup := placed[strings.ToLower(t)]; dup {
				add(p, t, "camera already placed in %s.tiles[%d]", base, k)
				continue
			}
			placed[strings.ToLower(t)] = j
		}
	}
	if v := c.Wall.View; v != "" {
		if _, ok := seen[strings.ToLower(v)]; !ok {
			add("wall.view", v, "no view has this name (see views)")
		}
	}
	if len(c.Wall.Windows) > MaxViews {
		add("wall.windows", "", "%d windows, at most %d allowed", len(c.Wall.Windows), MaxViews)
	}
	for i, v := range c.Wall.Windows {
		if _, ok := seen[strings.ToLower(v)]; !ok {
			add("wall.windows["+strconv.Itoa(i)+"]", v, "no view has this name (see views)")
		}
	}
	return out
}

// checkViewName returns what is wrong with a view's name, or "".
func checkViewName(name string) string { return checkLabel(name, "every view needs a unique name") }
