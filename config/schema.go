package config

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// schemaResult is what checking a file's YAML against the Config type finds.
type schemaResult struct {
	// lines maps key paths ("cameras[1].streams[0].url") to the line holding them.
	lines map[string]int
	// secrets are the password values and URL userinfo in the file, to scrub from errors.
	secrets []string
	// problems are unknown keys, duplicate keys, wrong kinds of value and over-long lists.
	problems []error
	// empty is true when the file holds no settings at all.
	empty bool
}

// maxDepth bounds nesting (and alias chains) in a settings file; Config nests 4 deep.
const maxDepth = 16

// checkSchema parses data as YAML and walks it against the Config type, before viper sees
// it. Viper's UnmarshalExact would also refuse unknown keys, but it cannot say which line
// they are on, it accepts keys in any case, and its weak typing turns `password: yes` into
// "1"; this walk reports each problem by key path and line, and suggests the key meant.
func checkSchema(data []byte) (*schemaResult, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("not valid YAML: %w", err)
	}
	r := &schemaResult{lines: map[string]int{}}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		r.empty = true
		return r, nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		r.empty = true
		return r, nil
	}
	w := walker{r: r}
	w.walk(root, reflect.TypeFor[Config](), "", "", 0)
	return r, nil
}

type walker struct{ r *schemaResult }

func (w *walker) add(n *yaml.Node, path, camera, format string, args ...any) {
	fe := fieldErr(path, camera, "", format, args...)
	fe.Line = n.Line
	w.r.problems = append(w.r.problems, fe)
}

// listLimits caps list lengths by key.
var listLimits = map[string]int{"cameras": MaxCameras, "streams": MaxStreams, "tiles": MaxTiles, "views": MaxViews, "windows": MaxViews, "models": MaxModels}

func (w *walker) walk(n *yaml.Node, t reflect.Type, path, camera string, depth int) {
	for n.Kind == yaml.AliasNode && n.Alias != nil && depth < maxDepth {
		n = n.Alias
		depth++
	}
	if depth >= maxDepth {
		w.add(n, path, camera, "nested too deeply")
		return
	}
	if path != "" {
		w.r.lines[path] = n.Line
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" && t.Kind() != reflect.String {
		return // null: the setting keeps its default
	}
	switch t.Kind() {
	case reflect.Struct:
		if w.is(n, yaml.MappingNode, path, camera, "a section of keys") {
			w.walkMapping(n, t, path, camera, depth)
		}
	case reflect.Slice:
		if !w.is(n, yaml.SequenceNode, path, camera, `a list (one "- item" per line, or [a, b])`) {
			return
		}
		if limit, ok := listLimits[lastKey(path)]; ok && len(n.Content) > limit {
			w.add(n, path, camera, "%d entries, at most %d allowed", len(n.Content), limit)
			return
		}
		for i, item := range n.Content {
			p := path + "[" + strconv.Itoa(i) + "]"
			cam := camera
			if path == "cameras" {
				cam = mappingScalar(item, "name")
			}
			w.walk(item, t.Elem(), p, cam, depth+1)
		}
	case reflect.String:
		w.checkString(n, path, camera)
	case reflect.Int:
		var v int
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&v) != nil {
			w.add(n, path, camera, "want a whole number, got %s", describe(n))
		}
	case reflect.Float64:
		var v float64
		tag := n.ShortTag()
		switch {
		case n.Kind != yaml.ScalarNode || (tag != "!!int" && tag != "!!float") || n.Decode(&v) != nil:
			w.add(n, path, camera, "want a number, got %s", describe(n))
		case math.IsNaN(v) || math.IsInf(v, 0):
			w.add(n, path, camera, "want a finite number")
		}
	}
}

// is reports whether n is a node of kind, noting "want what, got …" when it is not.
func (w *walker) is(n *yaml.Node, kind yaml.Kind, path, camera, what string) bool {
	if n.Kind == kind {
		return true
	}
	w.add(n, path, camera, "want %s, got %s", what, describe(n))
	return false
}

func (w *walker) walkMapping(n *yaml.Node, t reflect.Type, path, camera string, depth int) {
	fields := map[string]reflect.StructField{}
	var names []string
	for i := range t.NumField() {
		f := t.Field(i)
		if name := yamlName(f); name != "" {
			fields[name] = f
			names = append(names, name)
		}
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := k.Value
		p := joinPath(path, key)
		if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!merge" {
			w.add(k, joinPath(path, "?"), camera, "unsupported key (YAML merge keys and complex keys are not accepted)")
			continue
		}
		if line, dup := seen[key]; dup {
			w.add(k, p, camera, "set twice (first on line %d)", line)
			continue
		}
		seen[key] = k.Line
		f, ok := fields[key]
		if !ok {
			w.add(k, p, camera, "unknown key%s", suggest(key, names))
			continue
		}
		w.walk(v, f.Type, p, camera, depth+1)
	}
}

// checkString accepts a scalar whose text is what viper will decode. A plain `yes`, `1e3`
// or `0x1F` would reach the struct as "1", "1000" or "31", so those must be quoted.
func (w *walker) checkString(n *yaml.Node, path, camera string) {
	secret := lastKey(path) == "password" || lastKey(path) == "token" // push[].token
	if n.Kind == yaml.ScalarNode && secret && n.Value != "" {
		w.r.secrets = append(w.r.secrets, n.Value)
	}
	if n.Kind == yaml.ScalarNode && strings.Contains(n.Value, "@") {
		w.r.secrets = append(w.r.secrets, userinfoSecrets(n.Value)...)
	}
	if n.Kind != yaml.ScalarNode {
		if secret {
			w.add(n, path, camera, "want text")
		} else {
			w.add(n, path, camera, "want text, got %s", describe(n))
		}
		return
	}
	var same bool
	switch n.ShortTag() {
	case "!!str", "!!null":
		return
	case "!!int":
		var v int64
		same = n.Decode(&v) == nil && strconv.FormatInt(v, 10) == n.Value
	case "!!float":
		var v float64
		same = n.Decode(&v) == nil && strconv.FormatFloat(v, 'f', -1, 64) == n.Value
	}
	if !same {
		w.add(n, path, camera, `put the value in quotes ("…") so it is read as text, not as %s`, describe(n))
	}
}

// userinfoSecrets returns the user and password of a URL-like string, to scrub from errors.
func userinfoSecrets(s string) []string {
	_, rest, ok := strings.Cut(s, "://")
	if !ok {
		rest = s
	}
	if j := strings.IndexAny(rest, "/?#"); j >= 0 {
		rest = rest[:j]
	}
	k := strings.LastIndexByte(rest, '@')
	if k < 0 {
		return nil
	}
	user, pass, _ := strings.Cut(rest[:k], ":")
	return []string{rest[:k], user, pass}
}

// describe names a node's kind for a message, without showing its value (it may be secret).
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a section of keys"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!str":
			return "text"
		case "!!int":
			return "a whole number"
		case "!!float":
			return "a number"
		case "!!bool":
			return "true/false"
		case "!!null":
			return "nothing"
		}
	}
	return "an unsupported value"
}

// mappingScalar returns the text of key in a mapping node, or "".
func mappingScalar(n *yaml.Node, key string) string {
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key && n.Content[i+1].Kind == yaml.ScalarNode {
			return n.Content[i+1].Value
		}
	}
	return ""
}

// yamlName is a struct field's key in the settings file, "" for fields not in the file.
func yamlName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" {
		return ""
	}
	return name
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// lastKey is the last key of a path, without an index: "cameras[1].streams" → "streams".
func lastKey(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		path = path[i+1:]
	}
	if i := strings.IndexByte(path, '['); i >= 0 {
		path = path[:i]
	}
	return path
}

// suggest returns ` (did you mean "x"?)` for the known key closest to key, or a note about
// case, or "".
func suggest(key string, known []string) string {
	lower := strings.ToLower(key)
	for _, k := range known {
		if k == lower {
			return fmt.Sprintf(" (keys are lower-case: %q)", k)
		}
	}
	best, bestD := "", 3
	for _, k := range known {
		if d := editDistance(lower, k); d < bestD {
			best, bestD = k, d
		}
	}
	if best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	sorted := append([]string(nil), known...)
	sort.Strings(sorted)
	return " (known here: " + strings.Join(sorted, ", ") + ")"
}

// editDistance is the Levenshtein distance, for short keys only.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return math.MaxInt
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
