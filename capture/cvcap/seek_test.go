//go:build cgo

package cvcap

import (
	"io"
	"testing"
	"time"
)

// TestSeekReadsFromThere: after Seek(1.2 s) the next frame is the one at 1.2 s of the
// 2 s, 10 fps clip (the key frame is at 0 s: decoded forward), the rest follow to the
// end; past the end is io.EOF.
func TestSeekReadsFromThere(t *testing.T) {
	c, err := Open("file:"+video(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Seek(1200 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	var got []time.Duration
	for {
		_, _, _, pos, err := c.NextGray(160, 120)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, pos)
	}
	if len(got) != 8 || got[0] < 1150*time.Millisecond || got[0] > 1250*time.Millisecond {
		t.Fatalf("after a seek to 1.2 s read frames at %v, want 8 from 1.2 s", got)
	}
	if err := c.Seek(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	if _, _, _, pos, err := c.NextGray(160, 120); err != io.EOF {
		t.Fatalf("past the end: a frame at %v (%v), want io.EOF", pos, err)
	}
}
