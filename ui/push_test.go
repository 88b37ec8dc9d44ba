package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/vigil-cctv/vigil/config"
)

// pushList is a PushListeners kept in memory: the dialog's own logic, without a panel
// (internal/panel's TestPushListenersDialog runs it on a real one).
type pushList struct{ ls []config.Push }

func (p *pushList) List() []PushListener {
	var out []PushListener
	for _, l := range p.ls {
		out = append(out, PushListener{Listen: l.Listen, Record: "off", Token: l.Token != ""})
	}
	return out
}

func (p *pushList) Add(ps config.Push) error { p.ls = append(p.ls, ps); return nil }

func (p *pushList) Remove(string) error { p.ls = nil; return nil }

// The Add form checks what was typed as the settings file is checked, and a listed
// address, before asking the store; Enter in an entry adds; Esc closes.
func TestPushDialogChecksEnterAndEsc(t *testing.T) {
	test.NewTempApp(t)
	win := test.NewWindow(nil)
	win.Resize(fyne.NewSize(800, 600))
	store := &pushList{}
	q := &uiQueue{}
	d := newPushDialog(win, store, q.Do)
	d.show()
	for _, tc := range []struct{ listen, token, want string }{
		{"9000", "", "want HOST:PORT"},
		{":9000", "", "name the address to bind"},
		{"127.0.0.1:9000", "has space", "printable ASCII"},
	} {
		d.listen.SetText(tc.listen)
		d.token.SetText(tc.token)
		d.onAdd()
		if !d.errL.Visible() || !strings.Contains(d.errL.Text, tc.want) || len(store.ls) != 0 {
			t.Errorf("%q %q: %q shown, %d added", tc.listen, tc.token, d.errL.Text, len(store.ls))
		}
	}
	d.listen.SetText(defaultPushListen)
	d.token.SetText("")
	test.Type(d.token, "token")
	d.token.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if len(store.ls) != 1 || store.ls[0].Token != "token" || d.errL.Visible() {
		t.Fatalf("Enter: %+v, %q", store.ls, d.errL.Text)
	}
	if d.token.Text != "" {
		t.Error("the token stays in the form after Add")
	}
	d.onAdd()
	if !strings.Contains(d.errL.Text, "already listed") || len(store.ls) != 1 {
		t.Errorf("same address again: %q", d.errL.Text)
	}
	d.listen.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if !d.closed || d.pop.Visible() {
		t.Fatal("Esc did not close the dialog")
	}
}

// An address other computers can reach is added only after a yes.
func TestPushDialogAsksBeforeListeningOnTheNetwork(t *testing.T) {
	test.NewTempApp(t)
	win := test.NewWindow(nil)
	win.Resize(fyne.NewSize(800, 600))
	store := &pushList{}
	d := newPushDialog(win, store, (&uiQueue{}).Do)
	d.show()
	defer d.close()
	for _, tc := range []struct {
		listen string
		asks   bool
	}{{"127.0.0.2:9000", false}, {"localhost:9001", false}, {"[::1]:9002", false}, {"0.0.0.0:9003", true}, {"192.168.1.5:9004", true}} {
		n := len(store.ls)
		d.listen.SetText(tc.listen)
		d.onAdd()
		k, _ := topPopKeys(win.Canvas())
		if asked := k.pop != d.pop; asked != tc.asks {
			t.Fatalf("%s: asked %v", tc.listen, asked)
		}
		if tc.asks {
			if len(store.ls) != n {
				t.Fatalf("%s: added before the answer", tc.listen)
			}
			k.enter() // the highlighted "Listen"
		}
		if len(store.ls) != n+1 || store.ls[n].Listen != tc.listen {
			t.Fatalf("%s: %+v", tc.listen, store.ls)
		}
	}
}
