package panel

import (
	"errors"
	"slices"
	"strings"

	"github.com/vigil-cctv/vigil/config"
)

// Views are the named views in the settings, in order (the view selector's, and
// Ctrl+1…9's).
func (p *Panel) Views() []config.View {
	out := slices.Clone(p.cfg.Views)
	for i := range out {
		out[i].Tiles = slices.Clone(out[i].Tiles)
	}
	return out
}

// SaveView adds a view (old "") or replaces the view named old (renaming it when v.Name
// differs), validated with the rest of the settings and then saved. A view that does not
// validate (an empty or duplicate name) changes nothing; one that validates but cannot
// be written is kept and the error says so. A renamed view stays current and open.
func (p *Panel) SaveView(old string, v config.View) error {
	next := *p.cfg
	next.Views = slices.Clone(p.cfg.Views)
	v.Tiles = slices.Clone(v.Tiles)
	i := slices.IndexFunc(next.Views, func(x config.View) bool { return x.Name == old })
	switch {
	case old == "":
		next.Views = append(next.Views, v)
	case i < 0:
		return errors.New("the view " + old + " is no longer in the settings: save it under a new name")
	default:
		next.Views[i] = v
		if v.Name != old {
			if next.Wall.View == old {
				next.Wall.View = v.Name
			}
			next.Wall.Windows = renamed(next.Wall.Windows, old, v.Name)
		}
	}
	if err := next.Validate(); err != nil {
		return viewProblem(err)
	}
	*p.cfg = next
	return p.save()
}

// DeleteView removes a view; the wall keeps showing what it showed, as no view.
func (p *Panel) DeleteView(name string) error {
	p.cfg.Views = slices.DeleteFunc(slices.Clone(p.cfg.Views), func(v config.View) bool { return v.Name == name })
	if p.cfg.Wall.View == name {
		p.cfg.Wall.View = ""
	}
	p.cfg.Wall.Windows = slices.DeleteFunc(slices.Clone(p.cfg.Wall.Windows), func(w string) bool { return w == name })
	return p.save()
}

// ViewsShown saves which view the wall shows ("" for none) and which views other
// windows show, so they come back at the next start.
func (p *Panel) ViewsShown(current string, windows []string) error {
	if slices.Equal(windows, p.cfg.Wall.Windows) && current == p.cfg.Wall.View {
		return nil
	}
	p.cfg.Wall.View, p.cfg.Wall.Windows = current, slices.Clone(windows)
	if len(windows) == 0 {
		p.cfg.Wall.Windows = nil
	}
	return p.save()
}

// renamed is tiles with every old replaced by name (a copy when anything changed).
func renamed(tiles []string, old, name string) []string {
	if !slices.Contains(tiles, old) {
		return tiles
	}
	out := slices.Clone(tiles)
	for i, t := range out {
		if t == old {
			out[i] = name
		}
	}
	return out
}

// viewProblem is the settings' complaint about a view, without the key path a person
// did not type ("views[2].name …").
func viewProblem(err error) error {
	var msgs []string
	for _, fe := range config.Problems(err) {
		if _, key, ok := strings.Cut(fe.Path, "]."); ok && strings.HasPrefix(fe.Path, "views[") {
			msgs = append(msgs, "the view's "+key+" is "+fe.Msg)
			continue
		}
		msgs = append(msgs, fe.Error())
	}
	if len(msgs) == 0 {
		return err
	}
	return errors.New(strings.Join(msgs, "; "))
}
