package panel_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/analytics"
	"github.com/vigil-cctv/vigil/analytics/store"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/internal/ffmpeg"
	"github.com/vigil-cctv/vigil/internal/panel"
)

// hourWalks are the moments of the searched hour when someone crosses the lower middle
// of the picture, from the hour's start.
var hourWalks = [][2]time.Duration{
	{7 * time.Minute, 7*time.Minute + 5*time.Second},
	{31 * time.Minute, 31*time.Minute + 4*time.Second},
	{52*time.Minute + 30*time.Second, 52*time.Minute + 35*time.Second},
}

// recordHour writes an hour of one camera's recordings as four 15-minute fMP4 segments
// (320×180, 10 fps, H.264, a key frame a second) in the recorder's layout, made by
// Debian's ffmpeg: a still, noisy scene with hourWalks in it.
func recordHour(b *testing.B, root, camera string, start time.Time) {
	b.Helper()
	const seg = 15 * time.Minute
	for i := range 4 {
		from := start.Add(time.Duration(i) * seg)
		dir := filepath.Join(root, camera, from.Format("2006-01-02"))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		enable := "0"
		for _, w := range hourWalks {
			a, z := (w[0] - time.Duration(i)*seg).Seconds(), (w[1] - time.Duration(i)*seg).Seconds()
			if a >= 0 && a < seg.Seconds() {
				enable += fmt.Sprintf("+between(t,%.1f,%.1f)", a, z)
			}
		}
		graph := fmt.Sprintf("color=c=0x607080:size=320x180:rate=10:duration=%d,noise=alls=10:allf=t[bg];"+
			"color=c=white:size=24x70:rate=10[box];"+
			"[bg][box]overlay=x='40+200*mod(t,5)/5':y=75:enable='%s':shortest=1", int(seg.Seconds()), enable)
		path := filepath.Join(dir, camera+"_"+from.Format("2006-01-02T15-04-05-0700")+".mp4")
		_, err := ffmpeg.Run("-f", "lavfi", "-i", graph, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
			"-g", "10", "-bf", "0", "-movflags", "+frag_keyframe+empty_moov+default_base_moof", "-f", "mp4", path)
		if errors.Is(err, ffmpeg.ErrNotInstalled) {
			b.Skip(err)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMotionSearchHour: an hour of one camera's recordings with three walks in it,
// its per-minute motion maps as the live analyzer keeps them (made here by analysing the
// files once, which is also what searching without the maps would cost), then a search of
// the region the walker crosses. It reports both times and checks that every walk is
// found.
func BenchmarkMotionSearchHour(b *testing.B) {
	dir := b.TempDir()
	start := time.Date(2026, 12, 2, 2, 0, 0, 0, time.Local)
	recordHour(b, filepath.Join(dir, "rec"), "Yard", start)
	cfg, err := config.Parse([]byte(fmt.Sprintf("analytics: {database: %q}\nrecording: {root: %q}\ncameras:\n"+
		"  - {name: Yard, streams: [{url: 'demo://yard'}]}\n", dir+"/events.db", dir+"/rec")))
	if err != nil {
		b.Fatal(err)
	}
	st, err := store.Open(dir+"/events.db", store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	clips, err := filepath.Glob(filepath.Join(dir, "rec", "Yard", "*", "*.mp4"))
	if err != nil || len(clips) != 4 {
		b.Fatalf("%d segments made (%v)", len(clips), err)
	}
	t0 := time.Now()
	for i, path := range clips {
		from := start.Add(time.Duration(i) * 15 * time.Minute)
		// AnalyzeFile's analyzers run on the file's own clock, from the zero time.
		heat := func(minute time.Time, h []byte) {
			if err := st.PutHeat(ctx, "Yard", from.Add(minute.Sub(time.Time{})), h); err != nil {
				b.Error(err)
			}
		}
		if _, err := analytics.AnalyzeFile(ctx, path, analytics.FileOptions{Camera: "Yard",
			Start: from, Motion: analytics.MotionOptions{Heat: heat}}); err != nil {
			b.Fatal(err)
		}
	}
	full := time.Since(t0)
	st.Close()

	pn, err := panel.Open(cfg, panel.Options{Logger: quiet, Record: true})
	if err != nil {
		b.Fatal(err)
	}
	defer pn.Close()
	region := store.Region{X0: 0.1, Y0: 0.4, X1: 0.9, Y1: 0.85}
	b.ResetTimer()
	var hits []panel.SearchHit
	for range b.N {
		hits, err = pn.MotionSearch(ctx, "Yard", region, start, start.Add(time.Hour))
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	for _, w := range hourWalks {
		found := false
		for _, h := range hits {
			found = found || h.Path != "" && h.Start.Before(start.Add(w[1])) && h.End.After(start.Add(w[0]))
		}
		if !found {
			b.Errorf("the walk at %v–%v is not among the hits %+v", w[0], w[1], hits)
		}
	}
	for _, h := range hits {
		b.Logf("moved %v–%v (peak %.3f)", h.Start.Sub(start), h.End.Sub(start), h.Peak)
	}
	b.ReportMetric(full.Seconds(), "s-analyse-hour")
	b.ReportMetric(float64(len(hits)), "hits")
}
