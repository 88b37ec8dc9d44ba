package config

import (
	"reflect"
	"testing"

	vigil "github.com/vigil-cctv/vigil"
)

// FuzzParse feeds Parse arbitrary bytes. It must not panic, and whatever it accepts must
// survive Marshal and Parse unchanged. The seeds (the default, a full file and every
// invalid case) run as an ordinary test.
func FuzzParse(f *testing.F) {
	f.Add(vigil.DefaultSettings)
	f.Add([]byte(fullSettings))
	for _, tc := range invalidCases {
		f.Add([]byte(tc.yaml))
	}
	f.Add([]byte("views: [{name: A, layout: 2x2, tiles: [Gone, \"\", Demo 1]}]\nwall: {view: A, windows: [A, A]}\ndemo: {mjpeg: 1}\n"))
	f.Add([]byte("a: &a [*a, *a]\n"))
	f.Add([]byte("cameras: &c [{name: x, streams: [{url: \"demo://a\"}]}]\nwall: {tiles: *c}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			return
		}
		out, err := c.Marshal()
		if err != nil {
			t.Fatalf("Marshal of accepted settings: %v", err)
		}
		back, err := Parse(out)
		if err != nil {
			t.Fatalf("saved settings do not parse: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(c, back) {
			t.Fatalf("round trip changed the settings:\n%+v\n%+v\n%s", c, back, out)
		}
	})
}
