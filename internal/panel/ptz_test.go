package panel_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/internal/panel"
)

// TestDemoPTZ: the demo wall's PTZ camera streams its picture and answers its PTZ, and
// the picture changes when it pans.
func TestDemoPTZ(t *testing.T) {
	cfg := &config.Config{Demo: config.Demo{PTZ: 1, Size: "320x180", FPS: 10}}
	pn := openPanel(t, cfg)
	var st *capture.Stream
	for _, s := range pn.Streams() {
		if s.Name() == "PTZ 1" {
			st = s
		}
	}
	if st == nil {
		t.Fatal("no PTZ 1 on the demo wall")
	}
	p, ok, err := pn.PTZ("PTZ 1")
	if err != nil || !ok {
		t.Fatalf("PTZ: %v %v", ok, err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	info, err := p.Info(ctx)
	if err != nil || info.Name != "PTZ 1" || !info.PTZ {
		t.Fatalf("info %+v, %v", info, err)
	}
	if err := p.Move(ctx, capture.Velocity{Pan: 1}); err != nil {
		t.Fatal(err)
	}
	if err := p.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := pn.PTZ("Demo 1"); ok {
		t.Error("a camera without a ptz block has a PTZ")
	}
}

func TestOpenPTZTargets(t *testing.T) {
	cfg := &config.Config{Cameras: []config.Camera{
		{Name: "Fixed", Streams: []config.Stream{{URL: "http://127.0.0.1:1/"}}},
	}}
	if _, err := panel.OpenPTZ(cfg, "Fixed", quiet); !errors.Is(err, capture.ErrUnsupported) {
		t.Errorf("camera without ptz: %v", err)
	}
	var ue *panel.UsageError
	if _, err := panel.OpenPTZ(cfg, "Nowhere", quiet); !errors.As(err, &ue) {
		t.Errorf("unknown name: %v", err)
	}
	if p, err := panel.OpenPTZ(cfg, "rcps://u:p@127.0.0.1:1/", quiet); err != nil {
		t.Errorf("rcps URL: %v", err)
	} else {
		p.Close()
	}
}
