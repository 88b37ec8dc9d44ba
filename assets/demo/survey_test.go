package demo

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestSizeSurvey measures frame sizes over many cameras, and with VIGIL_DEMO_SURVEY=<dir>
// also writes their first frames there to look at. It is skipped otherwise: it takes tens
// of seconds.
func TestSizeSurvey(t *testing.T) {
	dir := os.Getenv("VIGIL_DEMO_SURVEY")
	if dir == "" {
		t.Skip("set VIGIL_DEMO_SURVEY=<dir> to run")
	}
	names := []string{"Front Gate", "Car Park North", "Loading Bay 3", "Lobby", "Roof East", "Street 2", "Yard", "Dock West"}
	for _, sz := range [][2]int{{1920, 1080}, {1280, 720}, {640, 360}} {
		loops, err := Loops(names, LoopOptions{Width: sz[0], Height: sz[1], FPS: 1, Seconds: 1, NoCache: true})
		if err != nil {
			t.Fatal(err)
		}
		var sum, lo, hi int
		lo = 1 << 30
		for i, l := range loops {
			n := len(l[0])
			sum, lo, hi = sum+n, min(lo, n), max(hi, n)
			os.WriteFile(filepath.Join(dir, fmt.Sprintf("%dp-%d.jpg", sz[1], i)), l[0], 0o644)
		}
		t.Logf("%dx%d q85: mean %d KB, min %d KB, max %d KB over %d cameras", sz[0], sz[1], sum/len(loops)>>10, lo>>10, hi>>10, len(loops))
	}
}
