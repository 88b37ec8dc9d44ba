package rtsp

import (
	"bytes"
	"errors"
	"fmt"
	"image/jpeg"
	"strings"
	"time"

	"github.com/bluenviron/gortsplib/v5/pkg/description"
	"github.com/bluenviron/gortsplib/v5/pkg/format"
	"github.com/bluenviron/gortsplib/v5/pkg/format/rtph264"
	"github.com/bluenviron/gortsplib/v5/pkg/format/rtph265"
	"github.com/bluenviron/gortsplib/v5/pkg/format/rtpmjpeg"
	"github.com/pion/rtp"

	"github.com/vigil-cctv/vigil/capture"
)

// chooseTrack picks the first H.264 video track, else H.265, else M-JPEG, and records
// every track for Tracks.
func (r *run) chooseTrack(desc *description.Session) (*description.Media, format.Format, error) {
	var tracks []Track
	type cand struct {
		m    *description.Media
		f    format.Format
		rank int
		idx  int
	}
	var best *cand
	var found []string
	for _, m := range desc.Medias {
		for _, f := range m.Formats {
			t := Track{ProbeTrack: capture.ProbeTrack{Media: string(m.Type), Codec: formatName(f)}, ClockRate: f.ClockRate()}
			rank := 0
			switch f := f.(type) {
			case *format.H264:
				rank = 3
				t.describeSPS(capture.CodecH264, f.SPS)
			case *format.H265:
				rank = 2
				t.describeSPS(capture.CodecH265, f.SPS)
			case *format.MJPEG:
				t.Codec, rank = string(capture.CodecJPEG), 1
			}
			found = append(found, t.Media+" "+t.Codec)
			tracks = append(tracks, t)
			if rank > 0 && (best == nil || rank > best.rank) {
				best = &cand{m: m, f: f, rank: rank, idx: len(tracks) - 1}
			}
		}
	}
	if best != nil {
		tracks[best.idx].Playing = true
	}
	r.s.setTracks(tracks)
	if best == nil {
		what := "no tracks"
		if len(found) > 0 {
			what = "only " + strings.Join(found, ", ")
		}
		return nil, nil, fmt.Errorf("%s offers %s at %s; Vigil plays H.264, H.265 and M-JPEG video: set the camera's stream to one of them or use another stream path: %w",
			r.where, what, r.redacted, capture.ErrNotVideo)
	}
	r.codec = capture.Codec(tracks[best.idx].Codec)
	return best.m, best.f, nil
}

// packetHandler builds the RTP callback for the chosen format.
func (r *run) packetHandler(forma format.Format) (func(*rtp.Packet), error) {
	switch f := forma.(type) {
	case *format.H264:
		return nalTrack(r, "H.264", f.CreateDecoder, capture.CodecH264, nil, f.SPS, f.PPS,
			rtph264.ErrMorePacketsNeeded, rtph264.ErrNonStartingPacketAndNoPrevious)
	case *format.H265:
		return nalTrack(r, "H.265", f.CreateDecoder, capture.CodecH265, f.VPS, f.SPS, f.PPS,
			rtph265.ErrMorePacketsNeeded, rtph265.ErrNonStartingPacketAndNoPrevious)
	case *format.MJPEG:
		dec, err := f.CreateDecoder()
		if err != nil {
			return nil, r.trackError("M-JPEG", err)
		}
		return func(pkt *rtp.Packet) { r.onJPEG(pkt, dec) }, nil
	}
	return nil, fmt.Errorf("%s: unsupported format %s: %w", r.where, formatName(forma), capture.ErrNotVideo)
}

// nalTrack is packetHandler for an H.264 or H.265 track (name, codec): its
// depacketizer, r.ps starting from the parameter sets the SDP carried (vps: H.265 only),
// and the depacketizer's errors that only mean no access unit is complete yet.
func nalTrack[D interface {
	Decode(*rtp.Packet) ([][]byte, error)
}](r *run, name string, newDecoder func() (D, error), codec capture.Codec, vps, sps, pps []byte, pending ...error) (func(*rtp.Packet), error) {
	dec, err := newDecoder()
	if err != nil {
		return nil, r.trackError(name, err)
	}
	r.ps = paramSets{codec: codec}
	r.ps.set(roleVPS, vps)
	r.ps.set(roleSPS, sps)
	r.ps.set(rolePPS, pps)
	return r.auHandler(dec.Decode, pending...), nil
}

// trackError is why packetHandler could not make a track's depacketizer.
func (r *run) trackError(name string, err error) error {
	return fmt.Errorf("%s: %s track: %v: %w", r.where, name, err, capture.ErrNotVideo)
}

// auHandler hands onNALUs the access units an H.264/H.265 depacketizer completes; the
// pending errors (a unit still being assembled, a fragment whose start was lost) give
// none yet and are not decode errors.
func (r *run) auHandler(decode func(*rtp.Packet) ([][]byte, error), pending ...error) func(*rtp.Packet) {
	return func(pkt *rtp.Packet) {
		r.onNALUs(pkt, func() ([][]byte, error) {
			au, err := decode(pkt)
			for _, e := range pending {
				if errors.Is(err, e) {
					return nil, nil
				}
			}
			return au, err
		})
	}
}

// auTimestamp is the RTP timestamp of the access unit the current packet completed:
// gortsplib's H.264/H.265 decoders also end an access unit when the timestamp changes
// without a marker bit, and then return the previous one.
func (r *run) auTimestamp(pkt *rtp.Packet) uint32 {
	ts := pkt.Timestamp
	if r.havePrev && !r.prevMark && r.prevTS != pkt.Timestamp {
		ts = r.prevTS
	}
	return ts
}

func (r *run) notePacket(pkt *rtp.Packet) {
	r.prevTS, r.prevMark, r.havePrev = pkt.Timestamp, pkt.Marker, true
}

func (r *run) onNALUs(pkt *rtp.Packet, decode func() ([][]byte, error)) {
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failed {
		return
	}
	ts := r.auTimestamp(pkt)
	au, err := decode()
	r.notePacket(pkt)
	if err != nil {
		r.decodeErrorLocked(err)
		return
	}
	if au == nil {
		return
	}
	data, key, err := r.ps.accessUnit(au)
	if err != nil {
		r.failLocked(fmt.Errorf("%s sent an %s: %w", r.where, err.Error(), capture.ErrTooLarge))
		return
	}
	if data == nil {
		return
	}
	if !r.sawKey {
		if !key {
			return // a decoder can only start at a key frame
		}
		r.sawKey = true
		r.s.updatePlaying(r.ps.profile, r.ps.width, r.ps.height, r.ps.fps)
	} else if key {
		r.s.updatePlaying(r.ps.profile, r.ps.width, r.ps.height, r.ps.fps)
	}
	pts, dts := r.timesLocked(ts, au, key, now)
	r.emitLocked(capture.Packet{
		Codec:       r.codec,
		Data:        data,
		Key:         key,
		Width:       r.ps.width,
		Height:      r.ps.height,
		SourceTime:  r.packetNTP(pkt, ts),
		ReceiveTime: now,
		PTS:         pts,
		DTS:         dts,
		HasPTS:      true,
	})
}

// timesLocked is the PTS and DTS of an access unit with RTP timestamp ts. The DTS
// extractor gets the unit's slices and, in front of a key unit, the stored parameter
// sets (copies that stay put, unlike gortsplib's buffers, and present even when the
// camera sends them only in the SDP). A stream it cannot follow is logged once per run
// and played on with a fallback DTS.
func (r *run) timesLocked(ts uint32, au [][]byte, key bool, now time.Time) (pts, dts time.Duration) {
	n := r.extNALUs[:0]
	if key {
		for _, ps := range [][]byte{r.ps.vps, r.ps.sps, r.ps.pps} {
			if ps != nil {
				n = append(n, ps)
			}
		}
	}
	for _, nalu := range au {
		if len(nalu) > 0 && !r.ps.isParamSet(nalu) {
			n = append(n, nalu)
		}
	}
	pts, dts, err := r.clock.times(ts, n, now)
	clear(n)
	r.extNALUs = n[:0]
	r.noteJumpLocked()
	if err != nil && !r.clockErr {
		r.clockErr = true
		r.log.Warn("decode times guessed from presentation times (shown order may stutter); reported once per connection",
			"err", err, "after_frames", r.frames)
	}
	return pts, dts
}

// noteJumpLocked logs, once per run, that the camera's RTP timestamps jumped and the
// media clock bridged the jump by arrival time.
func (r *run) noteJumpLocked() {
	if r.clock.jumps > 0 && !r.jumpSeen {
		r.jumpSeen = true
		r.log.Warn("camera's RTP timestamps jumped; media time bridged by arrival time; reported once per connection",
			"max_step", maxClockStep, "after_frames", r.frames)
	}
}

func (r *run) onJPEG(pkt *rtp.Packet, dec *rtpmjpeg.Decoder) {
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failed {
		return
	}
	img, err := dec.Decode(pkt)
	if err != nil {
		if !errors.Is(err, rtpmjpeg.ErrMorePacketsNeeded) && !errors.Is(err, rtpmjpeg.ErrNonStartingPacketAndNoPrevious) {
			r.decodeErrorLocked(err)
		}
		return
	}
	if len(img) > MaxAUSize {
		r.failLocked(fmt.Errorf("%s sent a JPEG of %d bytes, over the %d-byte limit: %w", r.where, len(img), MaxAUSize, capture.ErrTooLarge))
		return
	}
	w, h := 0, 0
	if cfg, err := jpeg.DecodeConfig(bytes.NewReader(img)); err == nil {
		w, h = cfg.Width, cfg.Height
	}
	if r.frames == 0 {
		r.s.updatePlaying("", w, h, 0)
	}
	pts, _, _ := r.clock.times(pkt.Timestamp, nil, now)
	r.noteJumpLocked()
	r.emitLocked(capture.Packet{
		Codec:       capture.CodecJPEG,
		Data:        img,
		Key:         true,
		Width:       w,
		Height:      h,
		SourceTime:  r.packetNTP(pkt, pkt.Timestamp),
		ReceiveTime: now,
		PTS:         pts,
		DTS:         pts, // JPEGs are never reordered
		HasPTS:      true,
	})
}

// packetNTP is the sender's wall clock for RTP timestamp ts, known once an RTCP sender
// report arrived; zero before.
func (r *run) packetNTP(pkt *rtp.Packet, ts uint32) time.Time {
	q := &rtp.Packet{Header: rtp.Header{PayloadType: pkt.PayloadType, Timestamp: ts}}
	t, ok := r.c.PacketNTP(r.media, q)
	if !ok {
		return time.Time{}
	}
	return t
}

func (r *run) emitLocked(p capture.Packet) {
	r.connectLocked()
	if r.frames == 0 {
		r.s.learn(r.transportLocked())
	}
	r.frames++
	r.sink.Packet(p)
}

// formatName is a format's encoding name as the SDP's rtpmap gives it ("h264", "pcmu",
// "mpeg4-generic"), lower case; "unknown" when it has none. (gortsplib's Format.Codec is
// deprecated.) The parameters are read directly: the client never changes them.
func formatName(f format.Format) string {
	name, _, _ := strings.Cut(f.RTPMap(), "/")
	if name == "" {
		return "unknown"
	}
	return strings.ToLower(name)
}

// describeSPS fills the track's codec, profile, size and declared rate from the SPS the
// SDP carried (nothing when it carried none).
func (t *Track) describeSPS(codec capture.Codec, sps []byte) {
	ps := paramSets{codec: codec}
	ps.set(roleSPS, sps)
	ps.parse()
	t.Codec = string(codec)
	t.Profile, t.Width, t.Height, t.FPS = ps.profile, ps.width, ps.height, ps.fps
}
