package capture

import (
	"sync"
	"sync/atomic"
	"time"
)

// supervisedSink is the Sink a Supervisor hands its Source for one run.
type supervisedSink struct {
	sup *Supervisor
	// state is what the first packet makes the source: StateLive for the main source,
	// StateFallback for the fallback.
	state State
	// gate, when set, is called once before the first packet is published (the main
	// source trying to take over from the fallback); until then nothing reaches the Hub
	// or the status.
	gate     func()
	gateOnce sync.Once
	gateOpen atomic.Bool
	info     StreamInfo

	packets      atomic.Uint64
	lastActivity atomic.Int64 // unix nanoseconds of the last packet, or of the start
}

// Alive is KeepAlive: the source is well though it sends nothing.
func (k *supervisedSink) Alive() { k.lastActivity.Store(k.sup.now().UnixNano()) }

// gated reports whether the sink is still holding back (a main-source trial on fallback).
func (k *supervisedSink) gated() bool { return k.gate != nil && !k.gateOpen.Load() }

func (k *supervisedSink) Connected(info StreamInfo) {
	k.info = info
	if k.gated() {
		k.sup.Logger.Debug("main source connected while on fallback", "protocol", info.Protocol)
		return
	}
	k.connected()
}

func (k *supervisedSink) connected() {
	info := k.info
	k.sup.Logger.Info("connected", "protocol", info.Protocol, "transport", info.Transport, "auth", info.Auth)
	k.sup.setStatus(func(st *Status) { st.Info = info })
}

func (k *supervisedSink) Packet(p Packet) {
	s := k.sup
	if p.ReceiveTime.IsZero() {
		p.ReceiveTime = s.now()
	}
	k.lastActivity.Store(p.ReceiveTime.UnixNano())
	if k.gate != nil {
		k.gateOnce.Do(func() {
			k.gate()
			k.gateOpen.Store(true)
			k.connected()
		})
	}
	first := k.packets.Add(1) == 1
	if first {
		p.Discontinuity = true
	}
	if first || s.Status().State != k.state {
		s.setStatus(func(st *Status) {
			if st.State != k.state {
				st.State = k.state
				if k.state == StateLive {
					st.Err, st.Attempts, st.RetryAt = nil, 0, time.Time{}
				}
			}
		})
	}
	s.Stats.ObservePacket(p)
	s.Hub.Publish(p)
}
