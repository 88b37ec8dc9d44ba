// Package store is Vigil's analytics event store: what the analyzers saw (a camera, a kind
// such as "motion" or "person", a zone, when it started and ended, its peak score and a
// snapshot), kept in an embedded SQLite database by default or, for a control room whose
// desks share one history, in a PostgreSQL server. Both hold the same schema, created and
// migrated in numbered steps at Open.
//
// Analyzers write through a bounded asynchronous writer (Begin, Update, End): they never
// wait for the disk; when the queue is full an operation is dropped and counted (Stats),
// like the Hub drops packets from a slow consumer. Readers (the events pane, dashboards,
// `vigil events`) query directly. Retention deletes the oldest events by age and by size.
//
// Times are stored as integer microseconds since 1970 UTC on both backends (BIGINT), not
// as PostgreSQL timestamptz: one schema and one set of queries serve both, range filters
// and hourly buckets are integer arithmetic that both databases index and evaluate the same
// way, nothing depends on a driver's time-zone or text-format handling (modernc's SQLite
// driver writes time.Time as text), and microseconds are what timestamptz keeps anyway.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	sqlitedrv "modernc.org/sqlite"     // database/sql driver "sqlite"; its Error for SQLITE_BUSY

	"github.com/vigil-cctv/vigil/capture"
)

// Event is one thing an analyzer saw on a camera, from Start to End.
type Event struct {
	// ID is the database's number for the event, set by the store.
	ID int64
	// Camera is the camera's name.
	Camera string
	// Kind is what was seen: "motion", "face", "person", "plate", … (KindMotion).
	Kind string
	// Zone is the zone of the camera it was seen in; "" for the whole picture.
	Zone string
	// Start is when it began.
	Start time.Time
	// End is when it ended; zero while the event is open.
	End time.Time
	// Last is the latest moment the event was seen (an Update); Start until then. For an
	// event left open by a crash it is the best guess of its end.
	Last time.Time
	// Peak is the highest score seen, 0…1.
	Peak float64
	// Labels is an analyzer's comma-separated labels ("person,bicycle"), optional.
	Labels string
	// Detail is free text from the analyzer (a plate's characters, a model's name), optional.
	Detail string
	// Snapshot is a JPEG of the moment, or nil. Query leaves it nil (see SnapshotBytes and
	// Store.Snapshot); Begin and Update store it.
	Snapshot []byte
	// SnapshotBytes is the size of the stored snapshot, 0 when there is none.
	SnapshotBytes int64
}

// Open reports whether the event has not ended yet.
func (e Event) Open() bool { return e.End.IsZero() }

// KindMotion is the kind of the built-in motion detector's events.
const KindMotion = "motion"

// Limits on what one event holds: longer text is cut (at a character boundary), a larger
// snapshot is not stored.
const (
	MaxNameBytes     = 256     // Camera and Zone
	MaxKindBytes     = 64      // Kind
	MaxLabelsBytes   = 1024    // Labels
	MaxDetailBytes   = 4096    // Detail
	MaxSnapshotBytes = 4 << 20 // Snapshot
	// MaxQueryLimit is the most events one Query returns.
	MaxQueryLimit = 100000
	// DefaultQueryLimit is what a Query with Limit 0 returns at most.
	DefaultQueryLimit = 1000
)

// Defaults of Options.
const (
	DefaultQueue          = 4096
	DefaultBatch          = 256
	DefaultBusyTimeout    = 5 * time.Second
	DefaultRetentionEvery = time.Hour
)

// Options tune a Store. The zero value is usable.
type Options struct {
	// MaxAgeDays deletes events that started longer ago than this. 0 keeps them.
	MaxAgeDays float64
	// MaxSizeMB deletes the oldest events while the events and their snapshots take more
	// than this (estimated as the snapshots' sizes plus RowBytes per event, the same on
	// both backends). 0 means no cap.
	MaxSizeMB float64
	// RetentionEvery is how often retention runs after the run at Open. It defaults to an
	// hour; it runs only when MaxAgeDays or MaxSizeMB is set.
	RetentionEvery time.Duration
	// Queue is how many write operations wait at most; more are dropped and counted. It
	// defaults to 4096.
	Queue int
	// Batch is how many operations one transaction commits at most. It defaults to 256.
	Batch int
	// BusyTimeout is how long SQLite waits for another writer's lock. It defaults to 5 s.
	BusyTimeout time.Duration
	// MustExist refuses to create a SQLite file that is not there (for readers such as
	// `vigil events`); the error wraps capture.ErrNotFound.
	MustExist bool
	// Log receives warnings (a failing write, retention). It defaults to discarding them.
	Log *slog.Logger

	// now is the clock, for tests.
	now func() time.Time
}

// openTimeout bounds Open's connection, migration and first retention.
const openTimeout = 30 * time.Second

// RowBytes is what one event counts for towards MaxSizeMB besides its snapshot: its row and
// index entries, roughly.
const RowBytes = 256

// Store is an open event database with its writer.
type Store struct {
	db   *sql.DB
	d    dialect
	opts Options
	log  *slog.Logger
	name string // the database for messages: a path or a redacted URL

	w *writer

	stopRetention context.CancelFunc
	retentionDone chan struct{}
	closeOnce     sync.Once
	closeErr      error
}

// IsPostgres reports whether dsn names a PostgreSQL server (postgres:// or postgresql://)
// rather than a SQLite file.
func IsPostgres(dsn string) bool {
	l := strings.ToLower(dsn)
	return strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://")
}

// CheckDSN says what is wrong with a database setting, or "" when Open can try it: a
// postgres:// URL, or an absolute path of a SQLite file (no "?", no NUL).
func CheckDSN(dsn string) string {
	switch {
	case dsn == "":
		return "empty: want a file path or a postgres:// URL"
	case IsPostgres(dsn):
		if _, err := pgconn.ParseConfig(dsn); err != nil {
			return "not a PostgreSQL URL that can be used (want postgres://user@host:port/database)"
		}
		return ""
	case strings.Contains(dsn, "://"):
		return `unsupported database URL (want a SQLite file path, or postgres://user@host/database)`
	case strings.ContainsRune(dsn, 0):
		return "contains a NUL character"
	case strings.ContainsRune(dsn, '?'):
		return `a SQLite file path may not contain "?"`
	case !filepath.IsAbs(dsn):
		return "want an absolute file path or a postgres:// URL"
	}
	return ""
}

// Open opens (creating when needed) the event database dsn — a SQLite file path or a
// postgres:// URL — migrates its schema to this build's, runs retention once and starts
// the writer. Two processes may open the same database at once: migrations take a lock.
func Open(dsn string, opts Options) (*Store, error) {
	opts.Queue = capture.OrDefault(opts.Queue, DefaultQueue)
	opts.Batch = capture.OrDefault(opts.Batch, DefaultBatch)
	opts.BusyTimeout = capture.OrDefault(opts.BusyTimeout, DefaultBusyTimeout)
	opts.RetentionEvery = capture.OrDefault(opts.RetentionEvery, DefaultRetentionEvery)
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.now == nil {
		opts.now = time.Now
	}
	s := &Store{opts: opts, log: opts.Log.With("component", "events")}
	if msg := CheckDSN(dsn); msg != "" {
		return nil, fmt.Errorf("event database %q: %s", capture.RedactURL(dsn), msg)
	}
	var err error
	if IsPostgres(dsn) {
		s.name = capture.RedactURL(dsn)
		s.d = postgres
		s.db, err = sql.Open("pgx", dsn)
	} else {
		s.name = dsn
		s.d = sqlite
		if opts.MustExist {
			if _, err := os.Stat(dsn); err != nil {
				return nil, fmt.Errorf("no event database at %s yet (it is written once a camera runs analyzers): %w", dsn, capture.ErrNotFound)
			}
		} else if err := createPrivate(dsn); err != nil {
			return nil, err
		}
		s.db, err = sql.Open("sqlite", sqliteDSN(dsn, opts.BusyTimeout))
	}
	if err != nil {
		return nil, s.explain("open", err)
	}
	s.db.SetMaxOpenConns(4)
	s.db.SetMaxIdleConns(4)
	ctx, cancel := context.WithTimeout(context.Background(), openTimeout)
	defer cancel()
	err = s.migrate(ctx)
	// A new file's connections set WAL up as they open; with other openers at the same
	// moment (a second Vigil, `vigil events`) SQLite can answer "locked" without waiting
	// for its busy timeout: try again until that timeout.
	for deadline := time.Now().Add(opts.BusyTimeout); isBusy(err) && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		err = s.migrate(ctx)
	}
	if err != nil {
		s.db.Close()
		return nil, s.explain("open", err)
	}
	if s.retains() {
		if _, err := s.Prune(ctx); err != nil {
			s.log.Warn("retention at open failed", "err", err)
		}
	}
	s.w = newWriter(s)
	rctx, stop := context.WithCancel(context.Background())
	s.stopRetention = stop
	s.retentionDone = make(chan struct{})
	go s.retentionLoop(rctx)
	return s, nil
}

// isBusy reports whether err is SQLite's SQLITE_BUSY (or one of its extended codes).
func isBusy(err error) bool {
	var se *sqlitedrv.Error
	return errors.As(err, &se) && se.Code()&0xff == 5
}

// createPrivate makes the database's folder and an empty file readable by the user only
// (snapshots show people); SQLite gives its -wal and -shm files the same permissions.
func createPrivate(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("event database %s: cannot make its folder: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("event database %s: %w", path, err)
	}
	return f.Close()
}

// sqliteDSN is the modernc DSN of a SQLite file: WAL (readers never wait for the writer and
// a kill -9 loses no committed transaction), synchronous=NORMAL (durable against a crash of
// Vigil, not of the machine's power, which is the trade WAL is made for), a busy timeout
// for a second process, immediate write transactions (no deadlock upgrading a read lock),
// and incremental auto-vacuum so retention gives disk space back.
func sqliteDSN(path string, busy time.Duration) string {
	return path + "?_busy_timeout=" + fmt.Sprint(busy.Milliseconds()) +
		"&_auto_vacuum=INCREMENTAL&_journal_mode=WAL&_synchronous=NORMAL&_txlock=immediate"
}

// Name is the database for messages: a file path or a URL without its password.
func (s *Store) Name() string { return s.name }

// Close writes what is queued (Stats says what could not be), stops retention and closes
// the database. It is safe to call more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.w.close()
		s.stopRetention()
		<-s.retentionDone
		s.closeErr = s.db.Close()
	})
	return s.closeErr
}

// explain wraps a database error with what was being done, on which database, and what to
// try, keeping the capture kind of a refused login.
func (s *Store) explain(doing string, err error) error {
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) && ce.Config != nil {
		timeout := ce.Config.ConnectTimeout
		if timeout == 0 {
			timeout = openTimeout
		}
		place := capture.DialPlace{Host: ce.Config.Host, Where: net.JoinHostPort(ce.Config.Host, strconv.Itoa(int(ce.Config.Port))),
			Timeout: timeout, Listener: "that the PostgreSQL server runs there and accepts TCP connections (listen_addresses and port in postgresql.conf)",
			Plain: "sslmode=disable", Secure: "sslmode=require", Op: "PostgreSQL server"}
		err = capture.DialError(err, place)
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "28P01", "28000":
			return fmt.Errorf("%s the event database %s: the server refused the login (check the user and password in analytics.database or ~/.pgpass): %w", doing, s.name, capture.ErrUnauthorized)
		case "3D000":
			return fmt.Errorf("%s the event database %s: no such database on the server (create it, e.g. createdb): %w", doing, s.name, capture.ErrNotFound)
		case "42501":
			return fmt.Errorf("%s the event database %s: the user may not create or change the tables (grant it rights on the database): %w", doing, s.name, capture.ErrForbidden)
		}
		return fmt.Errorf("%s the event database %s: %s", doing, s.name, capture.CleanText(pg.Message, capture.MaxErrorText))
	}
	// pgconn's errors name the user, host and database, never the password; a server's
	// words in them are cleaned like any peer's.
	return fmt.Errorf("%s the event database %s: %w", doing, s.name, capture.CleanError(err))
}

// clip cuts text to at most n bytes at a character boundary, makes it valid UTF-8 and
// drops NUL characters, which PostgreSQL's text refuses.
func clip(text string, n int) string {
	text = strings.ToValidUTF8(text, "\uFFFD")
	text = strings.ReplaceAll(text, "\x00", "")
	if len(text) <= n {
		return text
	}
	for n > 0 && !utf8.RuneStart(text[n]) {
		n--
	}
	return text[:n]
}

// normalise applies the limits to an event about to be stored.
func normalise(e *Event) {
	e.Camera = clip(e.Camera, MaxNameBytes)
	e.Zone = clip(e.Zone, MaxNameBytes)
	e.Kind = clip(e.Kind, MaxKindBytes)
	e.Labels = clip(e.Labels, MaxLabelsBytes)
	e.Detail = clip(e.Detail, MaxDetailBytes)
	if len(e.Snapshot) > MaxSnapshotBytes {
		e.Snapshot = nil
	}
	if e.Peak != e.Peak || e.Peak < 0 { // NaN or negative
		e.Peak = 0
	}
	if e.Peak > 1 {
		e.Peak = 1
	}
}

// micros is t as microseconds since 1970 UTC; 0 for the zero time.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// fromMicros is micros' inverse, in UTC.
func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}
