package wallmodel

import (
	"slices"
	"testing"
)

// A view shows exactly its cameras at its positions in its layout; a camera it names
// that is not in the list keeps its position, empty but named, and is kept when the
// view is saved again; the camera coming back takes that place.
func TestApplyView(t *testing.T) {
	m := New("auto", cams(4), nil)
	m.Maximise(1)
	if !m.ApplyView("2x2", []string{"C", "", "Gone", "A"}) {
		t.Fatal("ApplyView changed nothing")
	}
	wantTiles(t, m, "C", "", "", "A")
	wantSize(t, m, 2, 2)
	if m.Maximised() != -1 || m.Missing(2) != "Gone" || m.Missing(1) != "" {
		t.Fatalf("maximised %d missing %q %q", m.Maximised(), m.Missing(2), m.Missing(1))
	}
	if got := m.ViewTiles(); !slices.Equal(got, []string{"C", "", "Gone", "A"}) {
		t.Fatalf("ViewTiles = %q", got)
	}
	if !m.Shows("2x2", []string{"C", "", "Gone", "A", ""}) || m.Shows("2x2", []string{"C"}) || m.Shows("3x3", []string{"C", "", "Gone", "A"}) {
		t.Error("Shows is wrong")
	}
	if m.ApplyView("2x2", []string{"C", "", "Gone", "A"}) {
		t.Error("the same view again reported a change")
	}
	// A new camera does not take the missing camera's place; the missing one does.
	if p := m.FreePosition(); p != 1 {
		t.Errorf("FreePosition = %d, want 1 (2 waits for Gone)", p)
	}
	m.SetCameras(append(cams(4), "Gone"), "", "")
	wantTiles(t, m, "C", "", "Gone", "A")
	if m.Missing(2) != "" {
		t.Error("still missing after it came back")
	}
	// Assigning over a missing place clears it.
	m.ApplyView("auto", []string{"", "Lost"})
	wantSize(t, m, 2, 1) // auto keeps the named position's cell
	m.Assign(1, "B")
	if m.Missing(1) != "" || !slices.Equal(m.ViewTiles(), []string{"", "B"}) {
		t.Errorf("after Assign: missing %q, view %q", m.Missing(1), m.ViewTiles())
	}
}

// A wall restored from its saved positions shows its view's missing cameras in the
// positions still empty.
func TestShowMissing(t *testing.T) {
	m := New("2x2", cams(2), []string{"A", "", "B"})
	if !m.ShowMissing([]string{"A", "Gone", "B", "C"}) {
		t.Fatal("nothing shown")
	}
	if m.Missing(1) != "Gone" || m.Missing(2) != "" || m.Missing(3) != "C" {
		t.Errorf("missing %q %q %q", m.Missing(1), m.Missing(2), m.Missing(3))
	}
	wantTiles(t, m, "A", "", "B")
	if m.ShowMissing([]string{"A", "Gone"}) {
		t.Error("shown twice")
	}
}

// A second window's model leaves new cameras in the list.
func TestKeepNewOut(t *testing.T) {
	m := New("2x2", cams(2), nil)
	m.KeepNewOut()
	m.SetCameras(cams(3), "", "")
	wantTiles(t, m, "A", "B")
}

func TestCycle(t *testing.T) {
	names := []string{"a", "b", "c"}
	for _, tc := range []struct {
		cur  string
		step int
		want string
	}{{"a", 1, "b"}, {"c", 1, "a"}, {"a", -1, "c"}, {"", 1, "a"}, {"", -1, "c"}, {"x", 1, "a"}} {
		if got := Cycle(names, tc.cur, tc.step); got != tc.want {
			t.Errorf("Cycle(%q, %d) = %q, want %q", tc.cur, tc.step, got, tc.want)
		}
	}
	if Cycle(nil, "a", 1) != "" {
		t.Error("no names")
	}
}
