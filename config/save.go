package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// savedHeader opens every file Save writes.
const savedHeader = `Vigil settings, saved by Vigil. Comments added here are not kept when Vigil saves.
Every key is explained in Vigil's built-in default (settings.yaml in its repository).`

// SaveUser saves c to the user's settings file (UserPath). This is the only file the app
// writes; the built-in default is never written.
func SaveUser(c *Config) error {
	p, err := UserPath()
	if err != nil {
		return err
	}
	return Save(c, p)
}

// Save writes c to path as YAML, atomically: a temporary file in the same folder, fsync,
// rename over path, fsync of the folder, so a crash leaves either the old file or the new
// one. The file is mode 0600 (it holds passwords); a missing folder is created 0700. A
// symlink at path is followed and its target replaced.
//
// Save writes the typed settings, not viper's merged view: values that came from defaults
// or the environment and were not changed since Load are not written back. c must pass
// Validate.
func Save(c *Config, path string) error {
	return save(c, path, osFS{})
}

// saveFS is the file-system calls Save makes that tests need to fail on demand.
type saveFS interface {
	Rename(oldpath, newpath string) error
}

type osFS struct{}

func (osFS) Rename(oldpath, newpath string) error { return os.Rename(oldpath, newpath) }

func save(c *Config, path string, fsys saveFS) error {
	if path == "" {
		return errors.New("save settings: no file name given")
	}
	if err := c.Validate(); err != nil {
		return fmt.Errorf("settings not saved to %s, they have problems:\n%w", path, err)
	}
	data, err := c.marshal()
	if err != nil {
		return fmt.Errorf("save settings to %s: %w", path, err)
	}
	return writeAtomic(path, data, fsys)
}

// Marshal returns the YAML Save would write.
func (c *Config) Marshal() ([]byte, error) { return c.marshal() }

func (c *Config) marshal() ([]byte, error) {
	out := *c
	out.loaded = nil
	ov := reflect.ValueOf(&out).Elem()
	var drop []string
	for _, k := range scalarKeys() {
		f := fieldByKey(ov, k)
		cur := f.Interface()
		p, ok := c.loaded[k]
		if !ok {
			// Built in code: nothing was loaded, so only non-zero values are settings.
			p = provenance{loaded: reflect.Zero(f.Type()).Interface()}
		}
		if cur != p.loaded {
			continue // changed since Load: a setting to keep
		}
		if p.inFile {
			f.Set(reflect.ValueOf(p.file)) // as the file said, not as the environment did
		} else {
			drop = append(drop, k) // a default or an environment value
		}
	}

	var root yaml.Node
	if err := root.Encode(&out); err != nil {
		return nil, err
	}
	for _, k := range drop {
		removeKey(&root, strings.Split(k, "."))
	}
	// Drop sections left empty, except cameras, which a reader looks for.
	for i := 0; i+1 < len(root.Content); {
		if v := root.Content[i+1]; v.Kind == yaml.MappingNode && len(v.Content) == 0 {
			root.Content = append(root.Content[:i], root.Content[i+2:]...)
			continue
		}
		i += 2
	}
	root.HeadComment = savedHeader

	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&root); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// removeKey deletes the key at path from a mapping node tree.
func removeKey(n *yaml.Node, path []string) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value != path[0] {
			continue
		}
		if len(path) == 1 {
			n.Content = append(n.Content[:i], n.Content[i+2:]...)
			return
		}
		removeKey(n.Content[i+1], path[1:])
		return
	}
}

// writeAtomic replaces path with data: temp file in the same folder, fsync, rename, fsync
// folder. On failure the old file is untouched and the temp file removed.
func writeAtomic(path string, data []byte, fsys saveFS) (err error) {
	if fi, lerr := os.Lstat(path); lerr == nil && fi.Mode()&os.ModeSymlink != 0 {
		target, serr := filepath.EvalSymlinks(path)
		if serr != nil {
			return fmt.Errorf("save settings: %s is a symlink that cannot be followed: %w", path, serr)
		}
		path = target
	}
	if fi, serr := os.Stat(path); serr == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("save settings: %s is not a regular file", path)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("save settings: create folder %s: %w (check that its parent folder exists and is writable)", dir, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("save settings: cannot write in %s: %w (check the folder's permissions and free space)", dir, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("save settings: write %s: %w (is the disk full?)", tmp.Name(), err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("save settings: flush %s to disk: %w", tmp.Name(), err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("save settings: close %s: %w", tmp.Name(), err)
	}
	if err = fsys.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save settings: replace %s: %w (the old file is unchanged)", path, err)
	}
	if d, derr := os.Open(dir); derr == nil {
		derr = d.Sync()
		d.Close()
		if derr != nil {
			return fmt.Errorf("save settings: saved %s, but flushing its folder failed: %w", path, derr)
		}
	}
	return nil
}
