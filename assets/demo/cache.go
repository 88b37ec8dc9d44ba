package demo

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// A cache entry is one file per loop:
//
//	magic "VGDEMO01" | uint32 frame count | count × uint32 frame length | frames | SHA-256 of all before
//
// little-endian. It is written to a temporary file in the same folder and renamed into
// place, so a reader sees a whole entry or none; the checksum catches anything else
// (a truncated copy, a bad disk), and such an entry is regenerated.
const cacheMagic = "VGDEMO01"

// maxCacheFile bounds what readCache will load (MaxFrames of large 8K frames).
const maxCacheFile = 2 << 30

var errCorrupt = errors.New("corrupt demo loop cache entry")

// cacheKey names a loop's cache file after everything that changes its bytes.
func cacheKey(o LoopOptions) string {
	h := sha256.New()
	fmt.Fprintf(h, "v%d\x00%q\x00%d\x00%d\x00%v\x00%v\x00%d\x00%d\x00%q",
		GeneratorVersion, o.Name, o.Width, o.Height, o.FPS, o.Seconds, o.Quality, o.Seed, o.EncoderID)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// readCache loads a cache entry and checks it holds want whole JPEG frames.
func readCache(path string, want int) ([][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > maxCacheFile {
		return nil, fmt.Errorf("%w: %d bytes", errCorrupt, st.Size())
	}
	data, err := io.ReadAll(io.LimitReader(f, maxCacheFile+1))
	if err != nil {
		return nil, err
	}
	return parseCache(data, want)
}

// parseCache is readCache's check of the bytes, a pure function for the fuzzer.
func parseCache(data []byte, want int) ([][]byte, error) {
	const head = len(cacheMagic) + 4
	if len(data) < head+sha256.Size || string(data[:len(cacheMagic)]) != cacheMagic {
		return nil, fmt.Errorf("%w: bad header", errCorrupt)
	}
	body, sum := data[:len(data)-sha256.Size], data[len(data)-sha256.Size:]
	if s := sha256.Sum256(body); !bytes.Equal(s[:], sum) {
		return nil, fmt.Errorf("%w: checksum mismatch", errCorrupt)
	}
	n := int(binary.LittleEndian.Uint32(body[len(cacheMagic):]))
	if n != want || n <= 0 || n > MaxFrames || len(body) < head+4*n {
		return nil, fmt.Errorf("%w: %d frames, want %d", errCorrupt, n, want)
	}
	frames := make([][]byte, n)
	off := head + 4*n
	for i := range frames {
		l := int(binary.LittleEndian.Uint32(body[head+4*i:]))
		if l < 4 || l > len(body)-off {
			return nil, fmt.Errorf("%w: frame %d length %d", errCorrupt, i, l)
		}
		fr := body[off : off+l : off+l]
		if fr[0] != 0xFF || fr[1] != 0xD8 || fr[l-2] != 0xFF || fr[l-1] != 0xD9 {
			return nil, fmt.Errorf("%w: frame %d is not a whole JPEG", errCorrupt, i)
		}
		frames[i] = fr
		off += l
	}
	if off != len(body) {
		return nil, fmt.Errorf("%w: %d trailing bytes", errCorrupt, len(body)-off)
	}
	return frames, nil
}

// encodeCache is the byte form parseCache reads.
func encodeCache(frames [][]byte) []byte {
	size := len(cacheMagic) + 4 + 4*len(frames) + sha256.Size
	for _, f := range frames {
		size += len(f)
	}
	b := make([]byte, 0, size)
	b = append(b, cacheMagic...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(frames)))
	for _, f := range frames {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(f)))
	}
	for _, f := range frames {
		b = append(b, f...)
	}
	s := sha256.Sum256(b)
	return append(b, s[:]...)
}

// writeCache stores frames atomically: temporary file, fsync, rename.
func writeCache(path string, frames [][]byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create demo cache folder: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".loop-*.tmp")
	if err != nil {
		return fmt.Errorf("create demo cache file in %s: %w", dir, err)
	}
	name := tmp.Name()
	_, err = tmp.Write(encodeCache(frames))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(name, path)
	}
	if err != nil {
		os.Remove(name)
		return fmt.Errorf("write demo cache file %s: %w", path, err)
	}
	return nil
}
