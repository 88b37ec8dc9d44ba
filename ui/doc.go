// Package ui is Vigil's Fyne front end: the camera wall and its tiles.
//
// Threading (STYLE.md §14–15): only the Fyne UI goroutine touches widgets. Each Tile has
// one render goroutine of its own that waits for decoded frames and for a 1 s status tick
// and hands the work to the UI goroutine through fyne.Do, keeping at most one pending
// draw and one pending status update per tile: Fyne's fyne.Do queue is unbounded, so
// anything more would be a backlog, and a backlog on a live picture is latency. Tiles are
// started and stopped explicitly by the Wall; nothing here relies on a renderer's Destroy,
// which Fyne calls only after a cache expiry, never on Hide.
//
// The package talks to capture only (Stream, FrameSub, Status); it never imports a
// protocol package.
package ui
