package ui

import "fyne.io/fyne/v2"

// Run opens the wall window (NewWallWindow) and runs the app until it quits, then makes
// sure every tile and the status goroutine have stopped. It blocks; call it from main.
func Run(app fyne.App, opts WallOptions) {
	win, wall := NewWallWindow(app, opts)
	win.ShowAndRun()
	wall.Stop()
}
