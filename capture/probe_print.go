package capture

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteJSON prints the report as `vigil probe --json` does: one indented object (the
// README's schema), with the snapshot file written when saved is not "".
func (r ProbeReport) WriteJSON(w io.Writer, saved string) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		ProbeReport
		Snapshot string `json:"snapshot,omitempty"`
	}{r, saved})
}

// WriteText prints the report for people, as `vigil probe` does: a row per finding, then
// OK or FAILED with what to try. saved names the snapshot file written ("" for none).
func (r ProbeReport) WriteText(w io.Writer, saved string) {
	row := func(k, format string, a ...any) { fmt.Fprintf(w, "  %-12s %s\n", k, fmt.Sprintf(format, a...)) }
	row("url", "%s", r.URL)
	if r.Protocol != "" {
		p := r.Protocol
		if r.ContentType != "" {
			p += " (" + r.ContentType + ")"
		}
		row("protocol", "%s", p)
		row("transport", "%s", r.Transport)
		auth := r.Auth
		if len(r.AuthOffered) > 0 {
			auth += " (offered: " + strings.Join(r.AuthOffered, ", ") + ")"
		}
		row("auth", "%s", auth)
	} else {
		// A failure before the stream started still says what the server answered.
		if r.ContentType != "" {
			row("answered", "Content-Type %s", r.ContentType)
		}
		if len(r.AuthOffered) > 0 {
			row("auth", "offered: %s", strings.Join(r.AuthOffered, ", "))
		}
	}
	for _, t := range r.Tracks {
		desc := t.Media + " " + t.Codec
		if t.Profile != "" {
			desc += " " + t.Profile
		}
		if t.Width > 0 {
			desc += fmt.Sprintf(" %d×%d", t.Width, t.Height)
		}
		if t.FPS > 0 {
			desc += fmt.Sprintf(" %.3g fps", t.FPS)
		}
		if t.Playing {
			desc += " (played)"
		}
		row("track", "%s", desc)
	}
	if r.Frames > 0 {
		row("codec", "%s", r.Codec)
		row("size", "%d×%d", r.Width, r.Height)
		row("frames", "%d", r.Frames)
		row("fps", "%.1f", r.FPS)
		row("bitrate", "%.0f kbit/s", r.BitrateKbps)
		row("first frame", "%.0f ms", r.FirstFrameMS)
	}
	if saved != "" {
		row("snapshot", "%s (%d KB)", saved, len(r.Snapshot)/1024)
	}
	if r.Fingerprint != "" {
		row("certificate", "SHA-256 %s (accepted with --insecure: not verified)", r.Fingerprint)
	}
	if len(r.Cameras) > 0 {
		row("cameras", "%d", len(r.Cameras))
		for _, c := range r.Cameras {
			fmt.Fprintf(w, "  %-12s %s  %s  (%s)\n", "", c.Name, c.ID, c.Recorder)
		}
	}
	if r.OK() {
		fmt.Fprintln(w, "OK")
		return
	}
	// Error says what happened, Advice what to try (capture.Explain).
	fmt.Fprintf(w, "FAILED (%s): %s\n", r.ErrorKind, r.Error)
	if r.Advice != "" {
		fmt.Fprintf(w, "  try: %s\n", r.Advice)
	}
}
