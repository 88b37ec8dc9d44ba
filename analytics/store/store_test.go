package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/vigil-cctv/vigil/capture"
)

// t0 is a fixed moment the tests' events happen around.
var t0 = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)

func TestStoreEventLifecycle(t *testing.T) {
	forEachStore(t, Options{}, func(t *testing.T, s *Store) {
		snap1, snap2 := []byte("\xff\xd8first\xff\xd9"), []byte("\xff\xd8second\xff\xd9")
		ref := s.Begin(Event{Camera: "Gate", Kind: KindMotion, Zone: "drive", Start: t0, Peak: 0.2, Snapshot: snap1})
		s.Update(ref, 0.9, t0.Add(2*time.Second), snap2)
		s.Update(ref, 0.5, t0.Add(3*time.Second), nil) // a lower score keeps the peak
		flush(t, s)
		evs := query(t, s, Filter{})
		if len(evs) != 1 || !evs[0].Open() || evs[0].Peak != 0.9 || !evs[0].Last.Equal(t0.Add(3*time.Second)) {
			t.Fatalf("open event = %+v", evs)
		}
		s.End(ref, t0.Add(4*time.Second+1500*time.Microsecond))
		flush(t, s)
		e := query(t, s, Filter{})[0]
		want := Event{ID: e.ID, Camera: "Gate", Kind: KindMotion, Zone: "drive", Start: t0, End: t0.Add(4*time.Second + 1500*time.Microsecond),
			Last: t0.Add(4*time.Second + 1500*time.Microsecond), Peak: 0.9, SnapshotBytes: int64(len(snap2))}
		if fmt.Sprint(e) != fmt.Sprint(want) {
			t.Fatalf("event\n got %+v\nwant %+v", e, want)
		}
		got, err := s.Snapshot(context.Background(), e.ID)
		if err != nil || !bytes.Equal(got, snap2) {
			t.Fatalf("snapshot = %q, %v", got, err)
		}
		if _, err := s.Snapshot(context.Background(), e.ID+1000); !errors.Is(err, capture.ErrNotFound) {
			t.Fatalf("missing snapshot: %v", err)
		}
		if st := s.Stats(); st.Written != 4 || st.Dropped != 0 || st.Failed != 0 || st.Queued != 0 {
			t.Fatalf("stats %+v", st)
		}
	})
}

// fill inserts events of 3 cameras, 2 kinds and 2 zones, one every 10 minutes for 6 hours
// from t0, and returns them as stored.
func fill(t *testing.T, s *Store) []Event {
	t.Helper()
	var all []Event
	for i := range 36 {
		e := Event{
			Camera: []string{"Gate", "Yard", "Hall"}[i%3],
			Kind:   []string{KindMotion, "person"}[i%2],
			Zone:   []string{"", "door"}[i/2%2],
			Start:  t0.Add(time.Duration(i) * 10 * time.Minute),
			Peak:   float64(i) / 36,
		}
		e.End = e.Start.Add(30 * time.Second)
		id, err := s.Insert(context.Background(), e)
		if err != nil {
			t.Fatal(err)
		}
		e.ID, e.Last = id, e.Start
		all = append(all, e)
	}
	return all
}

func TestStoreQueryFilters(t *testing.T) {
	forEachStore(t, Options{}, func(t *testing.T, s *Store) {
		all := fill(t, s)
		match := func(keep func(e Event) bool) []int64 {
			var ids []int64
			for _, e := range slices.Backward(all) {
				if keep(e) {
					ids = append(ids, e.ID)
				}
			}
			return ids
		}
		for _, tc := range []struct {
			name string
			f    Filter
			keep func(e Event) bool
		}{
			{"all", Filter{}, func(Event) bool { return true }},
			{"camera", Filter{Camera: "Yard"}, func(e Event) bool { return e.Camera == "Yard" }},
			{"kind", Filter{Kind: "person"}, func(e Event) bool { return e.Kind == "person" }},
			{"zone", Filter{Zone: "door"}, func(e Event) bool { return e.Zone == "door" }},
			{"camera kind zone", Filter{Camera: "Gate", Kind: KindMotion, Zone: "door"}, func(e Event) bool {
				return e.Camera == "Gate" && e.Kind == KindMotion && e.Zone == "door"
			}},
			{"since until", Filter{Since: t0.Add(time.Hour), Until: t0.Add(2 * time.Hour)}, func(e Event) bool {
				return !e.Start.Before(t0.Add(time.Hour)) && e.Start.Before(t0.Add(2*time.Hour))
			}},
			{"nothing", Filter{Camera: "Nowhere"}, func(Event) bool { return false }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got := idsOf(query(t, s, tc.f))
				if want := match(tc.keep); !slices.Equal(got, want) {
					t.Fatalf("ids %v, want %v", got, want)
				}
			})
		}
		limited := query(t, s, Filter{Limit: 5})
		if got, want := idsOf(limited), match(func(Event) bool { return true })[:5]; !slices.Equal(got, want) {
			t.Fatalf("limit 5: %v, want the newest %v", got, want)
		}
		if e := limited[0]; fmt.Sprint(e) != fmt.Sprint(all[35]) {
			t.Fatalf("newest\n got %+v\nwant %+v", e, all[35])
		}
	})
}

func TestStoreCountsByHour(t *testing.T) {
	forEachStore(t, Options{}, func(t *testing.T, s *Store) {
		fill(t, s) // 6 events an hour, 2 per camera
		counts, err := s.CountsByHour(context.Background(), "", "", t0, t0.Add(3*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		var want []HourCount
		for h := range 3 {
			for _, cam := range []string{"Gate", "Hall", "Yard"} {
				want = append(want, HourCount{Camera: cam, Hour: t0.Add(time.Duration(h) * time.Hour), Count: 2})
			}
		}
		if fmt.Sprint(counts) != fmt.Sprint(want) {
			t.Fatalf("counts\n got %v\nwant %v", counts, want)
		}
		counts, err = s.CountsByHour(context.Background(), "Gate", "person", t0, t0.Add(6*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, c := range counts {
			if c.Camera != "Gate" {
				t.Fatalf("camera filter let %v through", c)
			}
			total += c.Count
		}
		if total != 6 { // i%3==0 and i%2==1: i = 3, 9, 15, 21, 27, 33
			t.Fatalf("Gate person events: %d in %v", total, counts)
		}
	})
}

func TestStoreRetention(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := openStore(t, dsn, Options{})
		all := fill(t, s)
		// By age: "now" is 3 h after t0 and events older than 1 h go.
		aged := openStore(t, dsn, Options{MaxAgeDays: 1.0 / 24, now: func() time.Time { return t0.Add(3 * time.Hour) }})
		left := idsOf(query(t, aged, Filter{}))
		if len(left) != 24 || left[len(left)-1] != all[12].ID {
			t.Fatalf("after age retention %d events, oldest %d; want 24, oldest %d", len(left), left[len(left)-1], all[12].ID)
		}
		// By size: snapshots of 100 kB on the 5 newest, a cap of 0.25 MB keeps the newest 2.
		for _, e := range all[31:] {
			ref := s.Begin(Event{Camera: e.Camera, Kind: e.Kind, Start: e.Start.Add(time.Second)})
			s.Update(ref, 0.5, e.Start.Add(2*time.Second), bytes.Repeat([]byte{0xAB}, 100_000))
			s.End(ref, e.Start.Add(3*time.Second))
		}
		flush(t, s)
		sized := openStore(t, dsn, Options{MaxSizeMB: 0.25})
		evs := query(t, sized, Filter{})
		size, err := sized.Size(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		snaps := 0
		for _, e := range evs {
			if e.SnapshotBytes == 100_000 {
				snaps++
			}
		}
		// Newest first: the two newest snapshot events and the plain events between them
		// fit; the third snapshot would not.
		if size > 0.25*(1<<20) || snaps != 2 || evs[0].SnapshotBytes != 100_000 || len(evs) > 5 {
			t.Fatalf("after size retention: %d bytes, %d events, %d with snapshots", size, len(evs), snaps)
		}
		// The deleted events' snapshots went with them.
		var orphans int
		if err := s.db.QueryRow(`SELECT COUNT(*) FROM snapshots WHERE event_id NOT IN (SELECT id FROM events)`).Scan(&orphans); err != nil || orphans != 0 {
			t.Fatalf("%d orphan snapshots (%v)", orphans, err)
		}
	})
}

func TestStoreRetentionRunsPeriodically(t *testing.T) {
	now := t0.Add(48 * time.Hour)
	s := openStore(t, backends[0].dsn(t), Options{MaxAgeDays: 1, RetentionEvery: 20 * time.Millisecond, now: func() time.Time { return now }})
	old, err := s.Insert(context.Background(), Event{Camera: "c", Kind: KindMotion, Start: t0})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Insert(context.Background(), Event{Camera: "c", Kind: KindMotion, Start: now.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		evs := query(t, s, Filter{})
		if len(evs) == 1 && evs[0].ID != old {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the 2-day-old event is still there: %+v", evs)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestStoreConcurrentOpenMigratesOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() {
				s, err := Open(dsn, Options{})
				if err == nil {
					_, err = s.Insert(context.Background(), Event{Camera: "c", Kind: KindMotion, Start: t0})
					s.Close()
				}
				errs[i] = err
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		s := openStore(t, dsn, Options{})
		var rows, version int
		if err := s.db.QueryRow(`SELECT COUNT(*), MAX(version) FROM schema_version`).Scan(&rows, &version); err != nil {
			t.Fatal(err)
		}
		if rows != SchemaVersion() || version != SchemaVersion() {
			t.Fatalf("schema_version: %d rows, version %d; want %d", rows, version, SchemaVersion())
		}
		if n := len(query(t, s, Filter{})); n != 4 {
			t.Fatalf("%d events, want 4", n)
		}
	})
}

func TestStoreRefusesNewerSchema(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := openStore(t, dsn, Options{})
		if _, err := s.db.Exec(s.d.q(`INSERT INTO schema_version (version) VALUES (?)`), SchemaVersion()+1); err != nil {
			t.Fatal(err)
		}
		s.Close()
		_, err := Open(dsn, Options{})
		if err == nil || !strings.Contains(err.Error(), "newer than this Vigil knows") {
			t.Fatalf("open of a newer schema: %v", err)
		}
	})
}

func TestStoreClipsWhatItStores(t *testing.T) {
	forEachStore(t, Options{}, func(t *testing.T, s *Store) {
		long := strings.Repeat("é", MaxNameBytes) // 2 bytes each
		ref := s.Begin(Event{Camera: long, Kind: "mo\x00tion\xff", Zone: "z", Start: t0, Peak: 7,
			Detail: strings.Repeat("x", 2*MaxDetailBytes), Snapshot: make([]byte, MaxSnapshotBytes+1)})
		s.End(ref, t0.Add(time.Second))
		flush(t, s)
		e := query(t, s, Filter{})[0]
		if len(e.Camera) > MaxNameBytes || !utf8.ValidString(e.Camera) || e.Kind != "motion\uFFFD" ||
			len(e.Detail) != MaxDetailBytes || e.Peak != 1 || e.SnapshotBytes != 0 {
			t.Fatalf("stored %q %q %d bytes of detail, peak %v, snapshot %d", e.Camera, e.Kind, len(e.Detail), e.Peak, e.SnapshotBytes)
		}
	})
}

// TestWriterDropsWhileTheDatabaseIsBlocked holds the database's write lock from another
// connection: analyzers' calls keep returning at once, what does not fit the queue is
// dropped and counted, and what was queued is written once the lock goes.
func TestWriterDropsWhileTheDatabaseIsBlocked(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := openStore(t, dsn, Options{Queue: 16, Batch: 4, BusyTimeout: 100 * time.Millisecond})
		unblock := blockWrites(t, s, dsn)
		const n = 200
		began := time.Now()
		for i := range n {
			s.Begin(Event{Camera: "c", Kind: KindMotion, Start: t0.Add(time.Duration(i) * time.Second), End: t0.Add(time.Duration(i)*time.Second + 1)})
		}
		if d := time.Since(began); d > time.Second {
			t.Errorf("%d Begin calls took %v against a blocked database", n, d)
		}
		st := s.Stats()
		if st.Dropped < n-16-4-1 {
			t.Fatalf("blocked: %+v; want at least %d dropped", st, n-16-4-1)
		}
		time.Sleep(300 * time.Millisecond) // a few failed tries (SQLite) or a wait (PostgreSQL)
		unblock()
		flush(t, s)
		st = s.Stats()
		if st.Written+st.Dropped != n || st.Failed != 0 || st.Queued != 0 {
			t.Fatalf("after the lock went: %+v, want written+dropped = %d", st, n)
		}
		if got := len(query(t, s, Filter{Limit: MaxQueryLimit})); uint64(got) != st.Written {
			t.Fatalf("%d events stored, %d written", got, st.Written)
		}
	})
}

// TestWriterEndsEventsBegunBeforeAStall: events begun before the database stalled are
// ended after it, although their Ends found the queue full.
func TestWriterEndsEventsBegunBeforeAStall(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := openStore(t, dsn, Options{Queue: 16, Batch: 4, BusyTimeout: 100 * time.Millisecond})
		var refs []Ref
		for i := range 8 { // an Update and an End each: the overflow list holds Queue (16)
			refs = append(refs, s.Begin(Event{Camera: "open", Kind: KindMotion, Start: t0.Add(time.Duration(i) * time.Second)}))
		}
		flush(t, s)
		unblock := blockWrites(t, s, dsn)
		for i := range 100 { // fill the queue with other events, most of them dropped
			s.Begin(Event{Camera: "other", Kind: KindMotion, Start: t0.Add(time.Duration(i) * time.Second), End: t0.Add(time.Duration(i)*time.Second + 1)})
		}
		for i, ref := range refs {
			s.Update(ref, 0.8, t0.Add(time.Duration(i)*time.Second+time.Millisecond), nil)
			s.End(ref, t0.Add(time.Duration(i)*time.Second+2*time.Millisecond))
		}
		if st := s.Stats(); st.Queued != 16+16 || st.Dropped == 0 {
			t.Fatalf("blocked: %+v; want the queue full and 16 operations in overflow", st)
		}
		unblock()
		flush(t, s)
		evs := query(t, s, Filter{Camera: "open"})
		for _, e := range evs {
			if e.Open() || e.Peak != 0.8 {
				t.Fatalf("event begun before the stall: %+v", e)
			}
		}
		if st := s.Stats(); len(evs) != 8 || st.Queued != 0 || st.Failed != 0 {
			t.Fatalf("%d events, stats %+v", len(evs), st)
		}
	})
}

// blockWrites holds the database's write lock (SQLite) or an exclusive lock on events
// (PostgreSQL) from another connection until the returned function is called.
func blockWrites(t *testing.T, s *Store, dsn string) func() {
	t.Helper()
	var blocker *sql.DB
	var err error
	if s.d.name == "sqlite" {
		blocker, err = sql.Open("sqlite", sqliteDSN(dsn, time.Second))
	} else {
		blocker, err = sql.Open("pgx", dsn)
	}
	if err != nil {
		t.Fatal(err)
	}
	tx, err := blocker.Begin()
	if err != nil {
		t.Fatal(err)
	}
	lock := `DELETE FROM events WHERE id < 0` // takes SQLite's write lock
	if s.d.name == "postgres" {
		lock = `LOCK TABLE events IN EXCLUSIVE MODE`
	}
	if _, err := tx.Exec(lock); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	unblock := func() {
		once.Do(func() {
			if err := tx.Rollback(); err != nil {
				t.Error(err)
			}
			blocker.Close()
		})
	}
	t.Cleanup(unblock)
	return unblock
}

func TestWriterDropsUpdatesOfADroppedEvent(t *testing.T) {
	s := openStore(t, backends[0].dsn(t), Options{})
	s.w.close() // a closed writer drops everything, like a full queue
	ref := s.Begin(Event{Camera: "c", Kind: KindMotion, Start: t0})
	s.Update(ref, 1, t0, nil)
	s.End(ref, t0)
	if st := s.Stats(); st.Dropped != 3 || st.Written != 0 {
		t.Fatalf("stats %+v", st)
	}
	if err := s.Flush(context.Background()); err == nil {
		t.Fatal("Flush of a closed store did not fail")
	}
}

func TestCheckDSN(t *testing.T) {
	for _, tc := range []struct{ dsn, want string }{
		{"/var/lib/vigil/events.db", ""},
		{"postgres://vigil@db:5432/events", ""},
		{"postgresql://vigil:pw@db/events?sslmode=require", ""},
		{"", "empty"},
		{"events.db", "absolute"},
		{"/tmp/e.db?mode=ro", `"?"`},
		{"mysql://db/events", "unsupported"},
		{"/tmp/a\x00b", "NUL"},
	} {
		if got := CheckDSN(tc.dsn); (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("CheckDSN(%q) = %q, want %q", tc.dsn, got, tc.want)
		}
	}
}

func TestOpenErrorsNeverShowThePassword(t *testing.T) {
	_, err := Open(fmt.Sprintf("postgres://vigil:s3cr3t@127.0.0.1:%d/events?sslmode=disable&connect_timeout=2", freePort()), Options{})
	if err == nil || strings.Contains(err.Error(), "s3cr3t") || !strings.Contains(err.Error(), "refused: nothing listens on that port") {
		t.Fatalf("open of a closed port: %v", err)
	}
	path := t.TempDir() + "/new/events.db"
	s := openStore(t, path, Options{})
	if _, err := s.Insert(context.Background(), Event{Camera: "c", Kind: KindMotion, Start: t0}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal"} {
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v; want mode 0600", f, err)
		}
	}
	s.Close()
	_, err = Open(t.TempDir()+"/missing.db", Options{MustExist: true})
	if !errors.Is(err, capture.ErrNotFound) {
		t.Fatalf("MustExist: %v", err)
	}
}

func TestPostgresLoginRefusedIsUnauthorized(t *testing.T) {
	dsn := pgDatabase(t)
	// The test server trusts every role it has, so log in as one it does not have.
	bad := strings.Replace(dsn, "vigil@", "nobody:wrong@", 1)
	_, err := Open(bad, Options{})
	if !errors.Is(err, capture.ErrUnauthorized) || strings.Contains(err.Error(), "wrong") {
		t.Fatalf("open as an unknown role: %v", err)
	}
}

func flush(t *testing.T, s *Store) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

func query(t *testing.T, s *Store, f Filter) []Event {
	t.Helper()
	evs, err := s.Query(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func idsOf(evs []Event) []int64 {
	var ids []int64
	for _, e := range evs {
		ids = append(ids, e.ID)
	}
	return ids
}

// TestWriterManyAnalyzersThenClose: 16 cameras' analyzers write at once; Close writes what
// is queued, and every operation is either written or counted as dropped.
func TestWriterManyAnalyzersThenClose(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		s, err := Open(dsn, Options{Queue: 256})
		if err != nil {
			t.Fatal(err)
		}
		const cams, events = 16, 50
		var wg sync.WaitGroup
		for c := range cams {
			wg.Go(func() {
				for i := range events {
					start := t0.Add(time.Duration(i) * time.Second)
					ref := s.Begin(Event{Camera: fmt.Sprint("cam", c), Kind: KindMotion, Start: start})
					s.Update(ref, float64(i)/events, start.Add(100*time.Millisecond), nil)
					s.End(ref, start.Add(200*time.Millisecond))
				}
			})
		}
		wg.Wait()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		st := s.Stats()
		if st.Written+st.Dropped != 3*cams*events || st.Failed != 0 || st.Queued != 0 {
			t.Fatalf("stats %+v, want written+dropped = %d", st, 3*cams*events)
		}
		r := openStore(t, dsn, Options{})
		evs := query(t, r, Filter{Limit: MaxQueryLimit})
		if len(evs) == 0 || len(evs) > cams*events {
			t.Fatalf("%d events stored", len(evs))
		}
		t.Logf("%d events stored, stats %+v", len(evs), st)
	})
}

// isBusy knows SQLite's "locked" answer, which Open waits out, from other errors.
func TestIsBusy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "busy.db")
	a, err := sql.Open("sqlite", sqliteDSN(path, 0))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := sql.Open("sqlite", sqliteDSN(path, 0))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := a.Exec(`CREATE TABLE t (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	tx, err := a.Begin() // immediate: holds the write lock
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`INSERT INTO t VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	_, err = b.Exec(`INSERT INTO t VALUES (2)`)
	if !isBusy(err) {
		t.Fatalf("a second writer without a busy timeout: %v, not SQLITE_BUSY", err)
	}
	if isBusy(errors.New("database is locked")) || isBusy(nil) {
		t.Error("isBusy takes the text or nil for SQLITE_BUSY")
	}
}
