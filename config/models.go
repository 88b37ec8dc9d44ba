package config

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/vigil-cctv/vigil/analytics"
)

// Model is a detector from a DNN model the user gives (issue 15: "any ONNX or Caffe
// model the user points to through gocv's DNN module with its label file"), as
// analytics/detect.NetOptions reads one: an SSD-style detection model whose output is
// rows of [image, class, score, box]. Files are checked when the analyzers start (the
// wall, `vigil analyze`), not here: the settings may be written on another machine.
type Model struct {
	// Name is what a camera's analyzers list: unique (ignoring case), not a built-in
	// analyzer's (motion, face, person, plate), without a comma.
	Name string `mapstructure:"name" yaml:"name"`
	// Model is the .onnx or .caffemodel file: an absolute path, or "~/…" in the home
	// folder.
	Model string `mapstructure:"model" yaml:"model"`
	// Config is a Caffe model's .prototxt, required with a .caffemodel and refused with
	// an .onnx.
	Config string `mapstructure:"config" yaml:"config,omitempty"`
	// Labels is a text file of class names, one a line, class 0 first; detections are
	// named by it.
	Labels string `mapstructure:"labels" yaml:"labels"`
	// Size is the model's input side in pixels. It defaults to 300 (MobileNet-SSD's).
	Size int `mapstructure:"size" yaml:"size,omitempty"`
	// Scale and Mean normalise the input (pixel×Scale − Mean×Scale). Scale defaults to
	// 1, Mean to 0; MobileNet-SSD wants 0.007843 (1/127.5) and 127.5.
	Scale float64 `mapstructure:"scale" yaml:"scale,omitempty"`
	Mean  float64 `mapstructure:"mean" yaml:"mean,omitempty"`
	// MinScore drops weaker detections, 0…1. It defaults to 0.5.
	MinScore float64 `mapstructure:"min_score" yaml:"min_score,omitempty"`
	// FPS is how many frames a second the model looks at, at most MaxModelFPS. It
	// defaults to 2.
	FPS float64 `mapstructure:"fps" yaml:"fps,omitempty"`
}

// Limits of a Model.
const (
	// MaxModelSize is the largest input side (detect.NewNet's limit).
	MaxModelSize = 2048
	// MaxModelFPS is the most frames a second a model can look at: analyzers are given
	// no more (analytics.MaxFPS).
	MaxModelFPS = analytics.MaxFPS
	// MaxModels is the most models the settings may list.
	MaxModels = 64
)

// AnalyzerNames are the names a camera's analyzers may list with these settings: the
// built-ins (Analyzers), then the models' names, in settings order.
func (c *Config) AnalyzerNames() []string {
	out := Analyzers()
	for _, m := range c.Analytics.Models {
		if m.Name != "" && !slices.Contains(out, m.Name) {
			out = append(out, m.Name)
		}
	}
	return out
}

// Model returns the model a camera's analyzers name, or false.
func (c *Config) Model(name string) (Model, bool) {
	for _, m := range c.Analytics.Models {
		if m.Name == name {
			return m, true
		}
	}
	return Model{}, false
}

// Files returns the model's, config's and labels' paths with a leading "~/" expanded.
func (m Model) Files() (model, config, labels string, err error) {
	home, herr := os.UserHomeDir()
	expand := func(p string) (string, error) {
		if !homeRelative(p) {
			return p, nil
		}
		if herr != nil {
			return "", fmt.Errorf("model %q: cannot find the home folder for %s: %w", m.Name, p, herr)
		}
		return inHome(home, p), nil
	}
	if model, err = expand(m.Model); err != nil {
		return "", "", "", err
	}
	if m.Config != "" {
		if config, err = expand(m.Config); err != nil {
			return "", "", "", err
		}
	}
	if labels, err = expand(m.Labels); err != nil {
		return "", "", "", err
	}
	return model, config, labels, nil
}

// homeRelative reports whether p is "~" or starts with "~/": a path in the home folder.
func homeRelative(p string) bool { return p == "~" || strings.HasPrefix(p, "~/") }

// inHome is the home-relative path p ("~" or "~/…") in the home folder home.
func inHome(home, p string) string { return filepath.Join(home, strings.TrimPrefix(p, "~")) }

// checkModelPath returns what is wrong with a model's file path, or "": it must be
// absolute or in the home folder (the desktop app has no meaningful working folder),
// and end in one of exts.
func checkModelPath(p string, exts ...string) string {
	switch {
	case p == "":
		return "empty (want the file's path)"
	case strings.ContainsRune(p, 0):
		return "contains a NUL character"
	case !filepath.IsAbs(p) && !strings.HasPrefix(p, "~/"):
		return `want an absolute path ("/…"), or one in your home folder ("~/…")`
	case len(exts) > 0 && !slices.Contains(exts, strings.ToLower(filepath.Ext(p))):
		return "want a " + strings.Join(exts, " or ") + " file"
	}
	return ""
}

// validateModels checks analytics.models.
func (c *Config) validateModels() []*FieldError {
	var out []*FieldError
	if len(c.Analytics.Models) > MaxModels {
		out = append(out, fieldErr("analytics.models", "", "", "%d models, at most %d allowed", len(c.Analytics.Models), MaxModels))
	}
	seen := map[string]int{}
	for i, m := range c.Analytics.Models {
		base := "analytics.models[" + strconv.Itoa(i) + "]"
		add := func(key, value, format string, args ...any) {
			out = append(out, fieldErr(base+"."+key, "", value, format, args...))
		}
		folded := strings.ToLower(m.Name)
		switch {
		case checkLabel(m.Name, "cameras list a model by its name") != "":
			add("name", m.Name, "%s", checkLabel(m.Name, "cameras list a model by its name"))
		case strings.Contains(m.Name, ","):
			add("name", m.Name, "contains a comma (vigil analyze --analyzers takes names separated by commas)")
		case slices.Contains(Analyzers(), folded):
			add("name", m.Name, "the name of a built-in analyzer (%s): give the model another", strings.Join(Analyzers(), ", "))
		default:
			if j, dup := seen[folded]; dup {
				add("name", m.Name, "same name as analytics.models[%d] (names are unique, ignoring case)", j)
			} else {
				seen[folded] = i
			}
		}
		if msg := checkModelPath(m.Model, ".onnx", ".caffemodel"); msg != "" {
			add("model", m.Model, "%s", msg)
		}
		caffe := strings.EqualFold(filepath.Ext(m.Model), ".caffemodel")
		switch {
		case caffe && m.Config == "":
			add("config", "", "a Caffe model needs its .prototxt (config: ~/models/deploy.prototxt)")
		case !caffe && m.Config != "":
			add("config", m.Config, "only a Caffe model (.caffemodel) takes a config: an ONNX model holds its network")
		case m.Config != "":
			if msg := checkModelPath(m.Config, ".prototxt"); msg != "" {
				add("config", m.Config, "%s", msg)
			}
		}
		if m.Labels == "" {
			add("labels", "", "a label file is needed (one class name a line, class 0 first)")
		} else if msg := checkModelPath(m.Labels); msg != "" {
			add("labels", m.Labels, "%s", msg)
		}
		if m.Size < 0 || m.Size > MaxModelSize {
			add("size", strconv.Itoa(m.Size), "want 1 to %d pixels (0: the default, 300)", MaxModelSize)
		}
		finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
		if !finite(m.Scale) || m.Scale < 0 {
			add("scale", fmtFloat(m.Scale), "want a positive number (0: the default, 1)")
		}
		if !finite(m.Mean) || m.Mean < 0 || m.Mean > 255 {
			add("mean", fmtFloat(m.Mean), "want 0 to 255")
		}
		if !(m.MinScore >= 0 && m.MinScore <= 1) {
			add("min_score", fmtFloat(m.MinScore), "want a confidence 0 to 1 (0: the default, 0.5)")
		}
		if !(m.FPS >= 0 && m.FPS <= MaxModelFPS) {
			add("fps", fmtFloat(m.FPS), "want 0 to %d frames a second: analyzers get no more (0: the default, 2)", MaxModelFPS)
		}
	}
	return out
}
