package logfile

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestRotatesAndKeepsOldFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "logs", "vigil.log")
	r, err := Open(path, 100, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		if _, err := fmt.Fprintf(r, "line %02d %s\n", i, strings.Repeat("x", 30)); err != nil { // 41 bytes
			t.Fatal(err)
		}
	}
	r.Close()
	// 10 lines of 41 bytes, at most 2 per 100-byte file: the newest 2 + 2 + 2 survive.
	cur, _ := os.ReadFile(path)
	one, _ := os.ReadFile(path + ".1")
	two, _ := os.ReadFile(path + ".2")
	if !strings.HasPrefix(string(cur), "line 08") || !strings.HasPrefix(string(one), "line 06") || !strings.HasPrefix(string(two), "line 04") {
		t.Fatalf("files:\n%s---\n%s---\n%s", cur, one, two)
	}
	if _, err := os.Stat(path + ".3"); !os.IsNotExist(err) {
		t.Fatal("kept more than 2 old files")
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v: logs may name cameras and hosts", st.Mode().Perm())
	}
}

func TestAppendsAcrossOpensAndWritesWholeLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vigil.log")
	r, _ := Open(path, 1<<20, 1)
	fmt.Fprintln(r, "first run")
	r.Close()
	r, _ = Open(path, 1<<20, 1)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				fmt.Fprintf(r, "g%d i%02d %s\n", g, i, strings.Repeat("y", 20))
			}
		}(g)
	}
	wg.Wait()
	r.Close()
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if lines[0] != "first run" || len(lines) != 401 {
		t.Fatalf("%d lines, first %q", len(lines), lines[0])
	}
	for _, l := range lines[1:] {
		if len(l) != 27 {
			t.Fatalf("torn line %q", l)
		}
	}
	if _, err := r.Write([]byte("x")); err == nil {
		t.Fatal("write after close succeeded")
	}
}
