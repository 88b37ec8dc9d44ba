// Package recorder writes cameras' encoded packets to disk as fragmented MP4 without
// re-encoding (H.264, H.265 and M-JPEG passed through), one file per camera per segment:
//
//	<root>/<camera>/<YYYY-MM-DD>/<camera>_<YYYY-MM-DDTHH-MM-SS±hhmm>.mp4
//
// named by the local wall-clock time of the first frame with its UTC offset, created
// exclusively so a clock change never overwrites a file. Fragments last at most 1 s and
// each is written with one write call and fsync'ed, so a killed process leaves complete
// fragments plus at most a torn tail, which Open cuts off; a power cut loses at most the
// last second. A Root owns a recordings folder (one process at a time, by flock), runs
// retention by age and total size (oldest closed segment first, never an open one) and
// stops recording before the disk fills (a free-space floor). A Prebuffer keeps the last
// seconds in memory so a triggered recording starts before its trigger.
//
// Timing: samples carry 90 kHz durations derived from the packets' receive times (or the
// source's timestamps while they are plausible), made monotonic; the last sample of a
// segment, whose successor never came, gets the previous sample's duration. H.264/H.265
// with B-frames are written without composition offsets (cameras rarely send B-frames).
package recorder
