package rcp

import (
	"fmt"
	"math"
	"strconv"

	"github.com/vigil-cctv/vigil/capture"
)

// RCP+ commands and BiCom objects this package sends (research/bosch.md §1.6, §2, §3).
const (
	cmdBiCom    = 0x09A5 // CONF_BICOM_COMMAND, P_OCTET, always WRITE
	cmdName     = 0x0019 // unit name, P_UNICODE
	cmdFirmware = 0x0cd4 // CONF_SOFTWARE_VERSION_FORMATTED, P_STRING
	cmdSoftware = 0x002f // CONF_SOFTWARE_VERSION, P_STRING (older firmware)
	cmdHardware = 0x002e // hardware version, P_STRING
	cmdPTZ      = 0x0a51 // CONF_PTZ_CONTROLLER_AVAILABLE, F_FLAG

	serverDevice = 0x0002
	serverPTZ    = 0x0006

	objMove   = 0x0110 // continuous pan/tilt/zoom
	objScene  = 0x2000 // scene n is objScene + (n-1)<<4
	objOSRD   = 0x01B0 // legacy OSRD pass-through on the device server
	actMove   = 0x85
	actStore  = 0x80
	actRecall = 0x81
	actList   = 0x84
	actError  = 0x6F // a BiCom reply whose action is this carries an error code

	flagNoReply = 0x80 // no return payload
	flagReply   = 0x85 // return payload, with errors
	flagLease   = 0x08 // lease time and id follow the flags byte

	// MaxPresets is how many scene presets the BiCom form addresses; the legacy OSRD
	// form holds MaxLegacyPresets.
	MaxPresets       = 256
	MaxLegacyPresets = 99
)

// bicom builds a BiCom message: flags, server, object (with member), action, data.
func bicom(flags byte, server, object uint16, action byte, data ...byte) []byte {
	b := []byte{flags, byte(server >> 8), byte(server), byte(object >> 8), byte(object), action}
	return append(b, data...)
}

// axis maps one velocity axis to its BiCom byte: bit 7 set for the positive direction
// (right, up, in), the low bits round(|v|×top), at least 1 when v is not 0.
func axis(v float64, top int) byte {
	if v == 0 || math.IsNaN(v) {
		return 0
	}
	s := int(math.Round(math.Abs(v) * float64(top)))
	s = min(max(s, 1), top)
	if v > 0 {
		return 0x80 | byte(s)
	}
	return byte(s)
}

// movePayload is the continuous move (a stop when v is zero): 0x80 0006 0110 85 PP TT ZZ.
func movePayload(v capture.Velocity) []byte {
	v = v.Clamp()
	return bicom(flagNoReply, serverPTZ, objMove, actMove, axis(v.Pan, 15), axis(v.Tilt, 15), axis(v.Zoom, 7))
}

// sceneObject is scene n's object id (n from 1 to MaxPresets).
func sceneObject(n int) uint16 { return uint16(objScene + (n-1)<<4) }

// scenePayload recalls or stores scene n.
func scenePayload(n int, action byte) []byte {
	return bicom(flagNoReply, serverPTZ, sceneObject(n), action)
}

// listPayload asks for the bitmap of defined scenes.
func listPayload() []byte { return bicom(flagReply, serverPTZ, objScene, actList) }

// osrdPayload is the legacy OSRD preposition command: function 5 recalls (SHOT), 4
// stores (SET), n from 1 to MaxLegacyPresets.
func osrdPayload(n int, store bool) []byte {
	fc := byte(5)
	if store {
		fc = 4
	}
	return bicom(flagNoReply, serverDevice, objOSRD, 0x80, 0x07, fc, byte(n))
}

// presetNumber parses a preset ID ("1" … "256").
func presetNumber(id string, top int) (int, error) {
	n, err := strconv.Atoi(id)
	if err != nil || n < 1 || n > top {
		return 0, fmt.Errorf("preset %q: RCP+ presets are numbered 1 to %d: %w", capture.CleanText(id, 40), top, capture.ErrNotFound)
	}
	return n, nil
}

// presetsFromBitmap reads the scene list's data: 8 big-endian 32-bit words, bit j of
// word i set when preset i·32+j+1 is defined.
func presetsFromBitmap(data []byte) []capture.Preset {
	var out []capture.Preset
	for i := 0; i+4 <= len(data) && i/4 < MaxPresets/32; i += 4 {
		w := uint32(data[i])<<24 | uint32(data[i+1])<<16 | uint32(data[i+2])<<8 | uint32(data[i+3])
		for j := 0; j < 32; j++ {
			if w&(1<<j) != 0 {
				n := i/4*32 + j + 1
				out = append(out, capture.Preset{ID: strconv.Itoa(n), Name: "Preset " + strconv.Itoa(n)})
			}
		}
	}
	return out
}
