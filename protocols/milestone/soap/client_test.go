package soap_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/internal/trust"
	"github.com/vigil-cctv/vigil/protocols/milestone/milestonetest"
	"github.com/vigil-cctv/vigil/protocols/milestone/soap"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newPair(t *testing.T, o milestonetest.Options, tweak func(*soap.Options)) (*milestonetest.Server, *soap.Client) {
	t.Helper()
	srv := milestonetest.NewServer(o)
	t.Cleanup(srv.Close)
	co := soap.Options{URL: srv.URL(), User: "admin", Password: "secret", PinSHA256: srv.Fingerprint(), Timeout: 10 * time.Second}
	if tweak != nil {
		tweak(&co)
	}
	c, err := soap.NewClient(co)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return srv, c
}

// noSecrets fails when an error text shows a token or the password.
func noSecrets(t *testing.T, err error) {
	t.Helper()
	if s := err.Error(); strings.Contains(s, "TOKEN#") && !strings.Contains(s, "TOKEN#…#") || strings.Contains(s, "secret") || strings.Contains(s, "wrongpw") {
		t.Fatalf("secret in error: %s", s)
	}
}

func TestLoginConfigurationLogout(t *testing.T) {
	srv, c := newPair(t, milestonetest.Options{TokenTTL: time.Hour, Recorders: []milestonetest.RecorderConfig{
		{Name: "Rec A", HostName: "rec-a", WebServerURI: "http://127.0.0.1:7563/", Cameras: []milestonetest.CameraConfig{{Name: "Gate"}, {Name: "Lobby <1>"}}},
		{Name: "Rec B", WebServerURI: "https://127.0.0.1:17563/", Cameras: []milestonetest.CameraConfig{{Name: "Yard"}}},
	}}, nil)
	ctx := context.Background()
	id := soap.NewGUID()
	li, err := c.Login(ctx, id, "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(li.Token, "TOKEN#") || li.TimeToLive != time.Hour || li.RegistrationTime.IsZero() {
		t.Fatalf("login info ttl=%v reg=%v", li.TimeToLive, li.RegistrationTime)
	}
	cfg, err := c.GetConfiguration(ctx, li.Token)
	if err != nil {
		t.Fatal(err)
	}
	recs := srv.Recorders()
	if len(cfg.Recorders) != 2 || cfg.ServerName != "Vigil simulator" {
		t.Fatalf("config %+v", cfg)
	}
	cams := cfg.Cameras()
	if len(cams) != 3 || cams[1].Name != "Lobby <1>" || cams[0].ID != recs[0].Cameras[0].ID || cams[2].RecorderName != "Rec B" || cams[2].RecorderID != recs[1].ID {
		t.Fatalf("cameras %+v", cams)
	}
	if len(cams[0].Streams) != 1 || !cams[0].Streams[0].Default {
		t.Fatalf("streams %+v", cams[0].Streams)
	}
	if cam, ok := cfg.FindCamera(strings.ToUpper(recs[1].Cameras[0].ID)); !ok || cam.Name != "Yard" {
		t.Fatal("FindCamera by GUID")
	}
	if _, ok := cfg.FindCamera("Gate"); !ok {
		t.Fatal("FindCamera by name")
	}
	addr, tls, err := cfg.Recorders[1].ImageServerAddr()
	if err != nil || addr != "127.0.0.1:17563" || !tls {
		t.Fatalf("image server addr %q %v %v", addr, tls, err)
	}
	rec, err := c.QueryRecorderInfo(ctx, li.Token, recs[0].ID)
	if err != nil || rec.Name != "Rec A" || len(rec.Cameras) != 2 || rec.HostName != "rec-a" {
		t.Fatalf("QueryRecorderInfo %+v %v", rec, err)
	}
	if err := c.Logout(ctx, id, li.Token); err != nil {
		t.Fatal(err)
	}
	if srv.Logins() != 1 || srv.Logouts() != 1 {
		t.Fatalf("logins %d logouts %d", srv.Logins(), srv.Logouts())
	}
	// Keep-alive: all these calls went over one connection.
	for i := 0; i < 20; i++ {
		if _, err := c.Login(ctx, id, ""); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.Connections(); n != 1 {
		t.Fatalf("%d TCP connections for 25 calls, want 1 (keep-alive)", n)
	}
}

func TestWrongPassword(t *testing.T) {
	_, c := newPair(t, milestonetest.Options{}, func(o *soap.Options) { o.Password = "wrongpw" })
	_, err := c.Login(context.Background(), soap.NewGUID(), "")
	if !errors.Is(err, capture.ErrUnauthorized) || !strings.Contains(err.Error(), "wrong user or password") {
		t.Fatalf("err = %v", err)
	}
	noSecrets(t, err)
}

func TestExpiredTokenFault(t *testing.T) {
	srv, c := newPair(t, milestonetest.Options{TokenTTL: time.Hour}, nil)
	ctx := context.Background()
	li, err := c.Login(ctx, soap.NewGUID(), "")
	if err != nil {
		t.Fatal(err)
	}
	srv.ExpireAll()
	_, err = c.GetConfiguration(ctx, li.Token)
	var f *soap.Fault
	if !errors.As(err, &f) || f.ErrorNumber != 20001 || f.SubErrorNumber != 2 || f.HTTPStatus != 500 {
		t.Fatalf("err = %v", err)
	}
	if !errors.Is(err, soap.ErrTokenInvalid) || !errors.Is(err, capture.ErrUnauthorized) || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("err = %v", err)
	}
	noSecrets(t, err)
	_, err = c.GetConfiguration(ctx, "")
	if !errors.As(err, &f) || f.SubErrorNumber != 1 || !strings.Contains(err.Error(), "no login token") {
		t.Fatalf("no token: %v", err)
	}
}

func TestWrongSOAPAction(t *testing.T) {
	// A server whose contract uses the ASMX action form refuses our .svc actions.
	_, c := newPair(t, milestonetest.Options{ActionPrefix: "http://videoos.net/2/XProtectCSServerCommand/"}, nil)
	_, err := c.Login(context.Background(), soap.NewGUID(), "")
	var f *soap.Fault
	if !errors.As(err, &f) || f.HTTPStatus != 500 || f.Op != "Login" {
		t.Fatalf("err = %v", err)
	}
	if !errors.Is(err, soap.ErrActionNotSupported) || !strings.Contains(err.Error(), "SOAPAction mismatch") || errors.Is(err, capture.ErrUnauthorized) {
		t.Fatalf("err = %v", err)
	}
}

func TestOversizedResponse(t *testing.T) {
	_, c := newPair(t, milestonetest.Options{Padding: 3 << 20}, func(o *soap.Options) { o.MaxResponseBytes = 1 << 20 })
	ctx := context.Background()
	li, err := c.Login(ctx, soap.NewGUID(), "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetConfiguration(ctx, li.Token)
	if !errors.Is(err, capture.ErrTooLarge) {
		t.Fatalf("err = %v", err)
	}
	noSecrets(t, err)
}

func TestCertificatePinning(t *testing.T) {
	srv := milestonetest.NewServer(milestonetest.Options{})
	defer srv.Close()
	ctx := context.Background()
	login := func(pin string) error {
		c, err := soap.NewClient(soap.Options{URL: srv.URL(), User: "admin", Password: "secret", PinSHA256: pin})
		if err != nil {
			return err
		}
		defer c.Close()
		_, err = c.Login(ctx, soap.NewGUID(), "")
		return err
	}
	err := login("")
	var ce *trust.CertError
	if !errors.As(err, &ce) || ce.Fingerprint != srv.Fingerprint() || !strings.Contains(err.Error(), srv.Fingerprint()) || !strings.Contains(capture.Explain(err).Advice, "trust: in settings.yaml") {
		t.Fatalf("unpinned: %v", err)
	}
	if !errors.Is(err, trust.ErrUntrusted) {
		t.Fatal("not ErrCertificate")
	}
	fp, err := trust.Fetch(ctx, srv.Addr(), nil)
	if err != nil || fp != srv.Fingerprint() {
		t.Fatalf("FetchFingerprint %q %v", fp, err)
	}
	// Accepted with the pin, in lower case without colons too.
	if err := login(strings.ToLower(strings.ReplaceAll(fp, ":", ""))); err != nil {
		t.Fatal(err)
	}
	wrong := strings.Repeat("AB:", 31) + "AB"
	err = login(wrong)
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), wrong) || !strings.Contains(err.Error(), fp) {
		t.Fatalf("wrong pin: %v", err)
	}
	if _, err := soap.NewClient(soap.Options{URL: srv.URL(), PinSHA256: "xyz"}); err == nil {
		t.Fatal("bad pin accepted")
	}
	if _, err := soap.NewClient(soap.Options{URL: "https://admin:secret@127.0.0.1/"}); err == nil || strings.Contains(err.Error(), "secret") {
		t.Fatalf("credentials in URL: %v", err)
	}
}

func TestCancelDuringCall(t *testing.T) {
	_, c := newPair(t, milestonetest.Options{Delay: time.Minute}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(100 * time.Millisecond); cancel() }()
	start := time.Now()
	_, err := c.Login(ctx, soap.NewGUID(), "")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("cancel took %v", d)
	}
	// And the per-call timeout.
	_, c2 := newPair(t, milestonetest.Options{Delay: time.Minute}, func(o *soap.Options) { o.Timeout = 200 * time.Millisecond })
	_, err = c2.Login(context.Background(), soap.NewGUID(), "")
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "no answer within") {
		t.Fatalf("timeout err = %v", err)
	}
}

func TestSessionRenewsAcrossShortTTLs(t *testing.T) {
	srv, c := newPair(t, milestonetest.Options{TokenTTL: 2 * time.Second, Recorders: []milestonetest.RecorderConfig{{Name: "R", WebServerURI: "http://127.0.0.1:1/", Cameras: []milestonetest.CameraConfig{{Name: "C"}}}}}, nil)
	var mu sync.Mutex
	var got []string
	s := soap.NewSession(c, soap.SessionOptions{OnToken: func(tok string) { mu.Lock(); got = append(got, tok); mu.Unlock() }})
	ctx := context.Background()
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	first := s.Token()
	deadline := time.Now().Add(7 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := s.GetConfiguration(ctx); err != nil {
			t.Fatalf("session lapsed after %d renewals: %v", s.Renewals(), err)
		}
		time.Sleep(250 * time.Millisecond)
	}
	if srv.Renewals() < 3 || s.Renewals() < 3 || srv.Logins() != 1 {
		t.Fatalf("server renewals %d, session renewals %d, logins %d", srv.Renewals(), s.Renewals(), srv.Logins())
	}
	mu.Lock()
	n := len(got)
	last := ""
	if n > 0 {
		last = got[n-1]
	}
	mu.Unlock()
	if n < 3 || last != s.Token() || srv.ValidToken(first) || !srv.ValidToken(s.Token()) {
		t.Fatalf("OnToken calls %d; first token still valid %v", n, srv.ValidToken(first))
	}
	if _, err := c.GetConfiguration(ctx, first); !errors.Is(err, soap.ErrTokenInvalid) {
		t.Fatalf("old token: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if srv.Logouts() != 1 {
		t.Fatalf("logouts %d", srv.Logouts())
	}
	s.Close()
}

func TestSessionCloseWithoutStart(t *testing.T) {
	_, c := newPair(t, milestonetest.Options{}, nil)
	if err := soap.NewSession(c, soap.SessionOptions{}).Close(); err != nil {
		t.Fatal(err)
	}
}
