package rcp_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"strings"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/internal/trust"
	"github.com/vigil-cctv/vigil/protocols/rcp"
	"github.com/vigil-cctv/vigil/protocols/rcp/rcptest"
)

func dial(t *testing.T, cam *rcptest.Camera, user, pass string) *rcp.Controller {
	t.Helper()
	s := capture.Settings{User: user, Password: pass}
	if fp := cam.Fingerprint(); fp != "" {
		s.Pins = func(string) string { return fp }
	}
	c, err := rcp.New(cam.URL(), s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func lastPayload(t *testing.T, cam *rcptest.Camera) string {
	t.Helper()
	cmds := cam.Commands()
	if len(cmds) == 0 {
		t.Fatal("no command arrived")
	}
	c := cmds[len(cmds)-1]
	return fmt.Sprintf("%04x %s %s %d %x", c.Command, c.Type, c.Direction, c.Num, c.Payload)
}

// TestAuth drives a camera with each authentication it may ask for, over HTTP and HTTPS.
func TestAuth(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    rcptest.Options
	}{
		{"digest", rcptest.Options{}},
		{"basic", rcptest.Options{Auth: rcptest.AuthBasic}},
		{"none", rcptest.Options{Auth: rcptest.AuthNone}},
		{"digest over https", rcptest.Options{TLS: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cam := rcptest.StartFor(t, tc.o)
			c := dial(t, cam, cam.User(), cam.Password())
			ctx := context.Background()
			if err := c.Move(ctx, capture.Velocity{Pan: 1}); err != nil {
				t.Fatal(err)
			}
			if got := lastPayload(t, cam); got != "09a5 P_OCTET WRITE 1 8000060110858f0000" {
				t.Fatalf("move sent %s", got)
			}
			if err := c.Stop(ctx); err != nil {
				t.Fatal(err)
			}
			if got := lastPayload(t, cam); got != "09a5 P_OCTET WRITE 1 800006011085000000" {
				t.Fatalf("stop sent %s", got)
			}
			if cam.Moving() {
				t.Fatal("still moving after the stop")
			}
		})
	}
}

// TestStaleNonce: a camera that forgets its nonce answers stale=true, and the command
// goes through on the new nonce without an error.
func TestStaleNonce(t *testing.T) {
	cam := rcptest.StartFor(t, rcptest.Options{})
	c := dial(t, cam, cam.User(), cam.Password())
	ctx := context.Background()
	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	cam.ExpireNonces()
	if err := c.Move(ctx, capture.Velocity{Zoom: 1}); err != nil {
		t.Fatalf("after the nonce expired: %v", err)
	}
	if got := lastPayload(t, cam); got != "09a5 P_OCTET WRITE 1 800006011085000087" {
		t.Fatalf("sent %s", got)
	}
}

// TestUntrustedCertificate: an rcps camera whose certificate nobody vouches for or pinned
// is refused with its fingerprint, and moves nothing.
func TestUntrustedCertificate(t *testing.T) {
	cam := rcptest.StartFor(t, rcptest.Options{TLS: true})
	c, err := rcp.New(cam.URL(), capture.Settings{User: cam.User(), Password: cam.Password()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = c.Move(context.Background(), capture.Velocity{Pan: 1})
	var ce *trust.CertError
	if !errors.As(err, &ce) || ce.Fingerprint != cam.Fingerprint() {
		t.Fatalf("untrusted certificate: %v", err)
	}
	if len(cam.Commands()) != 0 {
		t.Fatal("a command reached the camera over an untrusted connection")
	}
}

func TestWrongPassword(t *testing.T) {
	for _, auth := range []rcptest.Auth{rcptest.AuthDigest, rcptest.AuthBasic} {
		cam := rcptest.StartFor(t, rcptest.Options{Auth: auth})
		c := dial(t, cam, "service", "wrong")
		err := c.Stop(context.Background())
		if !errors.Is(err, capture.ErrUnauthorized) || !strings.Contains(err.Error(), "wrong user or password") {
			t.Fatalf("auth %d: %v", auth, err)
		}
		if strings.Contains(err.Error(), "wrong\"") || strings.Contains(err.Error(), ":wrong") {
			t.Fatalf("the password shows in %q", err)
		}
		c = dial(t, cam, "", "")
		if err := c.Stop(context.Background()); !errors.Is(err, capture.ErrUnauthorized) {
			t.Fatalf("no login: %v", err)
		}
	}
}

func TestErrCodes(t *testing.T) {
	cam := rcptest.StartFor(t, rcptest.Options{})
	c := dial(t, cam, cam.User(), cam.Password())
	for _, tc := range []struct {
		code int
		kind error
		says string
	}{
		{0xa0, capture.ErrForbidden, "level is too low"},
		{0x40, capture.ErrUnsupported, "does not know this command"},
		{0xc0, capture.ErrBusy, "busy"},
	} {
		cam.SetError(tc.code)
		err := c.Move(context.Background(), capture.Velocity{Tilt: -0.5})
		if !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("err 0x%02x: %v", tc.code, err)
		}
	}
	cam.SetError(0)
}

func TestPresets(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		t.Run(fmt.Sprint("legacy=", legacy), func(t *testing.T) {
			cam := rcptest.StartFor(t, rcptest.Options{Legacy: legacy})
			c := dial(t, cam, cam.User(), cam.Password())
			ctx := context.Background()
			if err := c.GotoPreset(ctx, "2"); err != nil {
				t.Fatal(err)
			}
			want := "09a5 P_OCTET WRITE 1 800006201081"
			if legacy {
				want = "09a5 P_OCTET WRITE 1 80000201b080070502"
			}
			if got := lastPayload(t, cam); got != want {
				t.Fatalf("recall sent %s, want %s", got, want)
			}
			if v := cam.View(); v.X != 500 || v.Zoom != 2 {
				t.Fatalf("view %+v after recalling preset 2", v)
			}
			if err := c.StorePreset(ctx, "7", "ignored"); err != nil {
				t.Fatal(err)
			}
			list, err := c.Presets(ctx)
			if legacy {
				if !errors.Is(err, capture.ErrUnsupported) {
					t.Fatalf("legacy list: %v", err)
				}
				if err := c.GotoPreset(ctx, "120"); !errors.Is(err, capture.ErrNotFound) {
					t.Fatalf("legacy preset 120: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, p := range list {
				ids = append(ids, p.ID)
			}
			if got := strings.Join(ids, ","); got != "1,2,3,7" {
				t.Fatalf("presets %s", got)
			}
			if err := c.GotoPreset(ctx, "0"); !errors.Is(err, capture.ErrNotFound) {
				t.Fatalf("preset 0: %v", err)
			}
		})
	}
}

func TestInfo(t *testing.T) {
	cam := rcptest.StartFor(t, rcptest.Options{Name: "Car park \x1b[31mEast"})
	c := dial(t, cam, cam.User(), cam.Password())
	info, err := c.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != "Car park East" && info.Name != "Car park [31mEast" {
		t.Errorf("name %q", info.Name)
	}
	if strings.ContainsRune(info.Name, 0x1b) || info.Firmware != "9.40.0029" || !info.PTZ || info.Presets != 256 || info.Model == "" {
		t.Errorf("info %+v", info)
	}
	for _, cmd := range cam.Commands() {
		if cmd.Direction != "READ" {
			t.Errorf("Info wrote %04x", cmd.Command)
		}
	}
}

func TestUnreachable(t *testing.T) {
	cam := rcptest.StartFor(t, rcptest.Options{})
	c := dial(t, cam, "service", "secret")
	cam.Close()
	err := c.Stop(context.Background())
	if err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("closed camera: %v", err)
	}
}

// TestGap checks that commands leave at least rcp.MinGap apart.
func TestGap(t *testing.T) {
	cam := rcptest.StartFor(t, rcptest.Options{Auth: rcptest.AuthNone})
	c := dial(t, cam, "", "")
	for i := 0; i < 4; i++ {
		if err := c.Move(context.Background(), capture.Velocity{Pan: float64(i%2)*2 - 1}); err != nil {
			t.Fatal(err)
		}
	}
	cmds := cam.Commands()
	for i := 1; i < len(cmds); i++ {
		if d := cmds[i].At.Sub(cmds[i-1].At); d < rcp.MinGap-5*time.Millisecond {
			t.Errorf("commands %d and %d %v apart", i-1, i, d)
		}
	}
}

// TestPictureFollowsHead moves the simulated head each way and checks the picture:
// panning right shows redder cells, tilting up greener ones, zooming in fewer grid
// lines.
func TestPictureFollowsHead(t *testing.T) {
	cam := rcptest.StartFor(t, rcptest.Options{Auth: rcptest.AuthNone})
	c := dial(t, cam, "", "")
	ctx := context.Background()
	measure := func() (r, g, lines float64) {
		img, err := jpeg.Decode(bytes.NewReader(cam.Picture()))
		if err != nil {
			t.Fatal(err)
		}
		return pictureStats(img)
	}
	for _, tc := range []struct {
		name string
		v    capture.Velocity
		ok   func(r0, g0, l0, r1, g1, l1 float64) bool
	}{
		{"right", capture.Velocity{Pan: 1}, func(r0, _, _, r1, _, _ float64) bool { return r1 > r0+5 }},
		{"left", capture.Velocity{Pan: -1}, func(r0, _, _, r1, _, _ float64) bool { return r1 < r0-5 }},
		{"up", capture.Velocity{Tilt: 1}, func(_, g0, _, _, g1, _ float64) bool { return g1 > g0+5 }},
		{"down", capture.Velocity{Tilt: -1}, func(_, g0, _, _, g1, _ float64) bool { return g1 < g0-5 }},
		{"zoom in", capture.Velocity{Zoom: 1}, func(_, _, l0, _, _, l1 float64) bool { return l1 < l0*0.8 }},
		{"zoom out", capture.Velocity{Zoom: -1}, func(_, _, l0, _, _, l1 float64) bool { return l1 > l0*1.2 }},
	} {
		r0, g0, l0 := measure()
		if err := c.Move(ctx, tc.v); err != nil {
			t.Fatal(err)
		}
		time.Sleep(400 * time.Millisecond)
		if err := c.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		r1, g1, l1 := measure()
		if !tc.ok(r0, g0, l0, r1, g1, l1) {
			t.Errorf("%s: red %.1f→%.1f green %.1f→%.1f grid %.3f→%.3f", tc.name, r0, r1, g0, g1, l0, l1)
		}
	}
}

// pictureStats is the mean red and green of the cells and the number of grid lines a
// row crosses (dark runs, averaged over the rows).
func pictureStats(img image.Image) (r, g, lines float64) {
	b := img.Bounds()
	var n, runs float64
	for y := b.Min.Y; y < b.Max.Y; y++ {
		inDark := false
		for x := b.Min.X; x < b.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			dark := cr < 40<<8 && cg < 40<<8 && cb < 40<<8
			if dark && !inDark {
				runs++
			}
			inDark = dark
			if !dark {
				r += float64(cr >> 8)
				g += float64(cg >> 8)
				n++
			}
		}
	}
	return r / n, g / n, runs / float64(b.Dy())
}
