package push

// helperMain runs the test binary as a helper process when asked (the throughput
// measurement's pushers); it reports whether it did.
func helperMain() bool { return false }
