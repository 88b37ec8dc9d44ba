// Package framefile keeps a list of byte frames (encoded pictures, access units) in one
// file that a reader sees whole or not at all: the demo's JPEG loops and internal/ffmpeg's
// encoder cache both store their results this way.
//
//	magic "VGFRAME1" | uint32 frame count | count × uint32 frame length | frames | SHA-256 of all before
//
// little-endian. It is written to a temporary file in the same folder, synced and renamed
// into place; the checksum catches anything else (a truncated copy, a bad disk).
package framefile

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

const magic = "VGFRAME1"

const head = len(magic) + 4

// ErrCorrupt is returned for a file that is not a whole frames file.
var ErrCorrupt = errors.New("corrupt frames file")

// Encode is the byte form Parse reads.
func Encode(frames [][]byte) []byte {
	size := head + 4*len(frames) + sha256.Size
	for _, f := range frames {
		size += len(f)
	}
	b := make([]byte, 0, size)
	b = append(b, magic...)
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

// Parse checks data and returns its frames (slices of data, capacity-bounded), at most
// maxFrames of them.
func Parse(data []byte, maxFrames int) ([][]byte, error) {
	if len(data) < head+sha256.Size || string(data[:len(magic)]) != magic {
		return nil, fmt.Errorf("%w: bad header", ErrCorrupt)
	}
	body, sum := data[:len(data)-sha256.Size], data[len(data)-sha256.Size:]
	if s := sha256.Sum256(body); !bytes.Equal(s[:], sum) {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrCorrupt)
	}
	n := int(binary.LittleEndian.Uint32(body[len(magic):]))
	if n <= 0 || n > maxFrames || len(body) < head+4*n {
		return nil, fmt.Errorf("%w: %d frames", ErrCorrupt, n)
	}
	frames := make([][]byte, n)
	off := head + 4*n
	for i := range frames {
		l := int(binary.LittleEndian.Uint32(body[head+4*i:]))
		if l > len(body)-off {
			return nil, fmt.Errorf("%w: frame %d length %d", ErrCorrupt, i, l)
		}
		frames[i] = body[off : off+l : off+l]
		off += l
	}
	if off != len(body) {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, len(body)-off)
	}
	return frames, nil
}

// Read loads the file at path, refusing one larger than maxSize bytes, and parses it.
func Read(path string, maxSize int64, maxFrames int) ([][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > maxSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrCorrupt, st.Size())
	}
	data, err := io.ReadAll(io.LimitReader(f, maxSize+1))
	if err != nil {
		return nil, err
	}
	return Parse(data, maxFrames)
}

// Write stores frames at path atomically: temporary file in the same folder (created
// when missing), fsync, rename.
func Write(path string, frames [][]byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".frames-*.tmp")
	if err != nil {
		return err
	}
	name := tmp.Name()
	_, err = tmp.Write(Encode(frames))
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
		return err
	}
	return nil
}
