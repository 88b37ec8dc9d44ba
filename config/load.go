package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/spf13/viper"

	vigil "github.com/vigil-cctv/vigil"
)

// EnvPrefix starts the environment variables that override settings for one run:
// VIGIL_ plus the key path in capitals with "_" for ".", e.g. VIGIL_LOG_LEVEL=debug.
// Only single values can be set this way (not the cameras list).
const EnvPrefix = "VIGIL"

// OriginKind says where settings came from.
type OriginKind int

// Where settings came from, in the order Load looks.
const (
	// FromFlag: the file given with --config.
	FromFlag OriginKind = iota + 1
	// FromUser: the user's own file (UserPath).
	FromUser
	// FromEmbedded: the built-in default (the repository's settings.yaml, the demo wall).
	FromEmbedded
)

// Origin says which settings Load used, so the app can tell the user.
type Origin struct {
	// Kind is where the settings came from.
	Kind OriginKind
	// Path is the file read; empty for FromEmbedded.
	Path string
}

// String describes the origin for a person: "/home/ann/.config/vigil/settings.yaml",
// "/tmp/x.yaml (--config)" or "built-in demo settings".
func (o Origin) String() string {
	switch o.Kind {
	case FromFlag:
		return o.Path + " (--config)"
	case FromUser:
		return o.Path
	case FromEmbedded:
		return "built-in demo settings"
	}
	return "unknown settings"
}

// UserPath is the user's settings file, $XDG_CONFIG_HOME/vigil/settings.yaml (by
// os.UserConfigDir, so usually ~/.config/vigil/settings.yaml). It need not exist.
func UserPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the user's settings folder: %w (set XDG_CONFIG_HOME or HOME, or use --config)", err)
	}
	return filepath.Join(dir, "vigil", "settings.yaml"), nil
}

// Load reads settings: from path when it is not empty (the --config flag; a missing file
// is an error), else from UserPath when that file exists, else the built-in default.
// Defaults, then the file, then the environment (EnvPrefix), then Validate. The Origin is
// returned even with an error, so the app can say which file to fix.
func Load(path string) (*Config, Origin, error) {
	if path != "" {
		origin := Origin{Kind: FromFlag, Path: path}
		data, err := readFile(path)
		if err != nil {
			return nil, origin, fmt.Errorf("read settings %s: %w (check the --config path)", path, err)
		}
		c, err := parse(data, true)
		if err != nil {
			return nil, origin, fmt.Errorf("settings %s:\n%w", path, err)
		}
		return c, origin, nil
	}
	up, uerr := UserPath()
	if uerr == nil {
		origin := Origin{Kind: FromUser, Path: up}
		data, err := readFile(up)
		switch {
		case err == nil:
			c, err := parse(data, true)
			if err != nil {
				return nil, origin, fmt.Errorf("settings %s:\n%w", up, err)
			}
			return c, origin, nil
		case !errors.Is(err, fs.ErrNotExist):
			return nil, origin, fmt.Errorf("read settings %s: %w (fix its permissions, or move it away to start from the built-in default)", up, err)
		}
	}
	origin := Origin{Kind: FromEmbedded}
	c, err := parse(vigil.DefaultSettings, true)
	if err != nil {
		// Only the environment can break the built-in default (its tests keep it valid).
		return nil, origin, fmt.Errorf("built-in settings:\n%w", err)
	}
	return c, origin, nil
}

// Parse reads settings from YAML bytes: defaults, then data, then Validate. Unlike Load it
// ignores the environment, so the result depends on data alone.
func Parse(data []byte) (*Config, error) {
	return parse(data, false)
}

// readFile reads a settings file of at most MaxFileSize bytes.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, errors.New("is a folder, not a file")
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("larger than %d KiB; is it the right file?", MaxFileSize>>10)
	}
	return data, nil
}

// defaults are the values viper fills in for keys the file leaves out. Zero values need
// no entry: each field's doc says what its zero means.
var defaults = map[string]any{
	"wall.layout": DefaultLayout,
	"log.level":   DefaultLogLevel,
}

// scalarKeys lists the single-value keys outside lists ("wall.layout", "demo.fps", …):
// the keys defaults and the environment can set, and whose origin Save tracks.
func scalarKeys() []string {
	var keys []string
	t := reflect.TypeFor[Config]()
	for i := range t.NumField() {
		sec := t.Field(i)
		if sec.Type.Kind() != reflect.Struct || yamlName(sec) == "" {
			continue
		}
		for j := range sec.Type.NumField() {
			f := sec.Type.Field(j)
			if f.Type.Kind() == reflect.Slice || yamlName(f) == "" {
				continue
			}
			keys = append(keys, yamlName(sec)+"."+yamlName(f))
		}
	}
	return keys
}

// envName is the environment variable for a key: "log.level" → "VIGIL_LOG_LEVEL".
func envName(key string) string {
	return EnvPrefix + "_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// provenance records, for one scalar key, what the file said and what was loaded.
type provenance struct {
	inFile bool // the file sets the key
	file   any  // the file's value (with defaults, without environment)
	loaded any  // the value loaded (defaults → file → environment)
	env    bool // the environment set it
}

// decodeLayers runs viper over the file's data: defaults, then data, then (if env) the
// environment, decoded strictly into a Config.
// With exact false, keys the Config lacks are ignored (checkSchema has reported them).
func decodeLayers(data []byte, env, exact bool) (*Config, *viper.Viper, error) {
	v := viper.NewWithOptions(viper.KeyDelimiter("."))
	v.SetConfigType("yaml")
	for k, val := range defaults {
		v.SetDefault(k, val)
	}
	if env {
		v.SetEnvPrefix(EnvPrefix)
		v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
		for _, k := range scalarKeys() {
			if err := v.BindEnv(k); err != nil {
				return nil, nil, err
			}
		}
	}
	if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
		return nil, nil, fmt.Errorf("not valid YAML: %w", err)
	}
	c := new(Config)
	unmarshal := v.Unmarshal
	if exact {
		unmarshal = v.UnmarshalExact
	}
	if err := unmarshal(c); err != nil {
		return nil, nil, err
	}
	c.normalise()
	return c, v, nil
}

// parse is Load's and Parse's common part. It reports every problem it can find at once:
// when the file's shape is wrong (unknown keys, wrong kinds of value) it still decodes what
// it can, leniently, and adds what Validate says about the rest.
func parse(data []byte, env bool) (*Config, error) {
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("larger than %d KiB", MaxFileSize>>10)
	}
	schema, err := checkSchema(data)
	if err != nil {
		return nil, err
	}
	exact := len(schema.problems) == 0

	fileOnly, v, err := decodeLayers(data, false, exact)
	if err != nil {
		if !exact {
			return nil, scrub(errors.Join(schema.problems...), schema.secrets)
		}
		return nil, scrub(fmt.Errorf("decode: %w", err), schema.secrets)
	}
	c := fileOnly
	if env {
		c, _, err = decodeLayers(data, true, exact)
		if err != nil {
			// Only an environment value can fail here (the file decoded above).
			return nil, scrub(fmt.Errorf("environment (%s_…): %w", EnvPrefix, err), schema.secrets)
		}
	}

	cv, fv := reflect.ValueOf(c).Elem(), reflect.ValueOf(fileOnly).Elem()
	c.loaded = map[string]provenance{}
	for _, k := range scalarKeys() {
		c.loaded[k] = provenance{
			inFile: v.InConfig(k),
			file:   fieldByKey(fv, k).Interface(),
			loaded: fieldByKey(cv, k).Interface(),
			env:    env && os.Getenv(envName(k)) != "", // viper ignores empty variables too
		}
	}

	problems := schema.problems
	for _, fe := range Problems(c.Validate()) {
		if p, ok := c.loaded[fe.Path]; ok && p.env {
			fe.Env = envName(fe.Path)
		} else if coveredBy(fe.Path, schema.problems) {
			continue // the shape problem already explains it
		} else {
			fe.Line = lineOf(schema.lines, fe.Path)
		}
		problems = append(problems, fe)
	}
	if len(problems) > 0 {
		sortByLine(problems)
		if n := len(problems); n > maxProblems {
			problems = append(problems[:maxProblems:maxProblems],
				fmt.Errorf("… and %d more problems", n-maxProblems))
		}
		return nil, scrub(errors.Join(problems...), schema.secrets)
	}
	return c, nil
}

// maxProblems caps how many problems one error lists; a damaged file could hold thousands.
const maxProblems = 50

// coveredBy is true when a shape problem was reported at path or one of its parents.
func coveredBy(path string, problems []error) bool {
	for _, e := range problems {
		if fe, ok := e.(*FieldError); ok && (fe.Path == path || strings.HasPrefix(path, fe.Path+".") ||
			strings.HasPrefix(path, fe.Path+"[")) {
			return true
		}
	}
	return false
}

// sortByLine orders problems by line (environment and unplaced ones first), keeping the
// order of problems on the same line.
func sortByLine(problems []error) {
	line := func(e error) int {
		if fe, ok := e.(*FieldError); ok {
			return fe.Line
		}
		return 0
	}
	slices.SortStableFunc(problems, func(a, b error) int { return line(a) - line(b) })
}

// lineOf finds the line of path, or of its nearest parent the file holds.
func lineOf(lines map[string]int, path string) int {
	for path != "" {
		if l, ok := lines[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}

// fieldByKey returns the field of a Config value for a scalar key such as "demo.fps".
func fieldByKey(v reflect.Value, key string) reflect.Value {
	for part := range strings.SplitSeq(key, ".") {
		t := v.Type()
		for i := range t.NumField() {
			if yamlName(t.Field(i)) == part {
				v = v.Field(i)
				break
			}
		}
	}
	return v
}

// normalise makes empty lists nil, so a file saying `cameras: []` and one leaving cameras
// out load equal.
func (c *Config) normalise() {
	if len(c.Cameras) == 0 {
		c.Cameras = nil
	}
	if len(c.Wall.Tiles) == 0 {
		c.Wall.Tiles = nil
	}
	if len(c.Wall.Windows) == 0 {
		c.Wall.Windows = nil
	}
	if len(c.Views) == 0 {
		c.Views = nil
	}
	for i := range c.Cameras {
		if len(c.Cameras[i].Streams) == 0 {
			c.Cameras[i].Streams = nil
		}
	}
}
