// Package rtsp plays RTSP cameras (rtsp:// and rtsps://) through gortsplib v5's client:
// Basic or Digest auth, RTP over UDP or interleaved in TCP ("auto" tries UDP, falls back
// to TCP and remembers it), and H.264, H.265 or M-JPEG (RFC 2435) video. Source emits one
// capture.Packet per access unit in Annex-B form, with the parameter sets a decoder needs
// in front of every key frame (from the SDP's sprop-parameter-sets or the stream's own),
// the picture size from the SPS or JPEG header, and the sender's wall clock from RTCP
// sender reports (gortsplib's PacketNTP) so latency is measured, not guessed. Errors wrap
// the capture.Err* kinds or the underlying net errors, and never carry credentials.
package rtsp
