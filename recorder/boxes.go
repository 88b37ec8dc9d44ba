package recorder

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// Hard limits for reading a recording's boxes: a file on disk is untrusted input (a torn
// write, another program's file, a damaged disk), so no size read from it is believed
// beyond these.
const (
	// maxMetaBox bounds ftyp, moov and moof, which are read into memory whole. A 1 s
	// fragment's moof at 240 fps is about 4 KB.
	maxMetaBox = 4 << 20
	// maxMdat bounds one fragment's media data (1 s of 8K M-JPEG at 60 fps is ~60 MB).
	maxMdat = 1 << 30
	// maxTopBoxes bounds how many top-level boxes one file may have (a 24 h segment of
	// 1 s fragments has 172 800).
	maxTopBoxes = 1 << 20
	// maxTrunSamples bounds the samples of one fragment.
	maxTrunSamples = 1 << 16
)

// errNotRecording is returned by scanFile for a file that does not start like a
// fragmented MP4 (no ftyp first): recovery and retention leave such files alone.
var errNotRecording = errors.New("not a fragmented MP4 recording")

// fileScan is what the top-level boxes of a recording say.
type fileScan struct {
	// InitEnd is the end of the moov box (0 when ftyp+moov are not both complete).
	InitEnd int64
	// GoodEnd is the end of the last complete moof+mdat pair, or InitEnd when there is
	// none: everything after it is a torn tail.
	GoodEnd int64
	// Fragments is the number of complete moof+mdat pairs.
	Fragments int
	// Samples counts the samples of the complete fragments.
	Samples int
	// TimeScale is the first track's media time scale (ticks per second), 0 if unknown.
	TimeScale uint32
	// FirstDTS and EndDTS are the decode time of the first sample and the end of the last
	// one, in TimeScale ticks (from tfdt plus the trun durations).
	FirstDTS, EndDTS uint64
}

// Duration is the media time the complete fragments cover.
func (s fileScan) Duration() float64 {
	if s.TimeScale == 0 || s.EndDTS <= s.FirstDTS {
		return 0
	}
	return float64(s.EndDTS-s.FirstDTS) / float64(s.TimeScale)
}

// boxHeader reads the header of the box at off: its type, total size and header length.
// ok is false when the header itself is cut off by the end of the file.
func boxHeader(r io.ReaderAt, off, fileSize int64) (typ string, size int64, hdr int64, ok bool, err error) {
	var b [16]byte
	if fileSize-off < 8 {
		return "", 0, 0, false, nil
	}
	if _, err := r.ReadAt(b[:8], off); err != nil {
		return "", 0, 0, false, fmt.Errorf("reading a box header at %d: %w", off, err)
	}
	size = int64(binary.BigEndian.Uint32(b[:4]))
	typ = string(b[4:8])
	hdr = 8
	switch size {
	case 0: // "extends to the end of the file": only a writer that never finished does that
		return typ, 0, hdr, false, nil
	case 1:
		if fileSize-off < 16 {
			return "", 0, 0, false, nil
		}
		if _, err := r.ReadAt(b[8:16], off+8); err != nil {
			return "", 0, 0, false, fmt.Errorf("reading a box header at %d: %w", off, err)
		}
		u := binary.BigEndian.Uint64(b[8:16])
		if u > 1<<62 {
			return typ, 0, 0, false, nil
		}
		size, hdr = int64(u), 16
	}
	if size < hdr {
		return typ, 0, 0, false, nil
	}
	return typ, size, hdr, true, nil
}

// scanFile walks the top-level boxes of a recording of fileSize bytes: ftyp, moov, then
// moof+mdat pairs (free/skip boxes tolerated between them). It stops at the first box that
// is cut off, oversized or out of order; GoodEnd says where the intact part ends. It
// returns errNotRecording when the file does not begin with ftyp.
func scanFile(r io.ReaderAt, fileSize int64) (fileScan, error) {
	var s fileScan
	var off int64
	var pendingMoof *moofInfo
	haveFtyp := false
	for boxes := 0; off < fileSize && boxes < maxTopBoxes; boxes++ {
		typ, size, hdr, ok, err := boxHeader(r, off, fileSize)
		if err != nil {
			return s, err
		}
		if !ok || size > fileSize-off {
			break // torn tail
		}
		end := off + size
		switch {
		case !haveFtyp:
			if typ != "ftyp" || size > maxMetaBox {
				return s, errNotRecording
			}
			haveFtyp = true
		case s.InitEnd == 0:
			if typ == "free" || typ == "skip" {
				break
			}
			if typ != "moov" || size > maxMetaBox {
				return s, fmt.Errorf("box %q where moov was expected: %w", printable(typ), errNotRecording)
			}
			buf := make([]byte, size-hdr)
			if _, err := r.ReadAt(buf, off+hdr); err != nil {
				return s, fmt.Errorf("reading moov: %w", err)
			}
			s.TimeScale = moovTimeScale(buf)
			s.InitEnd, s.GoodEnd = end, end
		case pendingMoof != nil:
			if typ != "mdat" || size-hdr > maxMdat || int64(pendingMoof.dataBytes) > size-hdr {
				return s, nil // a moof without its media: the tail from the moof on is torn
			}
			if s.Fragments == 0 {
				s.FirstDTS = pendingMoof.baseTime
			}
			s.Fragments++
			s.Samples += pendingMoof.samples
			s.EndDTS = pendingMoof.baseTime + pendingMoof.duration
			s.GoodEnd = end
			pendingMoof = nil
		case typ == "moof":
			if size > maxMetaBox {
				return s, nil
			}
			buf := make([]byte, size-hdr)
			if _, err := r.ReadAt(buf, off+hdr); err != nil {
				return s, fmt.Errorf("reading moof: %w", err)
			}
			mi, ok := parseMoof(buf)
			if !ok {
				return s, nil
			}
			pendingMoof = &mi
		case typ == "free" || typ == "skip" || typ == "mfra" || typ == "sidx" || typ == "styp":
			s.GoodEnd = end
		default:
			return s, nil
		}
		off = end
	}
	if !haveFtyp {
		if fileSize == 0 {
			return s, nil
		}
		// A file cut inside its very first box header still looks like ours when the
		// bytes present match.
		var b [8]byte
		n, _ := r.ReadAt(b[:], 0)
		if n >= 8 && string(b[4:8]) != "ftyp" {
			return s, errNotRecording
		}
	}
	return s, nil
}

// printable makes a box type safe to show in an error.
func printable(t string) string {
	b := []byte(t)
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			b[i] = '?'
		}
	}
	return string(b)
}

// children calls fn for each child box in buf (a box's payload), stopping at the first
// malformed header. fn returns false to stop.
func children(buf []byte, fn func(typ string, payload []byte) bool) {
	for len(buf) >= 8 {
		size := uint64(binary.BigEndian.Uint32(buf[:4]))
		typ := string(buf[4:8])
		hdr := uint64(8)
		if size == 1 {
			if len(buf) < 16 {
				return
			}
			size, hdr = binary.BigEndian.Uint64(buf[8:16]), 16
		}
		if size < hdr || size > uint64(len(buf)) {
			return
		}
		if !fn(typ, buf[hdr:size]) {
			return
		}
		buf = buf[size:]
	}
}

// moovTimeScale finds moov/trak/mdia/mdhd's time scale of the first track, 0 if absent.
func moovTimeScale(moov []byte) uint32 {
	var ts uint32
	children(moov, func(typ string, p []byte) bool {
		if typ != "trak" {
			return true
		}
		children(p, func(typ string, p []byte) bool {
			if typ != "mdia" {
				return true
			}
			children(p, func(typ string, p []byte) bool {
				if typ != "mdhd" || len(p) < 4 {
					return true
				}
				switch p[0] {
				case 0:
					if len(p) >= 16 {
						ts = binary.BigEndian.Uint32(p[12:16])
					}
				case 1:
					if len(p) >= 24 {
						ts = binary.BigEndian.Uint32(p[20:24])
					}
				}
				return false
			})
			return false
		})
		return false
	})
	return ts
}

// moofInfo is what one moof says about its first track's samples.
type moofInfo struct {
	baseTime  uint64
	duration  uint64
	samples   int
	dataBytes uint64
}

// parseMoof reads moof/traf (the first one) — tfhd defaults, tfdt and trun entries — and
// sums its sample durations and sizes. ok is false when it is malformed.
func parseMoof(moof []byte) (mi moofInfo, ok bool) {
	found := false
	bad := false
	children(moof, func(typ string, p []byte) bool {
		if typ != "traf" {
			return true
		}
		found = true
		var defDur, defSize uint32
		children(p, func(typ string, p []byte) bool {
			if len(p) < 4 {
				bad = true
				return false
			}
			flags := uint32(p[1])<<16 | uint32(p[2])<<8 | uint32(p[3])
			body := p[4:]
			switch typ {
			case "tfhd":
				if len(body) < 4 {
					bad = true
					return false
				}
				body = body[4:] // track ID
				for _, f := range []struct {
					bit uint32
					n   int
					dst *uint32
				}{{0x01, 8, nil}, {0x02, 4, nil}, {0x08, 4, &defDur}, {0x10, 4, &defSize}, {0x20, 4, nil}} {
					if flags&f.bit == 0 {
						continue
					}
					if len(body) < f.n {
						bad = true
						return false
					}
					if f.dst != nil {
						*f.dst = binary.BigEndian.Uint32(body[:4])
					}
					body = body[f.n:]
				}
			case "tfdt":
				if p[0] == 1 && len(body) >= 8 {
					mi.baseTime = binary.BigEndian.Uint64(body[:8])
				} else if p[0] == 0 && len(body) >= 4 {
					mi.baseTime = uint64(binary.BigEndian.Uint32(body[:4]))
				} else {
					bad = true
					return false
				}
			case "trun":
				if len(body) < 4 {
					bad = true
					return false
				}
				n := binary.BigEndian.Uint32(body[:4])
				body = body[4:]
				if flags&0x01 != 0 {
					if len(body) < 4 {
						bad = true
						return false
					}
					body = body[4:]
				}
				if flags&0x04 != 0 {
					if len(body) < 4 {
						bad = true
						return false
					}
					body = body[4:]
				}
				per := 0
				for _, bit := range []uint32{0x100, 0x200, 0x400, 0x800} {
					if flags&bit != 0 {
						per += 4
					}
				}
				if n > maxTrunSamples || int(n)*per > len(body) || int(mi.samples)+int(n) > maxTrunSamples {
					bad = true
					return false
				}
				for i := 0; i < int(n); i++ {
					e := body[i*per:]
					dur, size := defDur, defSize
					if flags&0x100 != 0 {
						dur = binary.BigEndian.Uint32(e[:4])
						e = e[4:]
					}
					if flags&0x200 != 0 {
						size = binary.BigEndian.Uint32(e[:4])
					}
					mi.duration += uint64(dur)
					mi.dataBytes += uint64(size)
				}
				mi.samples += int(n)
			}
			return true
		})
		return false // the first track only
	})
	return mi, found && !bad
}

// scanPath scans the recording at path.
func scanPath(path string) (fileScan, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return fileScan{}, 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fileScan{}, 0, err
	}
	s, err := scanFile(f, st.Size())
	return s, st.Size(), err
}

// recoverFile repairs a recording left by a crash: a torn last fragment is cut off (the
// file is truncated after the last complete moof+mdat pair and synced), and a file with
// no complete fragment is removed. It reports what it did: "truncated", "removed" or "".
// Files that do not look like our recordings are left alone.
func recoverFile(path string) (string, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return "", fmt.Errorf("opening %s to check it: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("checking %s: %w", path, err)
	}
	s, err := scanFile(f, st.Size())
	if err != nil {
		if errors.Is(err, errNotRecording) {
			return "", nil
		}
		return "", fmt.Errorf("checking %s: %w", path, err)
	}
	if s.Fragments == 0 {
		f.Close()
		if err := os.Remove(path); err != nil {
			return "", fmt.Errorf("removing the empty recording %s: %w", path, err)
		}
		return "removed", nil
	}
	if s.GoodEnd >= st.Size() {
		return "", nil
	}
	if err := f.Truncate(s.GoodEnd); err != nil {
		return "", fmt.Errorf("cutting the torn end off %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return "", fmt.Errorf("syncing %s: %w", path, err)
	}
	return "truncated", nil
}
