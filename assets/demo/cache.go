package demo

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/vigil-cctv/vigil/internal/framefile"
)

// A cache entry is one internal/framefile per loop, named by cacheKey; the frames in
// it are checked to be the loop's whole JPEGs, and anything else is regenerated.

// maxCacheFile bounds what readCache will load (MaxFrames of large 8K frames).
const maxCacheFile = 2 << 30

var errCorrupt = errors.New("corrupt demo loop cache entry")

// cacheKey names a loop's cache file after everything that changes its bytes.
func cacheKey(o LoopOptions) string {
	h := sha256.New()
	fmt.Fprintf(h, "v%d\x00%q\x00%d\x00%d\x00%v\x00%v\x00%d\x00%d\x00%q",
		GeneratorVersion, o.Name, o.Width, o.Height, o.FPS, o.Seconds, o.Quality, o.Seed, o.EncoderID)
	if o.Quiet { // only then, so the other loops keep their cache entries
		fmt.Fprintf(h, "\x00quiet %v-%v", QuietWalkFrom, QuietWalkTo)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// readCache loads a cache entry and checks it holds want whole JPEG frames.
func readCache(path string, want int) ([][]byte, error) {
	frames, err := framefile.Read(path, maxCacheFile, MaxFrames)
	if errors.Is(err, framefile.ErrCorrupt) {
		return nil, fmt.Errorf("%w: %w", errCorrupt, err)
	}
	if err != nil {
		return nil, err
	}
	return checkFrames(frames, want)
}

// parseCache is readCache's check of the bytes, a pure function for the fuzzer.
func parseCache(data []byte, want int) ([][]byte, error) {
	frames, err := framefile.Parse(data, MaxFrames)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errCorrupt, err)
	}
	return checkFrames(frames, want)
}

// checkFrames checks that a cache entry holds want whole JPEG frames.
func checkFrames(frames [][]byte, want int) ([][]byte, error) {
	if len(frames) != want {
		return nil, fmt.Errorf("%w: %d frames, want %d", errCorrupt, len(frames), want)
	}
	for i, fr := range frames {
		l := len(fr)
		if l < 4 || fr[0] != 0xFF || fr[1] != 0xD8 || fr[l-2] != 0xFF || fr[l-1] != 0xD9 {
			return nil, fmt.Errorf("%w: frame %d is not a whole JPEG", errCorrupt, i)
		}
	}
	return frames, nil
}

// encodeCache is the byte form parseCache reads.
func encodeCache(frames [][]byte) []byte { return framefile.Encode(frames) }

// writeCache stores frames atomically.
func writeCache(path string, frames [][]byte) error {
	if err := framefile.Write(path, frames); err != nil {
		return fmt.Errorf("write demo cache file %s: %w", path, err)
	}
	return nil
}

// oldCacheFormat reports whether path is a cache entry of the format before
// internal/framefile (magic "VGDEMO01"), which is regenerated without a warning.
func oldCacheFormat(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var head [8]byte
	_, err = io.ReadFull(f, head[:])
	return err == nil && string(head[:]) == "VGDEMO01"
}
