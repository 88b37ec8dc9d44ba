package config

import (
	"reflect"
	"strings"
	"testing"
)

// Views round-trip through a real settings file: names, layouts, placements, the current
// view and the extra windows; a view naming a camera that no longer exists is kept.
func TestViewsSavedAndLoaded(t *testing.T) {
	isolate(t)
	c := mustParse(t, "demo: {mjpeg: 3}\n")
	c.Views = []View{
		{Name: "Entrances", Layout: "2x2", Tiles: []string{"Demo 2", "", "Removed camera"}},
		{Name: "All", Layout: "auto"},
	}
	c.Wall.View, c.Wall.Windows = "Entrances", []string{"All"}
	if err := SaveUser(c); err != nil {
		t.Fatal(err)
	}
	back, _, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Views, c.Views) || back.Wall.View != "Entrances" || !reflect.DeepEqual(back.Wall.Windows, []string{"All"}) {
		t.Errorf("read back %+v, wall %+v", back.Views, back.Wall)
	}
	if v, ok := back.View("entrances"); !ok || v.Layout != "2x2" {
		t.Errorf("View(entrances) = %+v, %v", v, ok)
	}
}

func TestViewsValidated(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"empty name", "views: [{layout: auto}]", `views[0].name: empty`},
		{"duplicate name", "views: [{name: A, layout: auto}, {name: a, layout: 1}]", `views[1].name "a": same name as views[0]`},
		{"bad layout", "views: [{name: A, layout: 3x4}]", `views[0].layout "3x4": unsupported layout`},
		{"camera twice", "views: [{name: A, layout: auto, tiles: [X, X]}]", `views[0].tiles[1] "X": camera already placed in views[0].tiles[0]`},
		{"bad camera name", `views: [{name: A, layout: auto, tiles: ["a/b"]}]`, `views[0].tiles[0] "a/b": not a camera name`},
		{"too many tiles", "views: [{name: A, layout: auto, tiles: [" + strings.Repeat(`"", `, 64) + `""]}]`, `views[0].tiles: 65 entries, at most 64 allowed`},
		{"unknown current", "wall: {view: B}\nviews: [{name: A, layout: auto}]", `wall.view "B": no view has this name`},
		{"unknown window", "wall: {windows: [A, C]}\nviews: [{name: A, layout: auto}]", `wall.windows[1] "C": no view has this name`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
	// A camera removed since the view was saved is no error: the view keeps its place.
	c := mustParse(t, "views: [{name: A, layout: 2x2, tiles: [Gone, \"\", Also gone]}]\nwall: {view: A}")
	if v, _ := c.View("A"); !reflect.DeepEqual(v.Tiles, []string{"Gone", "", "Also gone"}) {
		t.Errorf("tiles %q", v.Tiles)
	}
}
