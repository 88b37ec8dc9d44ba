package store

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture/capturetest"
)

// crashChildEnv names the database the test binary, re-executed as a child, writes to
// until it is killed.
const crashChildEnv = "VIGIL_STORE_CRASH_CHILD"

// crashChild writes events through the writer in a loop, each begun, updated with a
// snapshot and ended, and after every flush prints "committed N": events 0…N are in the
// database. It never returns; the parent kills it.
func crashChild() {
	s, err := Open(os.Getenv(crashChildEnv), Options{})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	snap := make([]byte, 20_000)
	for i := 0; ; i++ {
		start := t0.Add(time.Duration(i) * time.Second)
		ref := s.Begin(Event{Camera: "cam" + strconv.Itoa(i%16), Kind: KindMotion, Start: start, Detail: strconv.Itoa(i)})
		s.Update(ref, 0.5, start.Add(500*time.Millisecond), snap)
		s.End(ref, start.Add(time.Second))
		if i%8 == 7 {
			if err := s.Flush(context.Background()); err != nil {
				fmt.Println("error", err)
				os.Exit(1)
			}
			fmt.Println("committed", i)
		}
	}
}

// TestStoreSurvivesKill9 kills a writing child with SIGKILL mid-stream and checks that
// every event it reported committed is there, complete, and that SQLite finds the file
// intact.
func TestStoreSurvivesKill9(t *testing.T) {
	for round := range 3 {
		t.Run(strconv.Itoa(round), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "events.db")
			cmd, out := capturetest.StartChild(t, crashChildEnv, path)
			// Kill after a different number of events each round, at no chosen moment
			// of the writer's work.
			target := 200 + 150*round
			committed := -1
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				line := sc.Text()
				if n, ok := strings.CutPrefix(line, "committed "); ok {
					committed, _ = strconv.Atoi(n)
				} else {
					cmd.Process.Kill()
					cmd.Wait()
					t.Fatalf("child: %s", line)
				}
				if committed >= target {
					break
				}
			}
			time.Sleep(time.Duration(round) * 2 * time.Millisecond) // mid-batch, not just after a flush
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()
			if committed < 0 {
				t.Fatal("the child reported nothing committed")
			}

			s := openStore(t, path, Options{})
			var check string
			if err := s.db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
				t.Fatalf("integrity_check: %q, %v", check, err)
			}
			evs := query(t, s, Filter{Limit: MaxQueryLimit})
			seen := map[int]Event{}
			for _, e := range evs {
				n, _ := strconv.Atoi(e.Detail)
				seen[n] = e
			}
			for i := 0; i <= committed; i++ {
				e, ok := seen[i]
				if !ok || e.Open() || e.SnapshotBytes != 20_000 || e.Peak != 0.5 {
					t.Fatalf("event %d of %d reported committed: %+v (found %v)", i, committed, e, ok)
				}
			}
			t.Logf("killed after %d committed events; %d in the database", committed+1, len(evs))
			// The reopened store goes on writing.
			if _, err := s.Insert(context.Background(), Event{Camera: "after", Kind: KindMotion, Start: t0}); err != nil {
				t.Fatal(err)
			}
		})
	}
}
