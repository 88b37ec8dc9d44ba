package recorder

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/vigil-cctv/vigil/capture"
)

// Sentinel errors callers branch on; Status.Err and Start's errors wrap them.
var (
	// ErrLocked: another process owns the recordings folder.
	ErrLocked = errors.New("recordings folder in use")
	// ErrDiskFull: the disk is full or below the free-space floor.
	ErrDiskFull = errors.New("not enough free space")
	// ErrNotWritable: the folder cannot be created or written.
	ErrNotWritable = errors.New("recordings folder not writable")
	// ErrClosed: the Root was closed.
	ErrClosed = errors.New("recorder closed")
	// ErrAlreadyRecording: Start for a camera that is recording.
	ErrAlreadyRecording = errors.New("camera already recording")
)

var errWouldBlock = errors.New("lock held elsewhere")

// Defaults of Options.
const (
	DefaultSegment = 15 * time.Minute
	DefaultPreRoll = 5 * time.Second
	DefaultMinFree = 512 << 20
	// lockName is the lock file in the root; the leading dot keeps it out of List.
	lockName = ".vigil-recorder.lock"
	// queuePackets is a Prebuffer's Hub queue: a few seconds of video at 30 fps.
	queuePackets = 128
)

// Options configure a recordings root.
type Options struct {
	// Root is the recordings folder. It defaults to DefaultRoot().
	Root string
	// Segment is the length of one file of continuous recording. It defaults to 15 min.
	Segment time.Duration
	// PreRoll is how much a Prebuffer keeps. It defaults to 5 s.
	PreRoll time.Duration
	// MaxAge deletes closed segments last written longer ago than this. 0 keeps them.
	MaxAge time.Duration
	// MaxBytes caps the total size of the root: the oldest closed segments, across all
	// cameras, are deleted first. 0 means no cap. An open segment is never deleted.
	MaxBytes int64
	// MinFree is the free-space floor: below it recording stops with ErrDiskFull before
	// the disk is full. It defaults to 512 MiB; a negative value disables it.
	MinFree int64
	// Logger defaults to slog.Default(); lines carry component=recorder.
	Logger *slog.Logger
	// Now defaults to time.Now. It names segments and ages them.
	Now func() time.Time

	hooks hooks
}

// hooks are test and benchmark knobs.
type hooks struct {
	queue          int                                                // recording queue bound in packets (default maxQueuePackets)
	queueBytes     int                                                // recording queue bound in bytes (default maxQueueBytes)
	housekeeping   time.Duration                                      // retention period (default 30 s)
	tick           time.Duration                                      // recording tick (default 250 ms)
	freeBytes      func(string) (int64, error)                        // default freeBytes
	beforePacket   func(camera string)                                // called before each packet is handled
	location       *time.Location                                     // default time.Local
	noSync         bool                                               // skip fsync (CPU benchmarks)
	onSegmentClose func(path string, err error)                       // observes closes
	writeAt        func(f *os.File, b []byte, off int64) (int, error) // a failing disk
}

// Root is an open recordings folder: it holds the folder's lock, runs retention and
// starts recordings. Close stops every recording (finalising its file) and releases the
// folder.
type Root struct {
	opts Options
	dir  string
	log  *slog.Logger
	lock *os.File

	mu     sync.Mutex
	recs   map[string]*Recording // by camera name, while running
	open   map[string]bool       // open segment files
	closed bool

	kick chan struct{}
	stop chan struct{}
	done chan struct{}
}

// Open takes the recordings folder (creating it), repairs the files a crash left (a torn
// last fragment is cut off), runs retention and starts it periodically. Only one process
// at a time may hold a folder: a second Open fails with ErrLocked naming the holder's PID.
func Open(opts Options) (*Root, error) {
	if opts.Root == "" {
		d, err := DefaultRoot()
		if err != nil {
			return nil, err
		}
		opts.Root = d
	}
	opts.Segment = capture.OrDefault(opts.Segment, DefaultSegment)
	opts.PreRoll = capture.OrDefault(opts.PreRoll, DefaultPreRoll)
	if opts.MinFree == 0 {
		opts.MinFree = DefaultMinFree
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	opts.hooks.queue = capture.OrDefault(opts.hooks.queue, maxQueuePackets)
	opts.hooks.queueBytes = capture.OrDefault(opts.hooks.queueBytes, maxQueueBytes)
	opts.hooks.housekeeping = capture.OrDefault(opts.hooks.housekeeping, 30*time.Second)
	opts.hooks.tick = capture.OrDefault(opts.hooks.tick, 250*time.Millisecond)
	if opts.hooks.freeBytes == nil {
		opts.hooks.freeBytes = freeBytes
	}
	if opts.hooks.location == nil {
		opts.hooks.location = time.Local
	}
	dir, err := filepath.Abs(opts.Root)
	if err != nil {
		return nil, fmt.Errorf("recordings folder %q: %w", opts.Root, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating the recordings folder %s: %w: %w (check the path and its permissions, or choose another folder in Settings)", dir, ErrNotWritable, err)
	}
	lf, err := takeLock(dir)
	if err != nil {
		return nil, err
	}
	r := &Root{
		opts: opts, dir: dir, lock: lf,
		log:  opts.Logger.With("component", "recorder"),
		recs: map[string]*Recording{}, open: map[string]bool{},
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
	}
	r.recoverAll()
	r.retain()
	go r.housekeeping()
	return r, nil
}

// takeLock opens and flocks the root's lock file, writing our PID into it.
func takeLock(dir string) (*os.File, error) {
	p := filepath.Join(dir, lockName)
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening the lock file %s: %w: %w (check the folder's permissions, or choose another folder in Settings)", p, ErrNotWritable, err)
	}
	if err := lockFile(f); err != nil {
		pid := "unknown"
		if errors.Is(err, errWouldBlock) {
			b, _ := io.ReadAll(io.LimitReader(f, 32))
			if n, perr := strconv.Atoi(strings.TrimSpace(string(b))); perr == nil && n > 0 {
				pid = strconv.Itoa(n)
			}
			f.Close()
			return nil, fmt.Errorf("recordings folder %s is in use by another Vigil (PID %s): %w (close that one, or choose another recordings folder)", dir, pid, ErrLocked)
		}
		f.Close()
		return nil, fmt.Errorf("locking %s: %w", p, err)
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return f, nil
}

// Dir is the root's absolute path.
func (r *Root) Dir() string { return r.dir }

// Close stops every recording, finalising its file, stops retention and releases the
// folder. It returns the first error from finalising.
func (r *Root) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	recs := make([]*Recording, 0, len(r.recs))
	for _, rec := range r.recs {
		recs = append(recs, rec)
	}
	r.mu.Unlock()
	var first error
	for _, rec := range recs {
		if err := rec.Stop(); err != nil && first == nil {
			first = err
		}
	}
	close(r.stop)
	<-r.done
	unlockFile(r.lock)
	r.lock.Close()
	return first
}

// housekeeping runs retention periodically and after each segment closes.
func (r *Root) housekeeping() {
	defer close(r.done)
	t := time.NewTicker(r.opts.hooks.housekeeping)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-t.C:
		case <-r.kick:
		}
		r.retain()
	}
}

// kickRetention asks for a retention pass soon, without blocking.
func (r *Root) kickRetention() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// segmentFile is one recording file found on disk.
type segmentFile struct {
	path, camera, date string
	start              time.Time // from the name, else the modification time
	mod                time.Time
	size               int64
}

// walk lists <root>/<camera>/<date>/*.mp4, skipping hidden entries and anything else.
func walk(root string) ([]segmentFile, error) {
	cams, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("reading the recordings folder %s: %w", root, err)
	}
	var out []segmentFile
	for _, c := range cams {
		if !c.IsDir() || strings.HasPrefix(c.Name(), ".") {
			continue
		}
		days, err := os.ReadDir(filepath.Join(root, c.Name()))
		if err != nil {
			continue
		}
		for _, d := range days {
			if !d.IsDir() || strings.HasPrefix(d.Name(), ".") {
				continue
			}
			dayDir := filepath.Join(root, c.Name(), d.Name())
			files, err := os.ReadDir(dayDir)
			if err != nil {
				continue
			}
			for _, f := range files {
				if !f.Type().IsRegular() || !strings.HasSuffix(f.Name(), ".mp4") || strings.HasPrefix(f.Name(), ".") {
					continue
				}
				info, err := f.Info()
				if err != nil {
					continue
				}
				sf := segmentFile{path: filepath.Join(dayDir, f.Name()), camera: c.Name(), date: d.Name(),
					mod: info.ModTime(), size: info.Size()}
				if t, ok := parseSegmentTime(f.Name()); ok {
					sf.start = t
				} else {
					sf.start = sf.mod
				}
				out = append(out, sf)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].start.Equal(out[j].start) {
			return out[i].start.Before(out[j].start)
		}
		return out[i].path < out[j].path
	})
	return out, nil
}

// recoverAll repairs the newest files of every camera: a crash leaves at most the one
// each camera was writing, and every Open repairs before anything new is written.
func (r *Root) recoverAll() {
	files, err := walk(r.dir)
	if err != nil {
		r.log.Warn("recovery skipped", "err", err)
		return
	}
	newest := map[string][]segmentFile{}
	for _, f := range files {
		l := append(newest[f.camera], f)
		sort.SliceStable(l, func(i, j int) bool { return l[i].mod.After(l[j].mod) })
		if len(l) > 2 {
			l = l[:2]
		}
		newest[f.camera] = l
	}
	for _, l := range newest {
		for _, f := range l {
			did, err := recoverFile(f.path)
			if err != nil {
				r.log.Warn("could not repair a recording", "file", f.path, "err", err)
			} else if did != "" {
				r.log.Info("repaired a recording left by a crash", "file", f.path, "action", did)
			}
		}
	}
}

// retain deletes closed segments older than MaxAge, then the oldest closed segments
// until the root is within MaxBytes. Open segments are never deleted.
func (r *Root) retain() {
	if r.opts.MaxAge <= 0 && r.opts.MaxBytes <= 0 {
		return
	}
	files, err := walk(r.dir)
	if err != nil {
		r.log.Warn("retention skipped", "err", err)
		return
	}
	var total int64
	for _, f := range files {
		total += f.size
	}
	now := r.opts.Now()
	r.mu.Lock()
	open := make(map[string]bool, len(r.open))
	for p := range r.open {
		open[p] = true
	}
	r.mu.Unlock()
	dirs := map[string]bool{}
	for _, f := range files {
		old := r.opts.MaxAge > 0 && now.Sub(f.mod) > r.opts.MaxAge
		big := r.opts.MaxBytes > 0 && total > r.opts.MaxBytes
		if !old && !big {
			continue
		}
		if open[f.path] || r.isOpen(f.path) {
			continue
		}
		if err := os.Remove(f.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			r.log.Warn("retention could not delete a recording", "file", f.path, "err", err)
			continue
		}
		total -= f.size
		dirs[filepath.Dir(f.path)] = true
		reason := "size"
		if old {
			reason = "age"
		}
		r.log.Info("retention deleted a recording", "file", f.path, "bytes", f.size, "reason", reason)
	}
	for d := range dirs {
		os.Remove(d) // only succeeds when empty
	}
}

// isOpen reports whether a recording is writing path right now.
func (r *Root) isOpen(path string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.open[path]
}

// checkFree returns an ErrDiskFull error when writing need more bytes would take the
// root's file system below the floor. It is asked before every write (a statfs call, about
// a microsecond, once a second per camera), so a fast camera stops at the floor.
func (r *Root) checkFree(need int64) error {
	if r.opts.MinFree < 0 {
		return nil
	}
	free, err := r.opts.hooks.freeBytes(r.dir)
	if err != nil {
		return nil // unknown: the write itself will tell
	}
	if free-need < r.opts.MinFree {
		return fmt.Errorf("only %s free on the disk of %s, below the %s floor: %w (delete old recordings, lower the size limit so retention makes room, or choose another folder)",
			humanBytes(free), r.dir, humanBytes(r.opts.MinFree), ErrDiskFull)
	}
	return nil
}

// humanBytes formats a byte count for people.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTP"[exp])
}

// explainWrite wraps a file-system error with the sentinel and the advice for it.
func explainWrite(camera string, err error) error {
	switch {
	case errors.Is(err, ErrDiskFull), errors.Is(err, ErrNotWritable):
		return fmt.Errorf("recording of %q stopped: %w", camera, err)
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return fmt.Errorf("recording of %q stopped: %w: %w (free space on the disk, lower the size limit so retention makes room, or choose another folder)", camera, ErrDiskFull, err)
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS), errors.Is(err, syscall.ENOTDIR),
		errors.Is(err, syscall.EEXIST), errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("recording of %q stopped: %w: %w (check that the recordings folder exists and is writable, or choose another folder in Settings)", camera, ErrNotWritable, err)
	default:
		return fmt.Errorf("recording of %q stopped: %w (check the disk and the recordings folder, then start again)", camera, err)
	}
}

// PacketSource is what a recording reads from: *capture.Stream satisfies it. If it also
// has a Status method (as *capture.Stream does), a recording closes its segment as soon
// as the camera goes offline.
type PacketSource interface {
	Subscribe(name string, capacity int) (*capture.Subscription, func())
}

// subscribedStatusSource is a PacketSource whose packets come from one of several
// streams (*capture.Stream): its SubscribedStatus is the status of the stream recorded.
type subscribedStatusSource interface {
	SubscribedStatus() capture.Status
}

type subscribedStatus struct{ s subscribedStatusSource }

func (s subscribedStatus) Status() capture.Status { return s.s.SubscribedStatus() }

// statusSource is the optional side of a PacketSource.
type statusSource interface {
	Status() capture.Status
}
