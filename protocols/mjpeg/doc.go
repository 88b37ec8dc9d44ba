// Package mjpeg reads MJPEG cameras over HTTP(S): multipart/x-mixed-replace streams and
// single-JPEG snapshot endpoints polled at a rate. PartReader is the tolerant, bounded
// parser of the multipart wire format (the quirks it accepts are listed on it and in
// in the research notes, bosch.md §6); Source is the capture.Source that connects,
// authenticates (Basic, Digest MD5/SHA-256), detects the stream type and emits one
// capture.Packet per JPEG. Errors wrap the capture.Err* kinds and the underlying net
// errors, and never carry credentials (see Redact).
package mjpeg
