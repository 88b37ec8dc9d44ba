package capture

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// cleanTextCases drive the table test and seed the fuzz target.
var cleanTextCases = []struct {
	name, in string
	max      int
	want     string
}{
	{"plain", "Service Unavailable", 0, "Service Unavailable"},
	{"empty", "", 0, ""},
	{"clear screen and fake OK", "\x1b[2J\x1b[HOK", 0, "OK"},
	{"colour", "Not \x1b[1;31mFound\x1b[0m", 0, "Not Found"},
	{"private CSI", "a\x1b[?25lb", 0, "ab"},
	{"OSC title with BEL", "x\x1b]0;owned\x07y", 0, "xy"},
	{"OSC hyperlink with ST", "\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\", 0, "click"},
	{"DCS", "a\x1bPq#0;2;0;0;0\x1b\\b", 0, "ab"},
	{"two-byte escape", "a\x1bcb\x1b7c\x1b(Bd", 0, "abcd"},
	{"lone ESC at end", "abc\x1b", 0, "abc"},
	{"unterminated CSI", "abc\x1b[12;", 0, "abc"},
	{"C1 CSI", "a\u009b2Jb", 0, "ab"},
	{"C1 OSC to ST", "a\u009d0;t\u009cb", 0, "ab"},
	{"C0 controls", "a\x00b\x07c\x08d", 0, "abcd"},
	{"DEL and C1", "a\x7fb\u0085c\u0090", 0, "ab c"},
	{"bidi override", "gpj.\u202eexe", 0, "gpj.exe"},
	{"bidi isolates and marks", "\u2066a\u2069\u200eb\u200fc\u061c", 0, "abc"},
	{"zero width and BOM", "\ufeffa\u200bb\u200dc\u2060", 0, "abc"},
	{"tag characters", "a\U000e0041b", 0, "ab"},
	{"newlines collapse", "line one\r\nline two\n\n\tthree", 0, "line one line two three"},
	{"header injection", "OK\r\nX-Evil: 1", 0, "OK X-Evil: 1"},
	{"unicode spaces", "a\u00a0\u2028\u2029\u3000b", 0, "a b"},
	{"trim", "  \t padded \r\n", 0, "padded"},
	{"invalid UTF-8", "a\xffb\xfe\xfdc", 0, "a\ufffdb\ufffdc"},
	{"cut", "abcdefghij", 5, "abcd…"},
	{"exact fit", "abcde", 5, "abcde"},
	{"cut multibyte", "ééééééé", 4, "ééé…"},
	{"cut at a space drops it", "abc defgh", 5, "abc…"},
	{"escape does not count", "\x1b[31mabcde\x1b[0m", 5, "abcde"},
	{"non-ASCII kept", "Kamera Süd – 東門", 0, "Kamera Süd – 東門"},
	{"only controls", "\x1b[2J\x00\x1b[H", 0, ""},
}

func TestCleanText(t *testing.T) {
	for _, c := range cleanTextCases {
		t.Run(c.name, func(t *testing.T) {
			got := CleanText(c.in, c.max)
			if got != c.want {
				t.Fatalf("CleanText(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
			}
			checkClean(t, c.in, got, c.max)
		})
	}
}

func TestCleanTextDefaultMax(t *testing.T) {
	got := CleanText(strings.Repeat("x", 10000), 0)
	if n := utf8.RuneCountInString(got); n != MaxFieldText || !strings.HasSuffix(got, "…") {
		t.Fatalf("%d characters, ends %q", n, got[len(got)-5:])
	}
}

// checkClean asserts what CleanText promises, whatever the input.
func checkClean(t *testing.T, in, got string, max int) {
	t.Helper()
	if max <= 0 {
		max = MaxFieldText
	}
	if !utf8.ValidString(got) {
		t.Fatalf("CleanText(%q) = %q: invalid UTF-8", in, got)
	}
	if n := utf8.RuneCountInString(got); n > max {
		t.Fatalf("CleanText(%q) = %d characters, over %d", in, n, max)
	}
	if got != strings.TrimSpace(got) || strings.Contains(got, "  ") {
		t.Fatalf("CleanText(%q) = %q: untrimmed or doubled space", in, got)
	}
	for _, r := range got {
		if r == 0x1b || r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || unicode.Is(unicode.Cf, r) || (unicode.IsSpace(r) && r != ' ') {
			t.Fatalf("CleanText(%q) = %q keeps %U", in, got, r)
		}
	}
	if again := CleanText(got, max); again != got {
		t.Fatalf("not idempotent: %q then %q", got, again)
	}
}

func FuzzCleanText(f *testing.F) {
	for _, c := range cleanTextCases {
		f.Add(c.in, c.max)
	}
	f.Fuzz(func(t *testing.T, in string, max int) {
		max = max % 2000
		if max < 0 {
			max = -max
		}
		checkClean(t, in, CleanText(in, max), max)
	})
}

func TestCleanErrorKeepsTheChain(t *testing.T) {
	if CleanError(nil) != nil {
		t.Fatal("nil error became non-nil")
	}
	plain := fmt.Errorf("camera 10.0.0.5: %w", ErrNotFound)
	if CleanError(plain) != plain {
		t.Fatal("a clean error was wrapped")
	}
	dirty := fmt.Errorf("camera said \x1b[2J\x1b[HOK: %w", ErrForbidden)
	got := CleanError(dirty)
	if strings.ContainsRune(got.Error(), 0x1b) || got.Error() != "camera said OK: forbidden" {
		t.Fatalf("message %q", got.Error())
	}
	if !errors.Is(got, ErrForbidden) || Classify(got) != CauseForbidden {
		t.Fatalf("chain lost: %v", got)
	}
}

func TestCleanTextCutBeforeASpace(t *testing.T) {
	if got := CleanText("abcd efgh", 5); got != "abcd…" {
		t.Fatalf("got %q", got)
	}
}

func BenchmarkCleanText(b *testing.B) {
	for _, c := range []struct{ name, in string }{
		{"clean header", "multipart/x-mixed-replace; boundary=boundarydonotcross"},
		{"hostile reason", "\x1b[2J\x1b[H\x1b]0;owned\x07OK\u202e" + strings.Repeat("x", 300)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = CleanText(c.in, MaxFieldText)
			}
		})
	}
}
