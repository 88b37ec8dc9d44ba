package ui

import (
	"testing"

	"fyne.io/fyne/v2"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
)

// Connecting to a site confirms it in a notice that leaves the wall usable ("Connected to
// X: N cameras on M recording servers") and scrolls the camera list to the site's
// cameras, which were below the fold under a long list of cameras.
func TestSidebarSiteConnectedConfirmsAndScrolls(t *testing.T) {
	r := newWallTRig(t, wallTLive(t, 10), capture.StreamOptions{}, "auto", nil)
	r.win.Resize(fyne.NewSize(1000, 520))
	s := r.wall.chrome.side
	view := &SiteView{
		Site: config.Site{URL: "milestones://127.0.0.1:8443", User: "op"},
		Host: "127.0.0.1:8443",
		Recorders: []RecorderView{
			{Name: "Recorder 1", Addr: "127.0.0.1:7563", Cameras: []SiteCamera{{Name: "Gate", URL: "milestones://127.0.0.1:8443/g1"}, {Name: "Dock", URL: "milestones://127.0.0.1:8443/g2"}}},
			{Name: "Recorder 2", Addr: "127.0.0.1:7564", Cameras: []SiteCamera{{Name: "Yard", URL: "milestones://127.0.0.1:8443/g3"}}},
		},
	}
	if err := s.siteConnected(view, nil); err != nil {
		t.Fatal(err)
	}
	if r.win.Canvas().Overlays().Top() != nil {
		t.Error("the confirmation is modal: it blocks the wall")
	}
	want := "Connected to " + view.Site.Label() + ": 3 cameras on 2 recording servers."
	if !s.notice.Visible() || s.noticeText.Text != want {
		t.Errorf("notice shown %v: %q, want %q", s.notice.Visible(), s.noticeText.Text, want)
	}
	head := s.siteHeads[view.Site.Label()]
	if head == nil {
		t.Fatal("no section for the site")
	}
	top, height := s.scroll.Offset.Y, s.scroll.Size().Height
	if y := head.Position().Y; y < top || y+head.Size().Height > top+height {
		t.Errorf("the site's heading at y=%.0f is outside the list's view [%.0f, %.0f)", y, top, top+height)
	}
	if top == 0 {
		t.Error("the list did not scroll (the site was below the fold)")
	}
	// Visible rows of the site's cameras: the first one is in view.
	found := false
	for _, row := range s.siteRows {
		if row.cam.Name == "Gate" {
			y := row.Position().Y
			found = y >= top && y+row.Size().Height <= top+height
		}
	}
	if !found {
		t.Error("the site's first camera is not in view")
	}
	s.hideNotice()
	if s.notice.Visible() {
		t.Error("the notice did not close")
	}
}
