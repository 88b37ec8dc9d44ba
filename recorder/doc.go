// Package recorder writes cameras' encoded packets to disk as fragmented MP4 without
// re-encoding (H.264, H.265 and M-JPEG passed through), one file per camera per segment:
//
//	<root>/<camera>/<YYYY-MM-DD>/<camera>_<YYYY-MM-DDTHH-MM-SS.mmm±hhmm>.mp4
//
// named by the local wall-clock time of the first frame to the millisecond with its UTC
// offset (names to the second, written before, are still read), created
// exclusively so a clock change never overwrites a file. Fragments last at most 1 s and
// each is written with one write call and fsync'ed, so a killed process leaves complete
// fragments plus at most a torn tail, which Open cuts off; a power cut loses at most the
// last second. A Root owns a recordings folder (one process at a time, by flock), runs
// retention by age and total size (oldest closed segment first, never an open one) and
// stops recording before the disk fills (a free-space floor). A Prebuffer keeps the last
// seconds in memory so a triggered recording starts before its trigger.
//
// Timing: sample times come from the stream's own clock. With Packet.HasPTS (RTP time)
// decode times are the packets' DTS and each sample carries its composition offset
// (PTS − DTS), so B-frame streams play in display order. Otherwise SourceTime (an
// X-Timestamp, the RTCP wall clock) is used, else the receive time, smoothed by a tracking
// loop that follows the camera's rate without locking it, and put on a grid of whole
// frame periods (a missing frame stays a gap; players such as ffmpeg reject two frames
// on one point of the grid of their guessed rate). A source clock that jumps, runs
// backwards or drifts from the receive clock beyond 300 ms + 1 % is re-anchored, so a
// file lasts what it recorded within about 1 %. Decode times are strictly increasing.
//
// A JPEG camera whose picture size changes starts a new file only once the new size has
// lasted a second (doubling for each further change, up to a minute); frames of the
// other size meanwhile are dropped and counted (Status.SizeDrops).
//
// A full disk loses nothing written: the free-space floor is checked before every write;
// writes are positioned (pwrite) at the end of the last complete box, and a failed or
// partial one is cut off, so the file stays whole to its last fragment. Between the Hub
// and the disk each recording queues at most 16 MiB (and 512 packets), dropping like the
// Hub past that (counted in Status.Drops); what is queued at Stop is written.
package recorder
