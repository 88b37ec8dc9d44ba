package recorder

import (
	"bytes"
	"errors"
	"fmt"
	"image/jpeg"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/fmp4"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/fmp4/seekablebuffer"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/mp4/codecs"

	"github.com/vigil-cctv/vigil/capture"
)

// timeScale is the media time scale of every recording: 90 kHz, the RTP video clock, fine
// enough for any frame rate.
const timeScale = 90000

// maxFragmentTicks bounds a fragment's duration to 1 s: the most a power cut can lose.
const maxFragmentTicks = timeScale

// defaultSampleTicks is the duration given to a lone sample whose successor never came
// and that has no predecessor to estimate from (10 fps).
const defaultSampleTicks = timeScale / 10

// trackParams describes the one video track of a segment: what goes into the init
// segment. A change of any of them needs a new segment.
type trackParams struct {
	codec         capture.Codec
	width, height int // M-JPEG only
	vps, sps, pps []byte
}

func (a trackParams) equal(b trackParams) bool {
	return a.codec == b.codec && a.width == b.width && a.height == b.height &&
		bytes.Equal(a.vps, b.vps) && bytes.Equal(a.sps, b.sps) && bytes.Equal(a.pps, b.pps)
}

// initCodec is the params as mediacommon's init-segment codec.
func (a trackParams) initCodec() codecs.Codec {
	switch a.codec {
	case capture.CodecH264:
		return &codecs.H264{SPS: a.sps, PPS: a.pps}
	case capture.CodecH265:
		return &codecs.H265{VPS: a.vps, SPS: a.sps, PPS: a.pps}
	default:
		return &codecs.MJPEG{Width: a.width, Height: a.height}
	}
}

// sample is one Packet made ready for the file: its payload in MP4 form (JPEG as it is;
// H.264/H.265 as length-prefixed NAL units without parameter sets and delimiters), and
// the parameter sets it carried (key units only).
type sample struct {
	payload []byte
	key     bool
	params  trackParams
	hasPS   bool // params holds what this packet carried
}

// prepare converts a Packet into a sample. A JPEG whose Packet does not say its size is
// measured from its header (no decode).
func prepare(p capture.Packet) (sample, error) {
	switch p.Codec {
	case capture.CodecJPEG:
		w, h := p.Width, p.Height
		if w <= 0 || h <= 0 {
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(p.Data))
			if err != nil {
				return sample{}, fmt.Errorf("reading a JPEG's size: %w", err)
			}
			w, h = cfg.Width, cfg.Height
		}
		return sample{payload: p.Data, key: true, hasPS: true,
			params: trackParams{codec: capture.CodecJPEG, width: w, height: h}}, nil
	case capture.CodecH264, capture.CodecH265:
		var au h264.AnnexB
		if err := au.Unmarshal(p.Data); err != nil {
			return sample{}, fmt.Errorf("splitting an access unit: %w", err)
		}
		s := sample{key: p.Key, params: trackParams{codec: p.Codec}}
		kept := make([][]byte, 0, len(au))
		for _, n := range au {
			if len(n) == 0 {
				continue
			}
			switch capture.NALRoleOf(p.Codec, n) {
			case capture.NALVPS:
				s.params.vps = n
				continue
			case capture.NALSPS:
				s.params.sps, s.hasPS = n, true
				continue
			case capture.NALPPS:
				s.params.pps = n
				continue
			case capture.NALAUD:
				continue
			}
			kept = append(kept, n)
		}
		if len(kept) == 0 {
			return sample{}, fmt.Errorf("access unit without picture data")
		}
		payload, err := h264.AVCC(kept).Marshal()
		if err != nil {
			return sample{}, fmt.Errorf("converting an access unit to AVCC: %w", err)
		}
		s.payload = payload
		if s.hasPS && (s.params.sps == nil || s.params.pps == nil ||
			(p.Codec == capture.CodecH265 && s.params.vps == nil)) {
			s.hasPS = false // incomplete parameter sets are not enough to start a segment
		}
		return s, nil
	default:
		return sample{}, fmt.Errorf("codec %q cannot be recorded", p.Codec)
	}
}

// rawSample is a sample waiting in memory: its place on the timeline and, once assigned
// (at flush, when the samples after it are known), its decode time.
type rawSample struct {
	payload  []byte
	key      bool
	t        sampleTime
	dts      uint64
	assigned bool
}

// fragmentSpan: a fragment is written once its queued samples span this much decode
// time, so with the newest sample held back it stays within about 1 s.
const fragmentSpan = maxFragmentTicks * 9 / 10

// segment is one open recording file: the init segment written at creation, then one
// moof+mdat fragment per flush, each written with a single positioned write and
// fsync'ed, so a killed process leaves complete fragments and at most a torn tail that
// recoverFile cuts, and a failed write is cut off without moving where the next one goes.
//
// Decode times come from the Recording's timeline (the source's clock where it has one,
// see timeline), smoothed at flush where the timeline asks (see dejitter), kept strictly
// increasing, and a fragment never starts before the previous one ended.
type segment struct {
	f      *os.File
	path   string
	start  time.Time // wall time of the first sample
	params trackParams
	io     segIO
	dj     *dejitter // the recording's smoother, kept across its segments

	seq      uint32
	written  int64 // bytes of complete boxes in the file
	reported int64 // part of written already added to Status.Bytes
	raw      []rawSample
	nextMin  uint64  // the earliest decode time the next sample may have
	grid     float64 // period in ticks of the whole-frame grid of smoothed times, 0 until chosen
	gridAt   float64 // the last grid point used
	onGrid   bool    // gridAt is valid
	lastDur  uint32
	samples  int
	frag     []*fmp4.Sample
	buf      seekablebuffer.Buffer
}

// segIO is how a segment writes.
type segIO struct {
	noSync bool                // tests and benchmarks of CPU only
	room   func(n int64) error // checks the free-space floor before n more bytes; may be nil
	// writeAt replaces f.WriteAt when set (tests of a failing disk).
	writeAt func(f *os.File, b []byte, off int64) (int, error)
}

// openSegment creates the segment's file exclusively and writes its init segment.
func openSegment(root, safe string, start time.Time, params trackParams, io segIO, dj *dejitter) (*segment, error) {
	f, path, err := createSegment(root, safe, start)
	if err != nil {
		return nil, err
	}
	if dj == nil {
		dj = &dejitter{}
	}
	s := &segment{f: f, path: path, start: start, params: params, io: io, seq: 1, dj: dj}
	init := fmp4.Init{Tracks: []*fmp4.InitTrack{{ID: 1, TimeScale: timeScale, Codec: params.initCodec()}}}
	if err := init.Marshal(&s.buf); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("writing the header of %s: %w", path, err)
	}
	if err := s.writeBuf(); err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	if !io.noSync {
		// The new directory entry must survive a power cut too.
		if d, err := os.Open(filepath.Dir(path)); err == nil {
			d.Sync()
			d.Close()
		}
	}
	return s, nil
}

// writeBuf writes the buffer at the end of the complete boxes with one positioned write
// and syncs. The free-space floor is checked first, so a fast camera stops at the floor
// rather than at ENOSPC. On failure the file is cut back to its last complete box; as the
// write is positioned (pwrite), the next one still lands right after it, never past a hole.
func (s *segment) writeBuf() error {
	b := s.buf.Bytes()
	s.buf.Reset()
	s.buf.Seek(0, 0)
	if s.io.room != nil {
		if err := s.io.room(int64(len(b))); err != nil {
			return err
		}
	}
	var n int
	var err error
	if s.io.writeAt != nil {
		n, err = s.io.writeAt(s.f, b, s.written)
	} else {
		n, err = s.f.WriteAt(b, s.written)
	}
	if err == nil && !s.io.noSync {
		err = s.f.Sync()
	}
	if err != nil {
		if terr := s.f.Truncate(s.written); terr != nil {
			err = fmt.Errorf("%w (and cutting the partial write off failed: %w)", err, terr)
		}
		if _, named := errors.AsType[*fs.PathError](err); named {
			return fmt.Errorf("writing a fragment: %w", err) // the error names the file
		}
		return fmt.Errorf("writing %s: %w", s.path, err)
	}
	s.written += int64(n)
	return nil
}

// add queues a sample at t on the timeline, and writes a fragment once the queued
// samples span most of a second. The newest sample always stays queued: its duration is
// the time to the next one.
func (s *segment) add(payload []byte, key bool, t sampleTime) error {
	s.raw = append(s.raw, rawSample{payload: payload, key: key, t: t})
	if t.x-min(t.x, s.raw[0].t.x) >= fragmentSpan {
		return s.flush(false, 0, false)
	}
	return nil
}

// maxAhead bounds how far a grid time may run ahead of the smoothed clock (a camera
// faster than the grid's rate) before it is anchored back to the clock.
const maxAhead = timeScale / 4

// assign gives the queued samples their decode times. The media clock's (PTS/DTS) are
// used as they are. Smoothed clocks (see dejitter) are then put on a grid of whole frame
// periods: each time is the previous one plus the whole number (≥ 1) of periods nearest
// to the smoothed gap, so a missing frame still shows as a gap and the timeline stays
// within half a period of the clock. Players need that: ffmpeg maps times onto the grid
// of the rate it guesses from the first frames and rejects two frames on one grid point.
// The period is chosen once per segment (see gridPeriod). Decode times stay strictly
// increasing and never before the end of the previous fragment.
func (s *segment) assign() {
	for i := range s.raw {
		r := &s.raw[i]
		if r.assigned {
			continue
		}
		var y float64
		switch {
		case !r.t.smooth:
			y = float64(r.t.x)
			s.dj.on, s.onGrid = false, false // a later smoothed run starts afresh
		case r.t.anchor || !s.dj.on:
			xs := make([]uint64, 0, len(s.raw)-i)
			for j := i; j < len(s.raw) && s.raw[j].t.smooth && (j == i || !s.raw[j].t.anchor); j++ {
				xs = append(xs, s.raw[j].t.x)
			}
			y = s.snap(s.dj.start(xs))
		default:
			y = s.snap(s.dj.next(r.t.x))
		}
		r.dts = max(uint64(y+0.5), s.nextMin)
		s.nextMin, r.assigned = r.dts+1, true
	}
}

// snap puts a smoothed time y onto the segment's grid.
func (s *segment) snap(y float64) float64 {
	if s.grid == 0 {
		s.grid = gridPeriod(s.dj.gridHint())
	}
	if s.grid == 0 {
		return y
	}
	if !s.onGrid {
		s.gridAt, s.onGrid = max(y, float64(s.nextMin)), true
		return s.gridAt
	}
	k := max(1, math.Round((y-s.gridAt)/s.grid))
	g := s.gridAt + k*s.grid
	if g > y+maxAhead {
		// The camera outran the grid (its rate was measured too low: the first second
		// came slowly): back to its clock, and a faster grid from the recent arrivals.
		if gap := s.recentGap(); gap > 0 {
			s.dj.period = min(s.dj.period, gap)
			if p := gridPeriod(s.dj.period); p < s.grid {
				s.grid = p
			}
		}
		g = max(y, s.gridAt+1)
	}
	s.gridAt = g
	return g
}

// recentGap is the median gap between the queued samples' clock times, 0 if unknown.
func (s *segment) recentGap() float64 {
	gaps := make([]float64, 0, len(s.raw))
	for i := 1; i < len(s.raw); i++ {
		if a, b := s.raw[i-1].t.x, s.raw[i].t.x; b > a {
			gaps = append(gaps, float64(b-a))
		}
	}
	if len(gaps) < djFit-1 {
		return 0
	}
	slices.Sort(gaps)
	return gaps[len(gaps)/2]
}

// standardRates are the frame rates cameras use.
var standardRates = []float64{1, 2, 3, 4, 5, 6, 7.5, 8, 10, 12, 12.5, 15, 20, 24000.0 / 1001, 24, 25,
	30000.0 / 1001, 30, 50, 60000.0 / 1001, 60, 100, 120}

// gridPeriod is the grid period (ticks) for a measured frame period: the standard rate
// nearest the measured one from 5 % below to 10 % above it, else a rate 5 % above it
// rounded up to what ffmpeg can guess (k/12 fps below 30 fps, whole numbers above). The
// grid errs on the fast side, as a rate measured over the first second of jittered
// arrivals may be a few per cent off: a grid slower than the camera would run ahead of
// it, while a faster one only now and then skips a grid point (a frame shown two
// periods). And ffmpeg must guess the grid's rate exactly, or its grid drifts from ours
// until two frames share a point of it.
func gridPeriod(measured float64) float64 {
	if measured <= 0 {
		return 0
	}
	fps := timeScale / measured
	best := 0.0
	for _, std := range standardRates {
		if std >= fps*0.95 && std <= fps*1.10 && (best == 0 || math.Abs(std-fps) < math.Abs(best-fps)) {
			best = std
		}
	}
	if best > 0 {
		return timeScale / best
	}
	r := fps * 1.05
	if r < 30 {
		r = math.Ceil(r*12) / 12
	} else {
		r = math.Ceil(r)
	}
	return timeScale / r
}

// flush writes the queued samples, all but the newest, as one fragment. With last, the
// newest goes too: the stream paused, broke or ends here; its duration is the time to a
// next sample at nextX on the timeline when hasNext (unsmoothed clocks), else the
// previous sample's duration.
func (s *segment) flush(last bool, nextX uint64, hasNext bool) error {
	s.assign()
	n := len(s.raw) - 1
	if last {
		n = len(s.raw)
	}
	if n <= 0 {
		return nil
	}
	s.frag = s.frag[:0]
	for i := 0; i < n; i++ {
		r := &s.raw[i]
		var dur uint64
		if i+1 < len(s.raw) {
			dur = s.raw[i+1].dts - r.dts
		} else if hasNext && !r.t.smooth && nextX > r.dts {
			dur = nextX - r.dts
		} else {
			dur = uint64(s.estimate())
		}
		dur = min(max(dur, 1), 1<<31)
		s.lastDur = uint32(dur)
		var cts int64
		if pts := r.t.x + r.t.cts; !r.t.smooth && pts > r.dts {
			cts = min(int64(pts-r.dts), 1<<31-1)
		}
		s.frag = append(s.frag, &fmp4.Sample{Duration: uint32(dur), PTSOffset: int32(cts),
			IsNonSyncSample: !r.key, Payload: r.payload})
	}
	if last {
		s.nextMin = s.raw[n-1].dts + uint64(s.lastDur)
	}
	part := fmp4.Part{SequenceNumber: s.seq, Tracks: []*fmp4.PartTrack{{ID: 1, BaseTime: s.raw[0].dts, Samples: s.frag}}}
	rest := copy(s.raw, s.raw[n:])
	clear(s.raw[rest:])
	s.raw = s.raw[:rest]
	err := part.Marshal(&s.buf)
	clear(s.frag)
	if err != nil {
		return fmt.Errorf("writing a fragment of %s: %w", s.path, err)
	}
	s.seq++
	if err := s.writeBuf(); err != nil {
		return err
	}
	s.samples += n
	return nil
}

// estimate is the duration given to a last sample whose successor is not known: the
// previous sample's, else defaultSampleTicks.
func (s *segment) estimate() uint32 {
	if s.lastDur > 0 {
		return s.lastDur
	}
	return defaultSampleTicks
}

// hasUnflushed reports whether samples wait in memory.
func (s *segment) hasUnflushed() bool { return len(s.raw) > 0 }

// close writes what remains — the last sample with the duration up to a next sample at
// nextX when hasNext (see flush) — and closes the file. A file that got
// no sample is removed.
func (s *segment) close(nextX uint64, hasNext bool) error {
	err := s.flush(true, nextX, hasNext)
	if cerr := s.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("closing %s: %w", s.path, cerr)
	}
	if s.samples == 0 {
		os.Remove(s.path) // nothing but a header: no recording
	}
	return err
}
