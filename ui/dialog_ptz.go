package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
)

// PTZTester reads a camera's PTZ controller without moving it: the camera dialog's Test
// PTZ. cam is the camera as typed in the dialog (its ptz block, and for a milestone
// block without a URL its stream and login). It returns the device's identity and its
// presets, or why they could not be read (the capture kinds, wrapped).
type PTZTester interface {
	ReadPTZ(ctx context.Context, cam config.Camera) (capture.PTZInfo, []capture.Preset, error)
}

// ptzTestTimeout bounds Test PTZ, as the stream Test is bounded.
const ptzTestTimeout = 10 * time.Second

// ptzNone is the kind choice of a camera without PTZ.
const ptzNone = "none"

// ptzShownPresets is how many presets Test PTZ lists by name.
const ptzShownPresets = 16

// ptzFields is the camera dialog's PTZ row: the ptz block's fields, their messages, and
// Test PTZ's state. Touched on the UI goroutine only.
type ptzFields struct {
	tester PTZTester

	kind                         *widget.Select
	url, user, password, profile *widget.Entry
	kindErr, urlErr, profileErr  *widget.Label
	fields, profileRow           *fyne.Container
	test                         *widget.Button
	result                       *widget.Label

	cancel context.CancelFunc // the Test PTZ in flight
	seq    int                // tells the current Test PTZ's answer from a stale one
}

// buildPTZ makes the PTZ row from d.orig.PTZ: the kind, and under it the fields of a
// kind other than none (the profile only for onvif).
func (d *cameraDialog) buildPTZ() fyne.CanvasObject {
	f, p := &d.ptz, d.orig.PTZ
	choices := []string{ptzNone, "rcp", "onvif", "milestone"}
	if p.Kind != "" && !slices.Contains(choices, p.Kind) {
		choices = append(choices, p.Kind) // a typo in the settings: shown, and flagged
	}
	f.url = d.entry(newDialogEntry(d.close), p.URL, "rcp://192.168.1.30/  (milestone: optional)")
	f.user = d.entry(newDialogEntry(d.close), p.User, "PTZ user")
	f.password = d.entry(newDialogPasswordEntry(d.close), p.Password, "PTZ password")
	f.profile = d.entry(newDialogEntry(d.close), p.Profile, "optional, e.g. Profile_1")
	f.kindErr, f.urlErr, f.profileErr = errLabel(), errLabel(), errLabel()
	f.result = wrapLabel("")
	f.result.Hide()
	f.test = testButton("Test PTZ", theme.SearchIcon(), d.onTestPTZ, f.tester != nil)
	f.profileRow = container.NewBorder(nil, nil, widget.NewLabel("Profile"), nil, d.obj(f.profile))
	creds := container.NewGridWithColumns(2,
		container.NewBorder(nil, nil, widget.NewLabel("User"), nil, d.obj(f.user)),
		container.NewBorder(nil, nil, widget.NewLabel("Password"), nil, d.obj(f.password)))
	f.fields = container.NewVBox(d.obj(f.url), f.urlErr, creds, f.profileRow, f.profileErr,
		container.NewBorder(nil, nil, f.test, nil, f.result))
	f.kind = widget.NewSelect(choices, func(string) {
		d.showPTZFields()
		d.validate()
	})
	kind := p.Kind
	if kind == "" {
		kind = ptzNone
	}
	f.kind.SetSelected(kind)
	d.showPTZFields()
	return container.NewVBox(f.kind, f.kindErr, f.fields)
}

// showPTZFields shows the fields the chosen kind has.
func (d *cameraDialog) showPTZFields() {
	f := &d.ptz
	if f.fields == nil {
		return
	}
	if f.kind.Selected == ptzNone {
		f.fields.Hide()
	} else {
		f.fields.Show()
	}
	if f.kind.Selected == "onvif" {
		f.profileRow.Show()
	} else {
		f.profileRow.Hide()
	}
	if d.pop != nil {
		d.pop.Refresh()
	}
}

// ptzBlock is the ptz block as typed: none for kind none, the profile only for onvif.
func (d *cameraDialog) ptzBlock() config.PTZ {
	f := &d.ptz
	if f.kind == nil || f.kind.Selected == ptzNone || f.kind.Selected == "" {
		return config.PTZ{}
	}
	p := config.PTZ{
		Kind:     f.kind.Selected,
		URL:      strings.TrimSpace(f.url.Text),
		User:     strings.TrimSpace(f.user.Text),
		Password: f.password.Text,
	}
	if p.Kind == "onvif" {
		p.Profile = strings.TrimSpace(f.profile.Text)
	}
	return p
}

// validatePTZ shows the ptz block's problems under its fields.
func (d *cameraDialog) validatePTZ(probs map[string]string, shown func(*widget.Entry, string) string) {
	f := &d.ptz
	setErr(f.kindErr, probs["ptz.kind"])
	setErr(f.urlErr, shown(f.url, "ptz.url"))
	setErr(f.profileErr, shown(f.profile, "ptz.profile"))
}

// stopPTZTest cancels the Test PTZ in flight, whose answer is then dropped.
func (d *cameraDialog) stopPTZTest() {
	f := &d.ptz
	if f.cancel != nil {
		f.cancel()
		f.cancel = nil
	}
	f.seq++
	if f.test != nil {
		f.test.SetText("Test PTZ")
	}
}

// onTestPTZ reads the typed PTZ's identity and presets through the tester (moving
// nothing), or stops the read in flight.
func (d *cameraDialog) onTestPTZ() {
	f := &d.ptz
	if f.cancel != nil {
		d.stopPTZTest()
		d.setPTZResult("Test PTZ stopped.")
		return
	}
	c, fpsMsg := d.camera()
	if !c.PTZ.Enabled() {
		d.setPTZResult("Choose the PTZ kind first.")
		return
	}
	probs := d.problems(c, fpsMsg)
	d.dirty[f.url], d.dirty[f.profile] = true, true
	d.validate()
	if probs["ptz.kind"] != "" || probs["ptz.url"] != "" || probs["ptz.profile"] != "" {
		d.setPTZResult("Fix the PTZ fields marked in red to test them.")
		return
	}
	if f.tester == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), ptzTestTimeout)
	f.cancel = cancel
	f.seq++
	seq := f.seq
	f.test.SetText("Stop")
	d.setPTZResult("Reading the PTZ of " + capture.RedactURL(orDash(c.PTZ.URL)) + "…")
	tester, do := f.tester, d.do
	d.probes.Add(1)
	go func() {
		defer d.probes.Done()
		info, presets, err := tester.ReadPTZ(ctx, c)
		do(func() {
			if d.closed || seq != f.seq {
				return
			}
			d.stopPTZTest()
			d.setPTZResult(d.mask(describePTZ(info, presets, err)))
		})
	}()
}

func (d *cameraDialog) setPTZResult(text string) {
	d.ptz.result.SetText(text)
	d.ptz.result.Show()
	d.pop.Refresh()
}

// describePTZ puts Test PTZ's answer in words: the device and its presets, or the
// explained error (after what was read, when the identity was).
func describePTZ(info capture.PTZInfo, presets []capture.Preset, err error) string {
	var b strings.Builder
	if err != nil {
		if info.Name != "" {
			fmt.Fprintf(&b, "Read %s, then:\n", info.Name)
		}
		writeFailure(&b, "PTZ test failed", capture.Explain(err))
		return b.String()
	}
	fmt.Fprintf(&b, "PTZ OK: %s", orDash(info.Name))
	var about []string
	if info.Model != "" {
		about = append(about, info.Model)
	}
	if info.Firmware != "" {
		about = append(about, "firmware "+info.Firmware)
	}
	if len(about) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(about, ", "))
	}
	if !info.PTZ {
		b.WriteString("\nThe device answers but reports no pan-tilt head.")
	}
	if len(presets) == 0 {
		b.WriteString("\nNo presets stored.")
		return b.String()
	}
	var names []string
	for _, p := range presets[:min(len(presets), ptzShownPresets)] {
		n := capture.CleanText(p.ID, 40)
		if name := capture.CleanText(p.Name, 40); name != "" && name != n && name != "Preset "+n {
			n += " " + name
		}
		names = append(names, n)
	}
	fmt.Fprintf(&b, "\nPresets (%d): %s", len(presets), strings.Join(names, ", "))
	if len(presets) > ptzShownPresets {
		b.WriteString(", …")
	}
	return b.String()
}
