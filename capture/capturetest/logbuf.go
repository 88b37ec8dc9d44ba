package capturetest

// Buffer is the LockedBuffer under the name some tests know it by: a logger's or a
// child process's output that a test reads while it is written.
type Buffer = LockedBuffer
