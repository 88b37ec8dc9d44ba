package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Ref names an event given to Begin, for its Update and End. The zero Ref is no event.
type Ref uint64

// Stats counts the writer's operations (a Begin, an Update or an End each).
type Stats struct {
	// Queued operations wait to be written now (in the queue or, for an Update or End
	// that found it full, the overflow list).
	Queued int
	// Written operations are committed.
	Written uint64
	// Dropped operations were refused because the queue was full, or belonged to an
	// event whose Begin was dropped.
	Dropped uint64
	// Failed operations were given up after the database kept refusing them.
	Failed uint64
}

type opKind uint8

const (
	opBegin opKind = iota
	opUpdate
	opEnd
	opFlush
)

// op is one queued write.
type op struct {
	kind opKind
	ref  Ref
	ev   Event         // opBegin
	peak float64       // opUpdate
	at   time.Time     // opUpdate: seen at; opEnd: the end
	snap []byte        // opUpdate, optional
	done chan struct{} // opFlush
}

// writer is the bounded asynchronous writer: one goroutine commits queued operations in
// batches, one transaction each, so analyzers never wait for the disk.
type writer struct {
	s    *Store
	q    chan op
	next atomic.Uint64

	written, dropped, failed atomic.Uint64

	ids map[Ref]int64 // open events: Ref → database id; only the run goroutine uses it

	mu       sync.Mutex
	overflow []op             // Updates and Ends that found the queue full
	lost     map[Ref]struct{} // events whose Begin was dropped

	closing chan struct{}
	done    chan struct{}
	once    sync.Once
}

func newWriter(s *Store) *writer {
	w := &writer{s: s, q: make(chan op, s.opts.Queue), ids: map[Ref]int64{}, lost: map[Ref]struct{}{},
		closing: make(chan struct{}), done: make(chan struct{})}
	go w.run()
	return w
}

// enqueue queues o without waiting. When the queue is full a Begin is dropped (and its
// Ref remembered as lost); an Update or End of an event whose Begin was queued goes to the
// overflow list instead, written once the queue has drained, so that an event begun is
// also ended after a stall of the database. Overflow holds at most Queue operations; past
// that they are dropped too.
func (w *writer) enqueue(o op) {
	select {
	case <-w.closing:
		w.dropped.Add(1)
		return
	default:
	}
	if o.kind != opBegin && w.isLost(o.ref, o.kind == opEnd) {
		w.dropped.Add(1)
		return
	}
	select {
	case w.q <- o:
		return
	default:
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case o.kind == opBegin:
		if len(w.lost) < cap(w.q) {
			w.lost[o.ref] = struct{}{}
		}
	case len(w.overflow) < cap(w.q):
		w.overflow = append(w.overflow, o)
		return
	}
	w.dropped.Add(1)
}

// isLost reports whether ref's Begin was dropped, forgetting it at its End.
func (w *writer) isLost(ref Ref, end bool) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	_, lost := w.lost[ref]
	if lost && end {
		delete(w.lost, ref)
	}
	return lost
}

// takeOverflow appends the overflow list to batch and empties it. The writer calls it only
// once the queue is empty: every operation queued before an overflowed one (its event's
// Begin among them) has then been taken.
func (w *writer) takeOverflow(batch []op) []op {
	w.mu.Lock()
	defer w.mu.Unlock()
	batch = append(batch, w.overflow...)
	w.overflow = w.overflow[:0]
	return batch
}

// Begin queues a new event and returns its Ref at once, without waiting for the database.
// An event with End already set is stored complete. When the queue is full the event is
// dropped, counted, and its later Update and End are dropped too.
func (s *Store) Begin(e Event) Ref {
	ref := Ref(s.w.next.Add(1))
	normalise(&e)
	if e.Last.IsZero() {
		e.Last = e.Start
	}
	s.w.enqueue(op{kind: opBegin, ref: ref, ev: e})
	return ref
}

// Update queues a new score of an open event seen at `at`: its peak becomes the larger of
// the two, its Last becomes at, and a non-nil snapshot replaces the stored one.
func (s *Store) Update(ref Ref, score float64, at time.Time, snapshot []byte) {
	if len(snapshot) > MaxSnapshotBytes {
		snapshot = nil
	}
	e := Event{Peak: score}
	normalise(&e)
	s.w.enqueue(op{kind: opUpdate, ref: ref, peak: e.Peak, at: at, snap: snapshot})
}

// End queues the end of an event.
func (s *Store) End(ref Ref, end time.Time) {
	s.w.enqueue(op{kind: opEnd, ref: ref, at: end})
}

// Flush waits until everything queued before it is committed (or given up), or ctx ends.
// Unlike Begin it may wait: it is for tests, tools and shutdown, not for analyzers.
func (s *Store) Flush(ctx context.Context) error {
	o := op{kind: opFlush, done: make(chan struct{})}
	select {
	case <-s.w.closing:
		return fmt.Errorf("the event store is closed")
	default:
	}
	select {
	case s.w.q <- o:
	case <-s.w.closing:
		return fmt.Errorf("the event store is closed")
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-o.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stats returns the writer's counters.
func (s *Store) Stats() Stats {
	s.w.mu.Lock()
	queued := len(s.w.q) + len(s.w.overflow)
	s.w.mu.Unlock()
	return Stats{Queued: queued, Written: s.w.written.Load(), Dropped: s.w.dropped.Load(), Failed: s.w.failed.Load()}
}

// close stops taking operations, writes what is queued and waits for the goroutine.
func (w *writer) close() {
	w.once.Do(func() { close(w.closing) })
	<-w.done
	// A call racing with Close may have queued after the drain: count it, release a Flush.
	for {
		select {
		case o := <-w.q:
			if o.kind == opFlush {
				close(o.done)
			} else {
				w.dropped.Add(1)
			}
		default:
			w.mu.Lock()
			w.dropped.Add(uint64(len(w.overflow)))
			w.overflow = nil
			w.mu.Unlock()
			return
		}
	}
}

func (w *writer) run() {
	defer close(w.done)
	batch := make([]op, 0, w.s.opts.Batch)
	for {
		select {
		case o := <-w.q:
			w.commit(w.fill(append(batch[:0], o)))
		case <-w.closing:
			// Drain: everything queued before Close is written.
			for {
				batch = w.fill(batch[:0])
				if len(batch) == 0 {
					return
				}
				w.commit(batch)
			}
		}
	}
}

// fill adds what is queued to batch, up to its capacity, without waiting; when the queue
// runs dry first, the overflow list follows.
func (w *writer) fill(batch []op) []op {
	for len(batch) < cap(batch) {
		select {
		case o := <-w.q:
			batch = append(batch, o)
		default:
			return w.takeOverflow(batch)
		}
	}
	return batch
}

// commit writes a batch in one transaction, retrying with a growing pause while the
// database refuses (a lock held too long, a server away). While it retries the queue fills
// and new operations are dropped, which is the point: analyzers never wait. Once closing,
// a batch gets three more tries and is then given up (counted as Failed).
func (w *writer) commit(batch []op) {
	pause := 100 * time.Millisecond
	tries := 0
	for {
		n, err := w.apply(batch)
		if err == nil {
			w.written.Add(uint64(n))
			break
		}
		tries++
		if tries == 1 {
			w.s.log.Warn("cannot write events; retrying", "db", w.s.name, "err", w.s.explain("write to", err), "ops", len(batch))
		}
		closing := false
		select {
		case <-w.closing:
			closing = true
		default:
		}
		if closing && tries >= 3 {
			for _, o := range batch {
				if o.kind != opFlush {
					w.failed.Add(1)
				}
			}
			w.s.log.Warn("gave up writing events", "db", w.s.name, "ops", len(batch))
			break
		}
		t := time.NewTimer(pause)
		select {
		case <-t.C:
		case <-w.closing:
			t.Stop()
		}
		pause = min(2*pause, 5*time.Second)
	}
	for _, o := range batch {
		if o.kind == opFlush {
			close(o.done)
		}
	}
}

// apply runs one transaction of the batch and returns how many operations it wrote.
// Operations of an unknown Ref (its Begin was dropped) are counted as dropped. The Ref→id
// map changes only once the transaction is committed, so a retry starts from the same state.
func (w *writer) apply(batch []op) (int, error) {
	ctx := context.Background()
	tx, err := w.s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	added := map[Ref]int64{}
	var ended []Ref
	written, orphans := 0, 0
	d := w.s.d
	for _, o := range batch {
		if o.kind == opFlush {
			continue
		}
		id, ok := added[o.ref]
		if !ok {
			id, ok = w.ids[o.ref]
		}
		switch o.kind {
		case opBegin:
			id, err = insert(ctx, tx, d, o.ev)
			if err != nil {
				return 0, err
			}
			if o.ev.End.IsZero() {
				added[o.ref] = id
			}
		case opUpdate:
			if !ok {
				orphans++
				continue
			}
			if _, err := tx.ExecContext(ctx, d.q(`UPDATE events SET peak = {greatest}(peak, ?), last_us = {greatest}(last_us, ?) WHERE id = ?`),
				o.peak, micros(o.at), id); err != nil {
				return 0, err
			}
			if o.snap != nil {
				if err := putSnapshot(ctx, tx, d, id, o.snap); err != nil {
					return 0, err
				}
			}
		case opEnd:
			if !ok {
				orphans++
				continue
			}
			if _, err := tx.ExecContext(ctx, d.q(`UPDATE events SET end_us = ?, last_us = {greatest}(last_us, ?) WHERE id = ?`),
				micros(o.at), micros(o.at), id); err != nil {
				return 0, err
			}
			ended = append(ended, o.ref)
		}
		written++
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	for ref, id := range added {
		w.ids[ref] = id
	}
	for _, ref := range ended {
		delete(w.ids, ref)
	}
	w.dropped.Add(uint64(orphans))
	return written, nil
}

// execer is a *sql.DB or a *sql.Tx.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// insert stores a normalised event and its snapshot and returns its id.
func insert(ctx context.Context, x execer, d dialect, e Event) (int64, error) {
	var id int64
	err := x.QueryRowContext(ctx, d.q(`INSERT INTO events (camera, kind, zone, start_us, end_us, last_us, peak, labels, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		e.Camera, e.Kind, e.Zone, micros(e.Start), micros(e.End), micros(e.Last), e.Peak, e.Labels, e.Detail).Scan(&id)
	if err != nil {
		return 0, err
	}
	if e.Snapshot != nil {
		if err := putSnapshot(ctx, x, d, id, e.Snapshot); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// putSnapshot stores or replaces an event's snapshot and records its size on the event.
func putSnapshot(ctx context.Context, x execer, d dialect, id int64, jpeg []byte) error {
	if _, err := x.ExecContext(ctx, d.q(`INSERT INTO snapshots (event_id, jpeg) VALUES (?, ?)
		ON CONFLICT (event_id) DO UPDATE SET jpeg = excluded.jpeg`), id, jpeg); err != nil {
		return err
	}
	_, err := x.ExecContext(ctx, d.q(`UPDATE events SET snapshot_bytes = ? WHERE id = ?`), len(jpeg), id)
	return err
}
