package capturetest

// LockedBuffer is text that goroutines write while the test reads it: log output
// (slog.NewTextHandler(&buf, nil)) or a command's output, to check what was written and
// that no secret was. It is Buffer, under the name some tests know it by.
type LockedBuffer = Buffer
