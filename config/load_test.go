package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"

	vigil "github.com/vigil-cctv/vigil"
)

// isolate points the user's settings folder at an empty temporary one and clears the
// VIGIL_ environment, so the machine running the tests cannot leak in.
func isolate(t *testing.T) (configHome string) {
	t.Helper()
	configHome = t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", configHome)
	for _, k := range scalarKeys() {
		t.Setenv(envName(k), "")
	}
	return configHome
}

// loadWithEnv writes yaml to path, sets the environment's name, value pairs in env and
// loads path; an error ends the test.
func loadWithEnv(t *testing.T, path, yaml string, env ...string) *Config {
	t.Helper()
	writeFile(t, path, yaml)
	for i := 0; i+1 < len(env); i += 2 {
		t.Setenv(env[i], env[i+1])
	}
	c, _, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestLoadOrder(t *testing.T) {
	home := isolate(t)
	userFile := filepath.Join(home, "vigil", "settings.yaml")
	if got, err := UserPath(); err != nil || got != userFile {
		t.Fatalf("UserPath = %q, %v, want %q", got, err, userFile)
	}

	// Nothing: the embedded default.
	c, origin, err := Load("")
	if err != nil || origin.Kind != FromEmbedded || origin.Path != "" || c.Demo.MJPEG != 11 || c.Demo.Quiet != 1 || c.Demo.RTSP != 2 || c.Demo.PTZ != 1 || c.Demo.ONVIF != 1 {
		t.Fatalf("no files: %+v, %v, %v", origin, err, c)
	}
	if origin.String() != "built-in demo settings" {
		t.Errorf("origin = %q", origin)
	}

	// The user's file wins over the embedded default.
	writeFile(t, userFile, "demo: {mjpeg: 4}\n")
	c, origin, err = Load("")
	if err != nil || origin != (Origin{FromUser, userFile}) || c.Demo.MJPEG != 4 {
		t.Fatalf("user file: %+v, %v, %+v", origin, err, c)
	}

	// An explicit file wins over the user's.
	flagFile := filepath.Join(t.TempDir(), "other.yaml")
	writeFile(t, flagFile, "demo: {mjpeg: 1}\n")
	c, origin, err = Load(flagFile)
	if err != nil || origin != (Origin{FromFlag, flagFile}) || c.Demo.MJPEG != 1 {
		t.Fatalf("explicit file: %+v, %v, %+v", origin, err, c)
	}
	if !strings.HasSuffix(origin.String(), "(--config)") {
		t.Errorf("origin = %q", origin)
	}

	// A missing explicit file is an error, not a fallback.
	missing := filepath.Join(t.TempDir(), "nope.yaml")
	_, origin, err = Load(missing)
	if !errors.Is(err, os.ErrNotExist) || origin.Kind != FromFlag || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing --config: %v, %+v", err, origin)
	}

	// A broken user file is reported with its path and line, not skipped.
	writeFile(t, userFile, "demo: {mjpeg: 4}\nwal: {}\n")
	_, origin, err = Load("")
	if err == nil || origin.Kind != FromUser || !strings.Contains(err.Error(), userFile) ||
		!strings.Contains(err.Error(), "line 2: wal: unknown key") {
		t.Errorf("broken user file: %v, %+v", err, origin)
	}

	// An unreadable user file (a folder here) is an error too.
	if err := os.Remove(userFile); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(userFile, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Load(""); err == nil || !strings.Contains(err.Error(), "is a folder") {
		t.Errorf("user file is a folder: %v", err)
	}
}

func TestLoadRefusesHugeFile(t *testing.T) {
	isolate(t)
	p := filepath.Join(t.TempDir(), "big.yaml")
	writeFile(t, p, "# "+strings.Repeat("x", MaxFileSize)+"\n")
	if _, _, err := Load(p); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("Load(huge) = %v", err)
	}
	if _, err := Parse(make([]byte, MaxFileSize+1)); err == nil {
		t.Error("Parse(huge) accepted it")
	}
}

func TestEnvironmentOverrides(t *testing.T) {
	isolate(t)
	p := filepath.Join(t.TempDir(), "s.yaml")
	c := loadWithEnv(t, p, "wall: {layout: 2x2}\nlog: {level: warn}\n",
		"VIGIL_LOG_LEVEL", "debug", "VIGIL_DEMO_MJPEG", "3", "VIGIL_DEMO_FPS", "7.5", "VIGIL_RECORDING_ROOT", "/srv/rec")
	if c.Log.Level != "debug" || c.Demo.MJPEG != 3 || c.Demo.FPS != 7.5 || c.Recording.Root != "/srv/rec" ||
		c.Wall.Layout != "2x2" {
		t.Errorf("with environment: %+v", c)
	}

	// The embedded default takes the environment too.
	c, _, err := Load("")
	if err != nil || c.Demo.MJPEG != 3 || c.Log.Level != "debug" {
		t.Errorf("embedded with environment: %+v, %v", c, err)
	}

	// Parse ignores the environment.
	c = mustParse(t, "log: {level: warn}\n")
	if c.Log.Level != "warn" || c.Demo.MJPEG != 0 {
		t.Errorf("Parse used the environment: %+v", c)
	}

	// A bad environment value names the variable.
	t.Setenv("VIGIL_WALL_LAYOUT", "7x7")
	_, _, err = Load(p)
	if err == nil || !strings.Contains(err.Error(), `VIGIL_WALL_LAYOUT: wall.layout "7x7": unsupported layout`) {
		t.Errorf("bad environment value: %v", err)
	}
	t.Setenv("VIGIL_WALL_LAYOUT", "")
	t.Setenv("VIGIL_DEMO_MJPEG", "many")
	if _, _, err = Load(p); err == nil || !strings.Contains(err.Error(), "environment") {
		t.Errorf("undecodable environment value: %v", err)
	}
}

// Save writes neither defaults nor environment values, but does write what the app changed.
func TestSaveLeavesOutDefaultsAndEnvironment(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "s.yaml")
	c := loadWithEnv(t, p, "log: {level: warn}\ndemo: {mjpeg: 2}\n",
		"VIGIL_LOG_LEVEL", "debug", "VIGIL_DEMO_SIZE", "320x240", "VIGIL_RECORDING_ROOT", "/srv/rec")
	c.Recording.Root = "/mnt/changed" // the app changed this one: it is a setting now
	out := filepath.Join(dir, "out.yaml")
	if err := Save(c, out); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(out)
	text := string(data)
	for _, bad := range []string{"debug", "320x240", "layout", "/srv/rec"} {
		if strings.Contains(text, bad) {
			t.Errorf("saved file holds %q (a default or environment value):\n%s", bad, text)
		}
	}
	for _, good := range []string{"level: warn", "mjpeg: 2", "root: /mnt/changed"} {
		if !strings.Contains(text, good) {
			t.Errorf("saved file lacks %q:\n%s", good, text)
		}
	}

	// And with the environment gone, the saved file reads back as the file plus the change.
	for _, k := range []string{"VIGIL_LOG_LEVEL", "VIGIL_DEMO_SIZE", "VIGIL_RECORDING_ROOT"} {
		t.Setenv(k, "")
	}
	back, _, err := Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if back.Log.Level != "warn" || back.Demo != (Demo{MJPEG: 2}) || back.Recording.Root != "/mnt/changed" ||
		back.Wall.Layout != "auto" {
		t.Errorf("read back: %+v", back)
	}
}

func TestSaveRoundTrip(t *testing.T) {
	isolate(t)
	t.Setenv("VIGIL_LOG_LEVEL", "error") // round trip holds with the environment in play
	for name, data := range map[string]string{
		"full":     fullSettings,
		"default":  string(vigil.DefaultSettings),
		"sparse":   "cameras: [{name: A, streams: [{url: \"demo://bars\"}]}]\n",
		"explicit": "wall: {layout: \"1\"}\ndemo: {mjpeg: 0, size: \"\", fps: 0}\nrecording: {root: \"\"}\n",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			src := filepath.Join(dir, "in.yaml")
			writeFile(t, src, data)
			c1, _, err := Load(src)
			if err != nil {
				t.Fatal(err)
			}
			dst := filepath.Join(dir, "sub", "dir", "settings.yaml")
			if err := Save(c1, dst); err != nil {
				t.Fatal(err)
			}
			c2, _, err := Load(dst)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(c1, c2) {
				t.Errorf("round trip changed the settings:\n%+v\n%+v", c1, c2)
			}
			// Saving what was loaded from a saved file gives the same bytes.
			b1, _ := c1.Marshal()
			b2, _ := c2.Marshal()
			if string(b1) != string(b2) {
				t.Errorf("second save differs:\n%s\n---\n%s", b1, b2)
			}

			fi, err := os.Stat(dst)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("file mode = %v, want 0600", fi.Mode().Perm())
			}
			di, _ := os.Stat(filepath.Dir(dst))
			if di.Mode().Perm() != 0o700 {
				t.Errorf("created folder mode = %v, want 0700", di.Mode().Perm())
			}
			entries, _ := os.ReadDir(filepath.Dir(dst))
			if len(entries) != 1 {
				t.Errorf("folder holds %d files, want only settings.yaml (temp files left?)", len(entries))
			}
		})
	}
}

func TestSaveOverwritesAndFollowsSymlink(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	real := filepath.Join(dir, "real.yaml")
	writeFile(t, real, "demo: {mjpeg: 1}\n")
	link := filepath.Join(dir, "link.yaml")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	c := mustParse(t, "demo: {mjpeg: 5}\n")
	if err := Save(c, link); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("symlink replaced by a file: %v %v", fi.Mode(), err)
	}
	back, _, err := Load(real)
	if err != nil || back.Demo.MJPEG != 5 {
		t.Errorf("target after save: %+v, %v", back, err)
	}
}

func TestSaveUser(t *testing.T) {
	home := isolate(t)
	c := mustParse(t, "demo: {mjpeg: 2}\n")
	if err := SaveUser(c); err != nil {
		t.Fatal(err)
	}
	back, origin, err := Load("")
	if err != nil || origin.Kind != FromUser || origin.Path != filepath.Join(home, "vigil", "settings.yaml") ||
		back.Demo.MJPEG != 2 {
		t.Errorf("after SaveUser: %+v, %+v, %v", back, origin, err)
	}
}

// A Config built in code (no Load) saves its non-zero values.
func TestSaveBuiltInCode(t *testing.T) {
	c := &Config{
		Cameras: []Camera{{Name: "Yard", Streams: []Stream{{URL: "http://10.0.0.9/video.mjpg"}}, User: "u", Password: "p"}},
		Log:     Log{Level: "warn"},
	}
	data, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back := mustParse(t, string(data))
	if back.Log.Level != "warn" || back.Wall.Layout != "auto" || !reflect.DeepEqual(back.Cameras, c.Cameras) {
		t.Errorf("read back: %+v\n%s", back, data)
	}
	if strings.Contains(string(data), "layout") || strings.Contains(string(data), "demo") {
		t.Errorf("zero values written:\n%s", data)
	}
}

func TestSaveRefusesInvalid(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "s.yaml")
	writeFile(t, p, "old\n")
	c := mustParse(t, fullSettings)
	c.Cameras[1].Name = "Gate"
	err := Save(c, p)
	if err == nil || !strings.Contains(err.Error(), "not saved") || !strings.Contains(err.Error(), `cameras[1] "Gate": name`) {
		t.Errorf("Save(invalid) = %v", err)
	}
	if data, _ := os.ReadFile(p); string(data) != "old\n" {
		t.Errorf("old file changed to %q", data)
	}
}

func TestSaveFailureKeepsOldFile(t *testing.T) {
	c := mustParse(t, fullSettings)

	t.Run("parent is a file", func(t *testing.T) {
		dir := t.TempDir()
		blocker := filepath.Join(dir, "vigil")
		writeFile(t, blocker, "not a folder")
		err := Save(c, filepath.Join(blocker, "settings.yaml"))
		if err == nil || !strings.Contains(err.Error(), "create folder") || !errors.Is(err, syscall.ENOTDIR) {
			t.Errorf("Save under a file = %v", err)
		}
	})

	t.Run("read-only folder", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root ignores folder permissions")
		}
		dir := t.TempDir()
		p := filepath.Join(dir, "settings.yaml")
		writeFile(t, p, "old\n")
		if err := os.Chmod(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o700) })
		err := Save(c, p)
		if err == nil || !errors.Is(err, os.ErrPermission) || !strings.Contains(err.Error(), "cannot write in "+dir) {
			t.Errorf("Save into read-only folder = %v", err)
		}
		if data, _ := os.ReadFile(p); string(data) != "old\n" {
			t.Errorf("old file changed to %q", data)
		}
	})

	t.Run("rename fails", func(t *testing.T) {
		dir := t.TempDir()
		p := filepath.Join(dir, "settings.yaml")
		writeFile(t, p, "old\n")
		err := save(c, p, failRename{})
		if err == nil || !strings.Contains(err.Error(), "the old file is unchanged") || !errors.Is(err, syscall.EIO) {
			t.Errorf("Save with failing rename = %v", err)
		}
		if data, _ := os.ReadFile(p); string(data) != "old\n" {
			t.Errorf("old file changed to %q", data)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("temp file left behind: %d entries", len(entries))
		}
	})

	t.Run("path is a folder", func(t *testing.T) {
		err := Save(c, t.TempDir())
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("Save onto a folder = %v", err)
		}
	})
}

type failRename struct{}

func (failRename) Rename(string, string) error {
	return &os.LinkError{Op: "rename", Err: syscall.EIO}
}

// Positions beyond a fixed layout's grid are a valid state (issue 12): 19 cameras placed
// on a 3×3 wall were refused by every save ("19 tiles, but layout "3x3" has 9"). They are
// saved and read back as they were.
func TestSaveTilesBeyondLayout(t *testing.T) {
	isolate(t)
	c := mustParse(t, "demo: {mjpeg: 19}\n")
	c.Wall.Layout = "3x3"
	c.Wall.Tiles = c.Demo.MJPEGNames()
	c.Wall.Tiles[4] = "" // a gap inside the grid stays a gap
	if len(c.Wall.Tiles) != 19 {
		t.Fatalf("%d demo names", len(c.Wall.Tiles))
	}
	if err := SaveUser(c); err != nil {
		t.Fatal(err)
	}
	back, _, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if back.Wall.Layout != "3x3" || !reflect.DeepEqual(back.Wall.Tiles, c.Wall.Tiles) {
		t.Errorf("read back %q %q, want %q %q", back.Wall.Layout, back.Wall.Tiles, "3x3", c.Wall.Tiles)
	}
}
