package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Analyzers are the built-in analyzer names a camera's `analyzers:` may list: motion, and
// the detectors of OpenCV's cascades (analytics/detect.Builtins). Config.AnalyzerNames
// adds the models of the settings (analytics.models).
func Analyzers() []string { return []string{"motion", "face", "person", "plate"} }

// Motion tunes a camera's motion analyzer: where motion counts (zones) and where it never
// does (masks), in picture coordinates 0…1 from the top-left corner, so they fit every
// stream of the camera.
type Motion struct {
	// Threshold is the luma difference (1…255) a pixel must change by (0: 30).
	Threshold int `mapstructure:"threshold" yaml:"threshold,omitempty"`
	// MinArea is the smallest moving region, in pixels of the 100-line analysis picture
	// (0: 10).
	MinArea int          `mapstructure:"min_area" yaml:"min_area,omitempty"`
	Zones   []MotionZone `mapstructure:"zones" yaml:"zones,omitempty"`
	// Masks are polygons, each a list of [x, y] points, where motion is ignored (trees, a
	// clock in the picture).
	Masks [][][2]float64 `mapstructure:"masks" yaml:"masks,omitempty"`
}

// MotionZone is a polygon where motion makes events named after it.
type MotionZone struct {
	Name string `mapstructure:"name" yaml:"name"`
	// Points are the polygon's corners, [x, y] each, 0…1.
	Points [][2]float64 `mapstructure:"points" yaml:"points"`
	// Threshold overrides the camera's for this zone (0: the camera's).
	Threshold int `mapstructure:"threshold" yaml:"threshold,omitempty"`
	// MinArea is the fraction of the zone (0…1) that must move (0: 0.002).
	MinArea float64 `mapstructure:"min_area" yaml:"min_area,omitempty"`
}

// maxPolygon bounds a zone's or mask's corners.
const maxPolygon = 64

func checkPolygon(p [][2]float64) string {
	if len(p) < 3 || len(p) > maxPolygon {
		return fmt.Sprintf("a polygon needs 3 to %d points, has %d", maxPolygon, len(p))
	}
	for _, q := range p {
		if !(q[0] >= 0 && q[0] <= 1 && q[1] >= 0 && q[1] <= 1) {
			return fmt.Sprintf("point [%g, %g] is outside the picture (want 0 to 1 for x and y)", q[0], q[1])
		}
	}
	return ""
}

// validateAnalytics checks a camera's analyzers against known (Config.AnalyzerNames) and
// its motion settings.
func (cam *Camera) validateAnalytics(known []string, add func(key, value, format string, args ...any)) {
	for i, a := range cam.Analyzers {
		if !slices.Contains(known, a) {
			add("analyzers["+strconv.Itoa(i)+"]", a, "unknown analyzer (want %s, or a model added under analytics.models)", strings.Join(known, ", "))
		}
	}
	m := cam.Motion
	if m == nil {
		return
	}
	if m.Threshold < 0 || m.Threshold > 255 {
		add("motion.threshold", strconv.Itoa(m.Threshold), "want 1 to 255 (0: the default, 30)")
	}
	if m.MinArea < 0 || m.MinArea > 100000 {
		add("motion.min_area", strconv.Itoa(m.MinArea), "want 1 to 100000 pixels (0: the default, 10)")
	}
	zones := map[string]bool{}
	for i, z := range m.Zones {
		zp := "motion.zones[" + strconv.Itoa(i) + "]"
		switch {
		case checkName(z.Name) != "":
			add(zp+".name", z.Name, "%s", checkName(z.Name))
		case zones[strings.ToLower(z.Name)]:
			add(zp+".name", z.Name, "already used by another zone of this camera")
		}
		zones[strings.ToLower(z.Name)] = true
		if msg := checkPolygon(z.Points); msg != "" {
			add(zp+".points", "", "%s", msg)
		}
		if z.Threshold < 0 || z.Threshold > 255 {
			add(zp+".threshold", strconv.Itoa(z.Threshold), "want 1 to 255 (0: the camera's)")
		}
		if !(z.MinArea >= 0 && z.MinArea <= 1) {
			add(zp+".min_area", fmtFloat(z.MinArea), "want a fraction of the zone, 0 to 1")
		}
	}
	for i, p := range m.Masks {
		if msg := checkPolygon(p); msg != "" {
			add("motion.masks["+strconv.Itoa(i)+"]", "", "%s", msg)
		}
	}
}
