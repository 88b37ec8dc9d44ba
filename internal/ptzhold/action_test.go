package ptzhold_test

import (
	"strings"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/internal/ptzhold"
)

func TestParseAction(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		speed float64
		dur   time.Duration
		bad   string
	}{
		{[]string{"left"}, 0.5, 0, ""},
		{[]string{"zoom-out"}, 1, time.Second, ""},
		{[]string{"preset", "4"}, 0.5, 0, ""},
		{[]string{"store", "4"}, 0.5, 0, ""},
		{[]string{"presets"}, 0.5, 0, ""},
		{[]string{"info"}, 0.5, 0, ""},
		{nil, 0.5, 0, "name an action"},
		{[]string{"spin"}, 0.5, 0, "unknown action"},
		{[]string{"left"}, 0, 0, "want 0 < S"},
		{[]string{"left"}, 1.5, 0, "want 0 < S"},
		{[]string{"preset"}, 0.5, 0, "preset N"},
		{[]string{"left", "extra"}, 0.5, 0, "unexpected"},
		{[]string{"info"}, 0.5, time.Second, "--for goes with a move"},
		{[]string{"left"}, 0.5, -time.Second, "not negative"},
	} {
		_, err := ptzhold.ParseAction(tc.args, tc.speed, tc.dur)
		if tc.bad == "" && err != nil || tc.bad != "" && (err == nil || !strings.Contains(err.Error(), tc.bad)) {
			t.Errorf("%v speed %v for %v: %v, want %q", tc.args, tc.speed, tc.dur, err, tc.bad)
		}
	}
}
