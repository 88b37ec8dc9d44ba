package rcp

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vigil-cctv/vigil/capture"
)

// TestPayloads checks every action's payload byte for byte against research/bosch.md
// §3.1 and §3.3.
func TestPayloads(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  []byte
		want string
	}{
		{"pan left max", movePayload(capture.Velocity{Pan: -1}), "0x8000060110850F0000"},
		{"pan right max", movePayload(capture.Velocity{Pan: 1}), "0x8000060110858F0000"},
		{"pan left speed 5", movePayload(capture.Velocity{Pan: -5.0 / 15}), "0x800006011085050000"},
		{"tilt up max", movePayload(capture.Velocity{Tilt: 1}), "0x800006011085008F00"},
		{"tilt down max", movePayload(capture.Velocity{Tilt: -1}), "0x800006011085000F00"},
		{"tilt up 8", movePayload(capture.Velocity{Tilt: 8.0 / 15}), "0x800006011085008800"},
		{"tilt down 8", movePayload(capture.Velocity{Tilt: -8.0 / 15}), "0x800006011085000800"},
		{"zoom in fast", movePayload(capture.Velocity{Zoom: 1}), "0x800006011085000087"},
		{"zoom out fast", movePayload(capture.Velocity{Zoom: -1}), "0x800006011085000007"},
		{"up-left 8", movePayload(capture.Velocity{Pan: -8.0 / 15, Tilt: 8.0 / 15}), "0x800006011085088800"},
		{"stop", movePayload(capture.Velocity{}), "0x800006011085000000"},
		{"half speed right", movePayload(capture.Velocity{Pan: 0.5}), "0x800006011085880000"}, // round(7.5) = 8
		{"half speed zoom in", movePayload(capture.Velocity{Zoom: 0.5}), "0x800006011085000084"},
		{"tiny pan is speed 1", movePayload(capture.Velocity{Pan: 0.001}), "0x800006011085810000"},
		{"tiny zoom out is speed 1", movePayload(capture.Velocity{Zoom: -0.01}), "0x800006011085000001"},
		{"over 1 is clamped", movePayload(capture.Velocity{Pan: 7, Zoom: -3}), "0x8000060110858F0007"},
		{"recall 1", scenePayload(1, actRecall), "0x800006200081"},
		{"recall 17", scenePayload(17, actRecall), "0x800006210081"},
		{"recall 256", scenePayload(256, actRecall), "0x8000062FF081"},
		{"store 1", scenePayload(1, actStore), "0x800006200080"},
		{"list", listPayload(), "0x850006200084"},
		{"osrd recall 99", osrdPayload(99, false), "0x80000201B080070563"},
		{"osrd recall 46", osrdPayload(46, false), "0x80000201B08007052E"},
		{"osrd store 5", osrdPayload(5, true), "0x80000201B080070405"},
	} {
		if got := fmt.Sprintf("0x%X", tc.got); !strings.EqualFold(got, tc.want) {
			t.Errorf("%s: payload %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestPresetsFromBitmap(t *testing.T) {
	bm := make([]byte, 32)
	bm[3] = 0x01  // preset 1
	bm[2] = 0x01  // preset 9
	bm[4] = 0x80  // word 1 bit 31: preset 64
	bm[31] = 0x80 // word 7 bit 7: preset 232
	var ids []string
	for _, p := range presetsFromBitmap(bm) {
		ids = append(ids, p.ID)
	}
	if got := strings.Join(ids, ","); got != "1,9,64,232" {
		t.Fatalf("presets %s, want 1,9,64,232", got)
	}
}
