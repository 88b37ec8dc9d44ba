package capturetest

import "testing"

// Started is how a test starts one of the in-process fakes (rtsptest, onviftest,
// rcptest): fake and err as its constructor returned them; err ends t, otherwise the
// fake is closed when t ends.
func Started[F interface{ Close() }](t testing.TB, fake F, err error) F {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	return fake
}
