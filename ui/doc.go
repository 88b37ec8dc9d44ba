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
// protocol package. The application behind the wall (camera registry, sites, trust,
// recordings, playback) comes in through the small interfaces of api.go. The wall's
// model — layout, positions, selection, maximised position, what is on screen — is the
// plain Go package wallmodel, tested without Fyne; the Wall makes its tiles follow it. A
// Tile holds state only; its renderer owns the canvas objects and reads that state in
// Refresh and Layout.
package ui
