package jpegdec

import (
	"flag"
	"os"
	"testing"
)

// fuzzMinimizeTime bounds how long the fuzzer minimizes one new-coverage input before it
// reports it and goes on fuzzing. Go's default is 60 s, one decode per candidate, and while
// a worker minimizes the fuzzer reports no progress: with a 20 s -fuzztime (make fuzz),
// FuzzDecode sat at a few dozen execs for most of its run. An explicit -fuzzminimizetime on
// the command line wins.
const fuzzMinimizeTime = "2s"

func TestMain(m *testing.M) {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.fuzzminimizetime" })
	if !explicit {
		if err := flag.Set("test.fuzzminimizetime", fuzzMinimizeTime); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}
