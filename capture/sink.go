package capture

import "sync/atomic"

// supervisedSink is the Sink a Supervisor hands its Source for one run.
type supervisedSink struct {
	sup          *Supervisor
	packets      atomic.Uint64
	lastActivity atomic.Int64 // unix nanoseconds of the last packet, or of the start
}

func (k *supervisedSink) Connected(info StreamInfo) {
	k.sup.Logger.Info("connected", "protocol", info.Protocol, "transport", info.Transport, "auth", info.Auth)
	k.sup.setStatus(func(st *Status) { st.Info = info })
}

func (k *supervisedSink) Packet(p Packet) {
	s := k.sup
	if p.ReceiveTime.IsZero() {
		p.ReceiveTime = s.now()
	}
	k.lastActivity.Store(p.ReceiveTime.UnixNano())
	first := k.packets.Add(1) == 1
	if first {
		p.Discontinuity = true
	}
	if first || s.Status().State != StateLive {
		s.setStatus(func(st *Status) {
			if st.State != StateLive {
				st.State, st.Err, st.Attempts = StateLive, nil, 0
			}
		})
	}
	s.Stats.ObservePacket(p)
	s.Hub.Publish(p)
}
