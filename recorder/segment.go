package recorder

import (
	"bytes"
	"fmt"
	"image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"
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
			if p.Codec == capture.CodecH264 {
				switch h264.NALUType(n[0] & 0x1f) {
				case h264.NALUTypeSPS:
					s.params.sps, s.hasPS = n, true
					continue
				case h264.NALUTypePPS:
					s.params.pps = n
					continue
				case h264.NALUTypeAccessUnitDelimiter:
					continue
				}
			} else {
				switch h265.NALUType((n[0] >> 1) & 0x3f) {
				case h265.NALUType_VPS_NUT:
					s.params.vps = n
					continue
				case h265.NALUType_SPS_NUT:
					s.params.sps, s.hasPS = n, true
					continue
				case h265.NALUType_PPS_NUT:
					s.params.pps = n
					continue
				case h265.NALUType_AUD_NUT:
					continue
				}
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

// rawSample is a sample waiting in memory: its receive-clock time (target, in ticks from
// the segment's start) and, once assigned, its decode time.
type rawSample struct {
	payload []byte
	key     bool
	target  uint64
	dts     uint64
	hasDTS  bool
}

// fragmentSpan: a fragment is written once its samples span this much receive time, so
// with the decode-time regularisation (within half a frame) it stays within 1 s.
const fragmentSpan = maxFragmentTicks * 9 / 10

// maxAhead bounds how far regularised decode times may run ahead of the receive clock (a
// camera slightly faster than its nominal rate) before they are re-anchored to it.
const maxAhead = timeScale

// segment is one open recording file: the init segment written at creation, then one
// moof+mdat fragment per flush, each written with a single write call and fsync'ed, so a
// killed process leaves complete fragments and at most a torn tail that recoverFile cuts.
//
// Decode times are regularised: arrival jitter is not the camera's timing, and players
// (ffmpeg among them) that assume a constant rate stumble on two frames a few
// milliseconds apart. Once the frame period P is known, each sample's decode time is the
// previous one plus a whole number (≥ 1) of P, the number nearest to the receive-clock
// gap, so a missing frame still shows as a gap and the timeline stays within half a
// frame of the receive clock.
type segment struct {
	f      *os.File
	path   string
	start  time.Time // wall time of the first sample
	params trackParams
	noSync bool // tests and benchmarks of CPU only
	period func() uint64

	seq      uint32
	written  int64 // bytes of complete boxes in the file
	reported int64 // part of written already added to Status.Bytes
	raw      []rawSample
	p        uint64 // grid period in ticks, 0 until known
	prevDTS  uint64
	haveDTS  bool
	reanchor bool   // the next decode time follows the receive clock (after a gap)
	nextMin  uint64 // the earliest decode time the next sample may have
	lastDur  uint32
	samples  int
	frag     []*fmp4.Sample
	buf      seekablebuffer.Buffer
}

// openSegment creates the segment's file exclusively and writes its init segment. period
// gives the camera's frame period in ticks (0 while unknown).
func openSegment(root, safe string, start time.Time, params trackParams, noSync bool, period func() uint64) (*segment, error) {
	f, path, err := createSegment(root, safe, start)
	if err != nil {
		return nil, err
	}
	if period == nil {
		period = func() uint64 { return 0 }
	}
	s := &segment{f: f, path: path, start: start, params: params, noSync: noSync, seq: 1, period: period}
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
	if !noSync {
		// The new directory entry must survive a power cut too.
		if d, err := os.Open(filepath.Dir(path)); err == nil {
			d.Sync()
			d.Close()
		}
	}
	return s, nil
}

// writeBuf writes the buffer with one write call and syncs. On failure it cuts the file
// back to its last complete box, so no torn fragment stays behind.
func (s *segment) writeBuf() error {
	b := s.buf.Bytes()
	s.buf.Reset()
	s.buf.Seek(0, 0)
	n, err := s.f.Write(b)
	if err == nil && !s.noSync {
		err = s.f.Sync()
	}
	if err != nil {
		if n > 0 {
			s.f.Truncate(s.written)
		}
		return fmt.Errorf("writing %s: %w", s.path, err)
	}
	s.written += int64(n)
	return nil
}

// add queues a sample received at target ticks from the segment's start and writes a
// fragment once the queued samples span most of a second. The newest sample always
// stays queued: its duration is the time to the next one.
func (s *segment) add(payload []byte, key bool, target uint64) error {
	s.raw = append(s.raw, rawSample{payload: payload, key: key, target: target})
	if target-min(target, s.raw[0].target) >= fragmentSpan {
		return s.flush(false, 0, false)
	}
	return nil
}

// assign gives a sample its decode time (see segment).
func (s *segment) assign(target uint64) uint64 {
	var dts uint64
	switch {
	case !s.haveDTS:
		dts = target
	case s.reanchor:
		dts = max(s.nextMin, target)
	case s.p == 0:
		dts = max(s.prevDTS+1, target)
	default:
		k := uint64(1)
		if target > s.prevDTS {
			k = max(1, (target-s.prevDTS+s.p/2)/s.p)
		}
		dts = s.prevDTS + k*s.p
		if dts > target+maxAhead {
			dts = max(s.prevDTS+1, target)
		}
	}
	s.haveDTS, s.reanchor, s.prevDTS = true, false, dts
	return dts
}

// flush writes the queued samples, all but the newest, as one fragment. With last, the
// newest goes too: the stream paused, broke or ends here; its duration is the time to a
// next sample received at nextTarget when hasNext, else one frame period.
func (s *segment) flush(last bool, nextTarget uint64, hasNext bool) error {
	if s.p == 0 {
		s.p = s.period()
	}
	for i := range s.raw {
		if !s.raw[i].hasDTS {
			s.raw[i].dts, s.raw[i].hasDTS = s.assign(s.raw[i].target), true
		}
	}
	n := len(s.raw) - 1
	if last {
		n = len(s.raw)
	}
	if n <= 0 {
		return nil
	}
	s.frag = s.frag[:0]
	for i := 0; i < n; i++ {
		var dur uint64
		if i+1 < len(s.raw) {
			dur = s.raw[i+1].dts - s.raw[i].dts
		} else if hasNext && nextTarget > s.raw[i].dts {
			dur = s.assign(nextTarget) - s.raw[i].dts
		} else {
			dur = uint64(s.estimate())
		}
		dur = min(max(dur, 1), 1<<31)
		s.lastDur = uint32(dur)
		s.frag = append(s.frag, &fmp4.Sample{Duration: uint32(dur), IsNonSyncSample: !s.raw[i].key, Payload: s.raw[i].payload})
	}
	if last {
		t := s.raw[n-1]
		s.nextMin, s.reanchor = t.dts+uint64(s.lastDur), true
	}
	part := fmp4.Part{SequenceNumber: s.seq, Tracks: []*fmp4.PartTrack{{ID: 1, BaseTime: s.raw[0].dts, Samples: s.frag}}}
	s.samples += n
	rest := copy(s.raw, s.raw[n:])
	clear(s.raw[rest:])
	s.raw = s.raw[:rest]
	err := part.Marshal(&s.buf)
	clear(s.frag)
	if err != nil {
		return fmt.Errorf("writing a fragment of %s: %w", s.path, err)
	}
	s.seq++
	return s.writeBuf()
}

// estimate is the duration given to a last sample whose successor is not known.
func (s *segment) estimate() uint32 {
	switch {
	case s.p > 0:
		return uint32(min(s.p, 1<<31))
	case s.lastDur > 0:
		return s.lastDur
	}
	return defaultSampleTicks
}

// hasUnflushed reports whether samples wait in memory.
func (s *segment) hasUnflushed() bool { return len(s.raw) > 0 }

// close writes what remains — the last sample with the duration up to a next sample at
// nextTarget when hasNext, else one frame period — and closes the file. A file that got
// no sample is removed.
func (s *segment) close(nextTarget uint64, hasNext bool) error {
	err := s.flush(true, nextTarget, hasNext)
	if cerr := s.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("closing %s: %w", s.path, cerr)
	}
	if err == nil && s.samples == 0 {
		os.Remove(s.path)
	}
	return err
}

// standardRates are the frame rates cameras use; a measured rate within 2 % of one is
// taken to be it, so decode times are exact multiples of its period (what players that
// guess a constant rate expect).
var standardRates = []float64{1, 2, 3, 4, 5, 6, 7.5, 8, 10, 12, 12.5, 15, 20, 24000.0 / 1001, 24, 25,
	30000.0 / 1001, 30, 50, 60000.0 / 1001, 60, 100, 120}

// rateEstimator measures a camera's frame period from arrival times: the median of the
// last 15 gaps, so a burst after connecting or a dropped frame does not skew it.
type rateEstimator struct {
	last time.Time
	gaps [15]float64 // seconds, a ring
	n    int
}

// observe records an arrival; gaps over 2 s (a pause) and reorderings are ignored.
func (r *rateEstimator) observe(t time.Time) {
	if !r.last.IsZero() {
		if d := t.Sub(r.last).Seconds(); d > 0 && d <= 2 {
			r.gaps[r.n%len(r.gaps)] = d
			r.n++
		}
	}
	r.last = t
}

// reset forgets the last arrival (after a break), keeping the estimate.
func (r *rateEstimator) reset() { r.last = time.Time{} }

// period is the frame period in ticks, 0 until a few frames have been seen.
func (r *rateEstimator) period() uint64 {
	if r.n < 4 {
		return 0
	}
	g := make([]float64, min(r.n, len(r.gaps)))
	copy(g, r.gaps[:])
	slices.Sort(g)
	fps := 1 / g[len(g)/2]
	for _, std := range standardRates {
		if fps > std*0.98 && fps < std*1.02 {
			fps = std
			break
		}
	}
	return uint64(timeScale/fps + 0.5)
}
