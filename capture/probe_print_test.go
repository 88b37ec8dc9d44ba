package capture

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
)

// A failure prints what happened and, on its own line, what to try: both always, each
// once, whatever words the sentence holds (the probe once hid the advice when the
// sentence said "check" or "try").
func TestPrintProbeFailure(t *testing.T) {
	for _, err := range []error{
		&Error{Kind: ErrNotFound, Where: "cam:80", Status: 404, What: "no stream at http://cam/try-check", Hint: "check the URL path"},
		fmt.Errorf("try again: %w", syscall.ECONNREFUSED),
	} {
		r := ProbeReport{URL: "http://cam/", Err: err}
		r.Explain()
		var b strings.Builder
		r.WriteText(&b, "")
		x := Explain(err)
		want := fmt.Sprintf("FAILED (%s): %s\n  try: %s\n", x.Cause, x.Summary, x.Advice)
		if out := b.String(); !strings.HasSuffix(out, want) || x.Advice == "" || strings.Count(out, x.Advice) != 1 {
			t.Errorf("printed %q, want it to end %q", out, want)
		}
	}
}
