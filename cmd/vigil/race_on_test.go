//go:build race

package main

// raceEnabled: the race detector multiplies memory, so absolute RSS limits do not apply.
const raceEnabled = true
