// Package uitest helps test the wall under Fyne's test driver: a queue standing in for
// Fyne's UI goroutine, and the texts a person reads in a window.
package uitest

import (
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// Queue stands in for Fyne's main-thread queue: the wall hands it its callbacks (its Do
// option) and the test goroutine, acting as the UI goroutine, runs them with Run.
// (Fyne's test driver would run fyne.Do callbacks at once on the calling goroutine —
// fyne v2.8.1 test/driver.go DoFromGoroutine — which would put widget updates on the
// tiles' render goroutines, racing with the test's Capture.)
type Queue struct {
	mu  sync.Mutex
	fns []func()
}

// Do queues f.
func (q *Queue) Do(f func()) {
	q.mu.Lock()
	q.fns = append(q.fns, f)
	q.mu.Unlock()
}

// Len is how many callbacks wait.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.fns)
}

// Run runs the queued callbacks on the calling goroutine.
func (q *Queue) Run() {
	q.mu.Lock()
	fns := q.fns
	q.fns = nil
	q.mu.Unlock()
	for _, f := range fns {
		f()
	}
}

// PumpUntil runs the queue until cond holds, for up to 20 s: generous, so a slow machine
// never fails a test.
func (q *Queue) PumpUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		q.Run()
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Texts is every visible, non-empty label text in o, as a person reads the window. What
// was typed into an entry or chosen in a select is not a label and is left out.
func Texts(o fyne.CanvasObject) []string { return texts(o, false) }

// AllTexts is Texts with the canvas texts too (tile names, badges) and what each select
// shows, as "[choice]".
func AllTexts(o fyne.CanvasObject) []string { return texts(o, true) }

func texts(o fyne.CanvasObject, all bool) []string {
	var out []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch w := o.(type) {
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c)
			}
		case *container.Scroll:
			walk(w.Content)
		case *widget.Label:
			if w.Text != "" {
				out = append(out, w.Text)
			}
		case *canvas.Text:
			if all && w.Text != "" {
				out = append(out, w.Text)
			}
		case *widget.Select:
			if all {
				out = append(out, "["+w.Selected+"]")
			}
		case *widget.Entry, *widget.Button:
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(w).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return out
}

// Walk calls f with every visible object in o, containers and widgets before what they
// hold; f returning false skips what the object holds.
func Walk(o fyne.CanvasObject, f func(fyne.CanvasObject) bool) {
	if o == nil || !o.Visible() || !f(o) {
		return
	}
	switch w := o.(type) {
	case *fyne.Container:
		for _, c := range w.Objects {
			Walk(c, f)
		}
	case *container.Scroll:
		Walk(w.Content, f)
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(w).Objects() {
			Walk(c, f)
		}
	}
}

// Button is the first visible button labelled text in o, nil when there is none.
func Button(o fyne.CanvasObject, text string) *widget.Button {
	var found *widget.Button
	Walk(o, func(c fyne.CanvasObject) bool {
		if b, ok := c.(*widget.Button); ok && found == nil && b.Text == text {
			found = b
		}
		return found == nil
	})
	return found
}

// TextEntry is a text entry: widget.Entry, or a widget embedding one.
type TextEntry interface {
	fyne.Focusable
	SetText(string)
	SetPlaceHolder(string)
}

// Entries are the visible text entries in o, in order.
func Entries(o fyne.CanvasObject) []TextEntry {
	var out []TextEntry
	Walk(o, func(c fyne.CanvasObject) bool {
		if e, ok := c.(TextEntry); ok {
			out = append(out, e)
			return false
		}
		return true
	})
	return out
}
