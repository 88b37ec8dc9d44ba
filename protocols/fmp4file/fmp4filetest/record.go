// Package fmp4filetest makes real recordings for the tests of the file source and the
// player: encoded units (ffmpeg, through rtsptest's cached encoders) fed to the real
// recorder, so the files are exactly what Vigil writes for a camera.
package fmp4filetest

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/protocols/rtsp/rtsptest"
	"github.com/vigil-cctv/vigil/recorder"
)

// Lead is how far the PTS of the units Units makes runs ahead of their DTS (2 frames:
// room for the two B-frames of rtsptest's reordered streams).
const Lead = 2

// Units makes seconds of w×h at fps of codec ("h264b": H.264 with B-frames, "h265",
// "jpeg") as Packets in decode order with PTS and DTS on a media clock from 0: DTS is
// frame n's decode slot, PTS its display slot plus Lead frames.
func Units(codec string, w, h, fps, seconds int) ([]capture.Packet, error) {
	var aus [][]byte
	var pts []int
	var c capture.Codec
	switch codec {
	case "h264b":
		r, err := rtsptest.EncodeH264BFrames(w, h, fps, seconds)
		if err != nil {
			return nil, err
		}
		aus, pts, c = r.AUs, r.PTS, capture.CodecH264
	case "h265":
		a, err := rtsptest.EncodeH265(w, h, fps, seconds)
		if err != nil {
			return nil, err
		}
		aus, c = a, capture.CodecH265
	case "jpeg":
		a, err := rtsptest.EncodeJPEG(w, h, fps, seconds)
		if err != nil {
			return nil, err
		}
		aus, c = a, capture.CodecJPEG
	default:
		return nil, fmt.Errorf("fmp4filetest: no codec %q", codec)
	}
	period := time.Second / time.Duration(fps)
	out := make([]capture.Packet, len(aus))
	for i, au := range aus {
		p := i
		if pts != nil {
			p = pts[i]
		}
		key := true
		if c != capture.CodecJPEG {
			var nalus h264.AnnexB
			if err := nalus.Unmarshal(au); err != nil {
				return nil, err
			}
			if c == capture.CodecH264 {
				key = h264.IsRandomAccess(nalus)
			} else {
				key = h265.IsRandomAccess(nalus)
			}
		}
		out[i] = capture.Packet{Codec: c, Data: au, Key: key, Width: w, Height: h,
			PTS: time.Duration(p+Lead) * period, DTS: time.Duration(i) * period, HasPTS: true}
	}
	return out, nil
}

// Record writes pkts as one recording of camera in the recordings folder root, the
// first unit received at start (so the file is named by start, to the millisecond): the packets
// go through a capture.Stream into recorder.Root.Start as a camera's would, faster than
// real time but with receive times that follow their DTS, and Record returns once the
// file is finalised. start must not lie in the past (now or later): the Supervisor's
// watchdog reads the receive times, and would drop a stream an hour old.
func Record(root, camera string, pkts []capture.Packet, start time.Time) error {
	if time.Until(start) < -time.Second {
		return fmt.Errorf("fmp4filetest: a recording starting %v ago would look stalled", time.Since(start).Round(time.Second))
	}
	r, err := recorder.Open(recorder.Options{Root: root, MinFree: -1, Segment: time.Hour, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	defer r.Close()
	src := &feed{pkts: pkts, start: start, done: make(chan struct{})}
	st := capture.NewStream(camera, src, capture.StreamOptions{Logger: slog.New(slog.DiscardHandler)})
	defer st.Close()
	rec, err := r.Start(camera, st, nil)
	if err != nil {
		return err
	}
	select {
	case <-src.done:
	case <-time.After(60 * time.Second):
		rec.Stop()
		return fmt.Errorf("fmp4filetest: recording %s did not finish", camera)
	}
	time.Sleep(50 * time.Millisecond) // the Hub's queue reaches the recorder
	if err := rec.Stop(); err != nil {
		return err
	}
	if st := rec.Status(); st.Drops > 0 {
		return fmt.Errorf("fmp4filetest: the recorder dropped %d packets", st.Drops)
	}
	return nil
}

// feed sends its packets once, then holds the connection.
type feed struct {
	pkts  []capture.Packet
	start time.Time
	done  chan struct{}
	sent  bool
}

func (f *feed) Run(ctx context.Context, sink capture.Sink) error {
	sink.Connected(capture.StreamInfo{Protocol: "test", Transport: "none", Codec: f.pkts[0].Codec})
	if !f.sent {
		f.sent = true
		for _, p := range f.pkts {
			p.ReceiveTime = f.start.Add(p.DTS)
			sink.Packet(p)
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(time.Millisecond):
			}
		}
		close(f.done)
	}
	<-ctx.Done()
	return nil
}
