package capture

import "testing"

func TestVelocitySameDirection(t *testing.T) {
	for _, c := range []struct {
		a, b Velocity
		want bool
	}{
		{Velocity{Pan: 0.5}, Velocity{Pan: 1}, true},
		{Velocity{Pan: 0.5}, Velocity{Pan: -0.5}, false},
		{Velocity{Pan: 0.5}, Velocity{Pan: 0.5, Zoom: 0.1}, false},
		{Velocity{Pan: 0.5, Tilt: 0.2}, Velocity{Pan: 0.5}, false},
		{Velocity{Tilt: -1, Zoom: 1}, Velocity{Tilt: -0.1, Zoom: 0.3}, true},
		{Velocity{}, Velocity{}, true},
	} {
		if got := c.a.SameDirection(c.b); got != c.want {
			t.Errorf("%v.SameDirection(%v) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestRegistryPassesItself(t *testing.T) {
	r := &Registry{}
	var got *Registry
	r.Register(Protocol{Name: "x", Schemes: []string{"x"},
		New:    func(string, Settings) (Source, error) { return nil, nil },
		NewPTZ: func(_ string, s Settings) (PTZ, error) { got = s.Registry; return nil, nil }})
	r.Register(Protocol{Name: "y", Schemes: []string{"y"},
		New: func(_ string, s Settings) (Source, error) { got = s.Registry; return nil, nil }})
	_, _ = r.NewSource("y://h/", Settings{})
	if got != r {
		t.Error("NewSource did not pass the registry in Settings")
	}
	got = nil
	_, _ = r.NewPTZ("x://h/", Settings{})
	if got != r {
		t.Error("NewPTZ did not pass the registry in Settings")
	}
}
