package push

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vigil-cctv/vigil/capture"
)

// helperEnv asks the test binary to be the measurement's pushers:
// "ADDR,PUSHERS,FPS,FRAMES,JPEGFILE". They run in their own process so the panel
// side's rusage counts the panel only.
const helperEnv = "VIGIL_PUSH_TEST_PUSHERS"

// helperMain runs the test binary as the pushers when asked; it reports whether it did.
func helperMain() bool {
	spec := os.Getenv(helperEnv)
	if spec == "" {
		return false
	}
	f := strings.Split(spec, ",")
	n, _ := strconv.Atoi(f[1])
	fps, _ := strconv.ParseFloat(f[2], 64)
	frames, _ := strconv.Atoi(f[3])
	pic, err := os.ReadFile(f[4])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			loop := capture.LoopPictures([][]byte{pic}, fps)
			sent := 0
			p := &Pusher{Addr: f[0], Name: fmt.Sprintf("p%02d", i), Next: func(ctx context.Context) ([]byte, time.Time, error) {
				if sent == frames {
					time.Sleep(200 * time.Millisecond) // let the last frame be read before closing
					return nil, time.Time{}, context.Canceled
				}
				sent++
				return loop(ctx)
			}}
			p.Run(context.Background())
		}()
	}
	wg.Wait()
	return true
}
