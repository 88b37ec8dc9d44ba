package recorder

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxNameBytes caps a safe camera name so that "<name>_<time>-NN.mp4" stays well under the
// 255-byte limit of common file systems.
const maxNameBytes = 96

// timeLayout is the time part of a segment's file name: local wall-clock time to the
// millisecond with its UTC offset, without colons (Windows forbids them). The milliseconds
// make a recording's start, and so every recorded time played from it, exact: a name to
// the second put pictures up to a second early. Names without them (written before) are
// still read, to the second.
const timeLayout = "2006-01-02T15-04-05.000-0700"

// parseLayout reads both: without the milliseconds in the layout, time.Parse takes them
// after the seconds when they are there.
const parseLayout = "2006-01-02T15-04-05-0700"

// dateLayout names the per-day folder.
const dateLayout = "2006-01-02"

// windowsReserved are device names Windows refuses as a file name, with or without an
// extension (Microsoft's "Naming Files, Paths, and Namespaces").
var windowsReserved = map[string]bool{
	"CON": true, "PRN": true, "AUX": true, "NUL": true, "CONIN$": true, "CONOUT$": true,
	"COM1": true, "COM2": true, "COM3": true, "COM4": true, "COM5": true, "COM6": true,
	"COM7": true, "COM8": true, "COM9": true, "LPT1": true, "LPT2": true, "LPT3": true,
	"LPT4": true, "LPT5": true, "LPT6": true, "LPT7": true, "LPT8": true, "LPT9": true,
}

// SafeName turns a camera name into a name usable as a folder and file name on Linux,
// macOS and Windows: path separators, ':', the other characters Windows forbids, control
// characters and invalid UTF-8 become '_'; leading dots (hidden files, "..") and trailing
// spaces and dots (Windows drops them) become '_'; reserved device names (CON, NUL,
// COM1, …) get a leading '_'; the result is capped at 96 bytes. Other Unicode is kept.
// When anything was changed, a short hash of the original name is appended, so two names
// that differ only in unsafe characters ("a/b" and "a:b") never share a folder. A name
// that needs no change is returned as it is; an empty name becomes "camera-<hash>".
func SafeName(camera string) string {
	var b strings.Builder
	for i, r := range camera {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(camera[i:]); size <= 1 {
				b.WriteByte('_')
				continue
			}
		}
		switch {
		case r == '/' || r == '\\' || r == ':' || r == '*' || r == '?' || r == '"' ||
			r == '<' || r == '>' || r == '|' || unicode.IsControl(r) ||
			r == '\u2028' || r == '\u2029':
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	s := []rune(b.String())
	for i := 0; i < len(s) && (s[i] == '.' || s[i] == ' '); i++ {
		s[i] = '_'
	}
	for i := len(s) - 1; i >= 0 && (s[i] == '.' || s[i] == ' '); i-- {
		s[i] = '_'
	}
	out := string(s)
	stem, _, _ := strings.Cut(out, ".")
	if windowsReserved[strings.ToUpper(strings.TrimRight(stem, " "))] {
		out = "_" + out
	}
	if len(out) > maxNameBytes {
		cut := maxNameBytes
		for cut > 0 && !utf8.RuneStart(out[cut]) {
			cut--
		}
		out = out[:cut]
	}
	if out == camera && out != "" {
		return out
	}
	sum := sha256.Sum256([]byte(camera))
	if out == "" {
		out = "camera"
	}
	return out + "-" + hex.EncodeToString(sum[:4])
}

// segmentName is the file name of a segment whose first frame was at t (already in the
// wanted zone); n > 1 adds the clash suffix.
func segmentName(safe string, t time.Time, n int) string {
	name := safe + "_" + t.Format(timeLayout)
	if n > 1 {
		name += fmt.Sprintf("-%d", n)
	}
	return name + ".mp4"
}

// segmentNameRE recognises a segment file name and captures its time.
var segmentNameRE = regexp.MustCompile(`_(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}(?:\.\d{3})?[+-]\d{4})(?:-\d+)?\.mp4$`)

// parseSegmentTime reads the first frame's time from a segment's file name.
func parseSegmentTime(name string) (time.Time, bool) {
	m := segmentNameRE.FindStringSubmatch(name)
	if m == nil {
		return time.Time{}, false
	}
	t, err := time.Parse(parseLayout, m[1])
	return t, err == nil
}

// maxClash bounds the -2, -3 … suffixes tried before giving up.
const maxClash = 1000

// createSegment creates <root>/<safe>/<date>/<safe>_<time>.mp4 exclusively, adding -2,
// -3 … when a file of that name exists (a clock set back, two segments in one second),
// so an existing recording is never overwritten.
func createSegment(root, safe string, t time.Time) (*os.File, string, error) {
	dir := filepath.Join(root, safe, t.Format(dateLayout))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, "", fmt.Errorf("creating the folder %s: %w", dir, err)
	}
	for n := 1; n <= maxClash; n++ {
		p := filepath.Join(dir, segmentName(safe, t, n))
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			return f, p, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, "", fmt.Errorf("creating %s: %w", p, err)
		}
	}
	return nil, "", fmt.Errorf("creating a recording in %s: %d files of the same second exist", dir, maxClash)
}

// DefaultRoot is where recordings go when the settings name no folder:
// $XDG_VIDEOS_DIR/vigil (from the environment or ~/.config/user-dirs.dirs), else
// ~/Videos/vigil.
func DefaultRoot() (string, error) {
	home, herr := os.UserHomeDir()
	if v := os.Getenv("XDG_VIDEOS_DIR"); v != "" && filepath.IsAbs(v) {
		return filepath.Join(v, "vigil"), nil
	}
	if herr != nil {
		return "", fmt.Errorf("finding the recordings folder: %w (set XDG_VIDEOS_DIR or choose a folder in Settings)", herr)
	}
	cfg := os.Getenv("XDG_CONFIG_HOME")
	if cfg == "" || !filepath.IsAbs(cfg) {
		cfg = filepath.Join(home, ".config")
	}
	if v := userDirsVideos(filepath.Join(cfg, "user-dirs.dirs"), home); v != "" {
		return filepath.Join(v, "vigil"), nil
	}
	return filepath.Join(home, "Videos", "vigil"), nil
}

// userDirsVideos reads XDG_VIDEOS_DIR from xdg-user-dirs' file (lines like
// XDG_VIDEOS_DIR="$HOME/Videos"), or "" when absent.
func userDirsVideos(path, home string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for lines := 0; sc.Scan() && lines < 1000; lines++ {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if !ok || k != "XDG_VIDEOS_DIR" {
			continue
		}
		v = strings.Trim(v, `"`)
		if rest, ok := strings.CutPrefix(v, "$HOME"); ok {
			v = home + rest
		}
		if filepath.IsAbs(v) && filepath.Clean(v) != filepath.Clean(home) {
			return v
		}
	}
	return ""
}
