package fmp4file

import (
	"bytes"
	"testing"

	"github.com/bluenviron/mediacommon/v2/pkg/formats/fmp4"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/fmp4/seekablebuffer"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/mp4/codecs"
)

// seedFile is a small recording as the recorder lays it out: init, then two fragments
// of H.264 (one key sample with a B-frame offset after it).
func seedFile(t testing.TB) []byte {
	t.Helper()
	sps := []byte{0x67, 0x64, 0x00, 0x1e, 0xac, 0xd9, 0x40, 0xa0, 0x3d, 0xa1, 0x00, 0x00, 0x03, 0x00, 0x01, 0x00, 0x00, 0x03, 0x00, 0x32, 0x0f, 0x16, 0x2d, 0x96}
	pps := []byte{0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0}
	var buf seekablebuffer.Buffer
	init := fmp4.Init{Tracks: []*fmp4.InitTrack{{ID: 1, TimeScale: 90000, Codec: &codecs.H264{SPS: sps, PPS: pps}}}}
	if err := init.Marshal(&buf); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		part := fmp4.Part{SequenceNumber: uint32(i + 1), Tracks: []*fmp4.PartTrack{{ID: 1, BaseTime: uint64(i) * 7200, Samples: []*fmp4.Sample{
			{Duration: 3600, PTSOffset: 7200, Payload: []byte{0, 0, 0, 3, 0x65, 0x88, 0x84}},
			{Duration: 3600, IsNonSyncSample: true, Payload: []byte{0, 0, 0, 3, 0x41, 0x9a, 0x02}},
		}}}}
		if err := part.Marshal(&buf); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// The seed parses: two fragments, parameter sets in front of the key unit only.
func TestReadSeed(t *testing.T) {
	b := seedFile(t)
	ix, err := readIndex(bytes.NewReader(b), int64(len(b)))
	if err != nil || len(ix.frags) != 2 || ix.torn {
		t.Fatalf("index %+v, %v", ix, err)
	}
	s, err := readFragment(bytes.NewReader(b), ix, 1)
	if err != nil || len(s) != 2 || !s[0].key || s[1].key || s[0].dts != 7200 || s[0].pts != 14400 {
		t.Fatalf("fragment %+v, %v", s, err)
	}
	if !bytes.Contains(s[0].data, []byte{0, 0, 0, 1, 0x67}) || bytes.Contains(s[1].data, []byte{0, 0, 0, 1, 0x67}) {
		t.Error("parameter sets not in front of the key unit alone")
	}
	ix, err = readIndex(bytes.NewReader(b[:len(b)-3]), int64(len(b)-3))
	if err != nil || len(ix.frags) != 1 || !ix.torn {
		t.Fatalf("torn tail: %+v, %v", ix, err)
	}
}

// FuzzReader: whatever the bytes, the reader returns (an index, fragments or an error)
// without panicking, hanging or allocating beyond its limits.
func FuzzReader(f *testing.F) {
	b := seedFile(f)
	f.Add(b)
	f.Add(b[:len(b)/2])
	f.Add(b[:40])
	f.Add([]byte{0, 0, 0, 1, 'm', 'o', 'o', 'v', 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		ix, err := readIndex(r, int64(len(data)))
		if err != nil {
			return
		}
		for i := range ix.frags {
			s, err := readFragment(r, ix, i)
			if err == nil {
				reorderDepth(s)
			}
		}
	})
}
