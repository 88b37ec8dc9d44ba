package store

import (
	"bytes"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// backend opens fresh, empty stores of one kind for a test.
type backend struct {
	name string
	// dsn returns the DSN of a new empty database, or skips the test.
	dsn func(t testing.TB) string
}

var backends = []backend{
	{"sqlite", func(t testing.TB) string { return filepath.Join(t.TempDir(), "events.db") }},
	{"postgres", pgDatabase},
}

// forEachBackend runs f as a subtest on SQLite and on PostgreSQL.
func forEachBackend(t *testing.T, f func(t *testing.T, dsn string)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { f(t, b.dsn(t)) })
	}
}

// forEachStore runs f as a subtest on a new store with opts on SQLite and on PostgreSQL
// (forEachBackend and openStore), for tests that need nothing of the database but the
// store.
func forEachStore(t *testing.T, opts Options, f func(t *testing.T, s *Store)) {
	forEachBackend(t, func(t *testing.T, dsn string) { f(t, openStore(t, dsn, opts)) })
}

// openStore opens dsn with opts and closes it when the test ends.
func openStore(t testing.TB, dsn string, opts Options) *Store {
	t.Helper()
	s, err := Open(dsn, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// pgServer is a PostgreSQL server this test binary started on loopback, shared by its
// tests and stopped by TestMain.
type pgServer struct {
	cmd    *exec.Cmd
	dir    string
	port   int
	admin  *sql.DB
	stderr bytes.Buffer
}

var (
	pgOnce   sync.Once
	pg       *pgServer
	pgErr    error
	pgSkip   string
	pgNextDB atomic.Int64
)

// pgDatabase returns the DSN of a new database on the shared server, starting the server
// on first use; it skips the test when no PostgreSQL is installed.
func pgDatabase(t testing.TB) string {
	t.Helper()
	pgOnce.Do(func() { pg, pgSkip, pgErr = startPostgres() })
	if pgSkip != "" {
		t.Skip(pgSkip)
	}
	if pgErr != nil {
		t.Fatal(pgErr)
	}
	name := fmt.Sprintf("t%d", pgNextDB.Add(1))
	if _, err := pg.admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("postgres://vigil@127.0.0.1:%d/%s?sslmode=disable", pg.port, name)
}

// startPostgres runs initdb into a temporary folder and starts postgres on 127.0.0.1 at a
// free port, with its socket in that folder. Run as root (as here), both run as the
// postgres user (its uid as the processes' credential), since postgres refuses root.
func startPostgres() (*pgServer, string, error) {
	// Debian's postgresql package puts initdb and postgres in /usr/lib/postgresql/N/bin.
	var bin string
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	slices.Sort(found)
	if len(found) > 0 {
		bin = filepath.Dir(found[len(found)-1])
	}
	if bin == "" {
		return nil, "no PostgreSQL server installed (apt-get install postgresql): the PostgreSQL half of the store tests is skipped", nil
	}
	dir, err := os.MkdirTemp("", "vigil-pg-")
	if err != nil {
		return nil, "", err
	}
	srv := &pgServer{dir: dir}
	// The server dies with the test binary, even one killed by a test timeout.
	attr := &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGQUIT}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, "running as root and there is no postgres user to run PostgreSQL as: skipped", nil
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chmod(dir, 0o755); err != nil {
			os.RemoveAll(dir)
			return nil, "", err
		}
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, "", err
		}
		attr.Credential = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	asUser := func(name string, args ...string) *exec.Cmd {
		cmd := exec.Command(filepath.Join(bin, name), args...)
		cmd.SysProcAttr = attr
		cmd.Dir = dir
		return cmd
	}
	data := filepath.Join(dir, "data")
	if out, err := asUser("initdb", "-D", data, "-U", "vigil", "--auth=trust", "-E", "UTF8", "--no-sync").CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, "", fmt.Errorf("initdb: %v: %s", err, out)
	}
	srv.port = freePort()
	srv.cmd = asUser("postgres", "-D", data, "-h", "127.0.0.1", "-p", strconv.Itoa(srv.port), "-k", dir,
		"-c", "fsync=off", "-c", "full_page_writes=off", "-c", "max_connections=100")
	srv.cmd.Stderr = &srv.stderr
	if err := srv.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, "", err
	}
	srv.admin, _ = sql.Open("pgx", fmt.Sprintf("postgres://vigil@127.0.0.1:%d/postgres?sslmode=disable", srv.port))
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := srv.admin.Ping()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			srv.stop()
			return nil, "", fmt.Errorf("postgres did not answer within 30 s: %v; its log: %s", err, srv.stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	return srv, "", nil
}

// stop shuts the server down (SIGINT: fast shutdown) and removes its folder.
func (p *pgServer) stop() {
	if p.admin != nil {
		p.admin.Close()
	}
	if p.cmd != nil && p.cmd.Process != nil {
		p.cmd.Process.Signal(syscall.SIGINT)
		done := make(chan struct{})
		go func() { p.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			p.cmd.Process.Kill()
			<-done
		}
	}
	os.RemoveAll(p.dir)
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func TestMain(m *testing.M) {
	if os.Getenv(crashChildEnv) != "" {
		crashChild()
		return
	}
	code := m.Run()
	if pg != nil {
		pg.stop()
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goroutines left running:", err)
			code = 1
		}
	}
	os.Exit(code)
}
