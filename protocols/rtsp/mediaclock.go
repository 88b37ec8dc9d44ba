package rtsp

import (
	"fmt"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"

	"github.com/vigil-cctv/vigil/capture"
)

// dtsExtractor is what mediacommon's h264.DTSExtractor and h265.DTSExtractor share: the
// decode time of an access unit from its presentation time and slice headers (picture
// order counts), both in RTP clock ticks.
type dtsExtractor interface {
	Extract(au [][]byte, pts int64) (int64, error)
}

// mediaClock turns one track's 32-bit RTP timestamps into capture.Packet's PTS and DTS.
// RTP carries presentation times only (RFC 6184 §5.1, RFC 7798 §4.1); access units come
// in decode order, and the decode time of each is worked out from its slice headers by
// mediacommon's DTS extractor, as mediamtx does. The extractor needs a random access unit
// (IDR, CRA) first and refuses streams it cannot follow (pic_order_cnt_type 1, more
// reordering than it tracks): then the clock falls back to the last known PTS−DTS
// distance, and it always keeps DTS non-decreasing and ≤ PTS, which is what capture.Packet
// promises.
type mediaClock struct {
	codec capture.Codec
	rate  int64 // clock rate, Hz

	started bool
	prevTS  uint32
	ticks   int64     // unwrapped timestamp of the last unit, from the first one
	prevAt  time.Time // arrival of the last unit
	jumps   uint64    // timestamp steps beyond maxClockStep, bridged by arrival time

	ext       dtsExtractor
	prevDTS   int64
	haveDTS   bool
	delay     int64 // the last PTS−DTS the extractor gave
	fallbacks uint64
}

func newMediaClock(codec capture.Codec, rate int) *mediaClock {
	rate = capture.OrDefault(rate, 90000)
	c := &mediaClock{codec: codec, rate: int64(rate)}
	c.resetExtractor()
	return c
}

func (c *mediaClock) resetExtractor() {
	switch c.codec {
	case capture.CodecH264:
		e := &h264.DTSExtractor{}
		e.Initialize()
		c.ext = e
	case capture.CodecH265:
		e := &h265.DTSExtractor{}
		e.Initialize()
		c.ext = e
	default:
		c.ext = nil
	}
}

// maxClockStep is the largest step between the RTP timestamps of consecutive units that
// is taken as the camera's own: more than any B-frame reordering or UDP gap a live
// stream survives (gortsplib gives up on a silent stream after 10 s). A bigger step is a
// jump of the camera's clock (encoder restarted, clock set by NTP, relay switching
// sources), and a jump back would otherwise hold PTS and DTS still for as long as it
// (DTS never decreases), a jump forward would make one frame last hours in a recording.
const maxClockStep = 10 * time.Second

// unwrap extends a 32-bit RTP timestamp into ticks since the first unit. Steps within
// ±maxClockStep are taken as they come, so B-frames' backward steps and the wrap at 2³²
// both work; a bigger step is bridged by the time between the two arrivals (at least one
// tick, at most maxClockStep) and the clock goes on from the new timestamps.
func (c *mediaClock) unwrap(ts uint32, at time.Time) int64 {
	if !c.started {
		c.started, c.prevTS, c.ticks, c.prevAt = true, ts, 0, at
		return 0
	}
	step := int64(int32(ts - c.prevTS))
	if limit := c.ticksOf(maxClockStep); step > limit || step < -limit {
		c.jumps++
		step = min(max(c.ticksOf(at.Sub(c.prevAt)), 1), limit)
	}
	c.ticks += step
	c.prevTS, c.prevAt = ts, at
	return c.ticks
}

// ticksOf converts a duration to clock ticks.
func (c *mediaClock) ticksOf(d time.Duration) int64 {
	return int64(d/time.Millisecond) * c.rate / 1000
}

// times returns PTS and DTS of an access unit with RTP timestamp ts, arrived at at. nalus are its NAL
// units with the parameter sets it needs (for the DTS extractor); nil for JPEG, whose
// PTS and DTS are equal. err reports, for the caller to log once, why the extractor gave
// no DTS this time; the times returned are usable all the same.
func (c *mediaClock) times(ts uint32, nalus [][]byte, at time.Time) (pts, dts time.Duration, err error) {
	p := c.unwrap(ts, at)
	d := p
	if c.ext != nil {
		got, xerr := c.ext.Extract(nalus, p)
		if xerr == nil {
			d = got
			c.delay = max(p-d, 0)
		} else {
			c.fallbacks++
			err = fmt.Errorf("working out the decode time: %w", xerr)
			d = p - c.delay
			// The extractor's state is unknown after a failure: start it again, it
			// takes up at the next random access unit.
			c.resetExtractor()
		}
	}
	if c.haveDTS && d < c.prevDTS {
		d = c.prevDTS
	}
	if p < d {
		// A unit presented before one already decoded: only a broken stream (or one
		// whose timestamps jumped back) does this. Keep the promise DTS ≤ PTS.
		p = d
	}
	c.prevDTS, c.haveDTS = d, true
	return c.duration(p), c.duration(d), err
}

// duration converts ticks to a time.Duration without overflowing for long sessions.
func (c *mediaClock) duration(ticks int64) time.Duration {
	secs, rem := ticks/c.rate, ticks%c.rate
	return time.Duration(secs)*time.Second + time.Duration(rem*int64(time.Second)/c.rate)
}
