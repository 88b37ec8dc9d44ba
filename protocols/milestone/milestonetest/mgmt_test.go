package milestonetest

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestWireShapes(t *testing.T) {
	s := NewServer(Options{TokenTTL: time.Hour})
	defer s.Close()
	// Wrong SOAPAction: WCF's ActionNotSupported fault with HTTP 500.
	status, body := post(t, s, "http://videoos.net/2/XProtectCSServerCommand/Login", "Login", "admin", "secret")
	if status != 500 || !strings.Contains(body, "a:ActionNotSupported") || !strings.Contains(body, "<s:Fault>") {
		t.Fatalf("%d %s", status, body)
	}
	// Wrong password: bare 401 with a Basic challenge.
	if status, _ := post(t, s, actionPrefix+"Login", "Login", "admin", "nope"); status != 401 {
		t.Fatalf("status %d", status)
	}
	// Right: a token.
	status, body = post(t, s, actionPrefix+"Login", "Login", "admin", "secret")
	if status != 200 || !strings.Contains(body, "<Token>TOKEN#") || !strings.Contains(body, "<MicroSeconds>3600000000</MicroSeconds>") {
		t.Fatalf("%d %s", status, body)
	}
	if s.Logins() != 1 || s.Calls("Login") != 1 || s.Faults() != 2 {
		t.Fatalf("logins %d calls %d faults %d", s.Logins(), s.Calls("Login"), s.Faults())
	}
	// GetConfiguration without a valid token: 20001 fault in the captured shape.
	status, body = post(t, s, actionPrefix+"GetConfiguration", "GetConfiguration", "admin", "secret")
	if status != 500 || !strings.Contains(body, "<ErrorNumber>20001</ErrorNumber><SubErrorNumber>1</SubErrorNumber>") {
		t.Fatalf("%d %s", status, body)
	}
}

func post(t *testing.T, s *Server, action, op, user, pass string) (int, string) {
	t.Helper()
	status, body, err := postRaw(s, action, op, user, pass)
	if err != nil {
		t.Fatal(err)
	}
	return status, body
}

func postRaw(s *Server, action, op, user, pass string) (int, string, error) {
	env := `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><` + op + ` xmlns="` + ns + `"><instanceId>6f1c0d8e-2d8b-4a52-9a51-3f0b7c9d0e11</instanceId><currentToken></currentToken></` + op + `></soap:Body></soap:Envelope>`
	req, err := http.NewRequest(http.MethodPost, s.URL()+ServicePath, strings.NewReader(env))
	if err != nil {
		return 0, "", err
	}
	req.SetBasicAuth(user, pass)
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("SOAPAction", action)
	resp, err := s.srv.Client().Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, string(b), err
}
