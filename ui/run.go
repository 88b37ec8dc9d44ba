package ui

import (
	"fyne.io/fyne/v2"

	"github.com/vigil-cctv/vigil/capture"
)

// DefaultWindowSize is the wall window's size when it opens.
var DefaultWindowSize = fyne.NewSize(1600, 1000)

// NewWallWindow makes a window showing a wall of streams (see NewWall for layout),
// starts the wall, and stops it when the window closes. Call it on the UI goroutine or
// before the app runs; fyne.Do calls made before the app runs wait in Fyne's queue.
// The streams stay open: their owner closes them after the app has stopped.
func NewWallWindow(app fyne.App, title string, streams []*capture.Stream, layout string) (fyne.Window, *Wall) {
	win := app.NewWindow(title)
	wall := NewWall(streams, layout)
	win.SetContent(wall.Content())
	win.Resize(DefaultWindowSize)
	// Stop while the event loop still runs: once Fyne has drained its queue at shutdown,
	// fyne.Do runs callbacks on the caller's goroutine instead of the UI goroutine.
	win.SetOnClosed(wall.Stop)
	wall.Start()
	return win, wall
}

// Run opens the wall window and runs the app until it quits, then makes sure every tile
// has stopped. It blocks; call it from main.
func Run(app fyne.App, title string, streams []*capture.Stream, layout string) {
	win, wall := NewWallWindow(app, title, streams, layout)
	win.ShowAndRun()
	wall.Stop()
}
