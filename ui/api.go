package ui

import (
	"context"
	"image"
	"slices"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
)

// The wall talks to the application through these small interfaces, one per concern,
// instead of a bag of callbacks: the core implements them over its registries, tests over
// fakes running real sources (as Jacalz/rymdport's internal/ui sits on internal/transport).
// Each is optional in WallOptions; a nil one turns its buttons off. Their methods are
// called on the UI goroutine unless their doc says otherwise.

// Cameras is the camera list the wall shows.
type Cameras interface {
	// Streams returns every configured camera's stream, identified by Stream.Name(),
	// in list order. The wall does not close them: their owner does, after the wall
	// has stopped (or after the wall has moved to a new list).
	Streams() []*capture.Stream
	// Camera returns a camera's settings, for the Edit dialog and to recognise a site's
	// camera that is already saved. ok is false for a camera without settings (a demo
	// camera, a bare stream).
	Camera(name string) (cam config.Camera, ok bool)
}

// CameraEditor is a Cameras the sidebar's Add and Edit buttons change. After each call
// the wall reads Streams again and follows it, even after an error (a change may be
// applied but not saved): the camera that was renamed keeps its places on the wall.
type CameraEditor interface {
	Cameras
	// Add validates, builds and saves a new camera.
	Add(cam config.Camera) error
	// Edit replaces the camera named old with cam; cam.Name differing from old renames
	// it.
	Edit(old string, cam config.Camera) error
}

// AnalyzerModels is a Cameras that knows the settings' detector models
// (config.Analytics.Models): the camera dialog offers their names beside the built-in
// analyzers, and checks a camera against them as the settings file is checked. Without
// it the dialog offers the built-ins (config.Analyzers).
type AnalyzerModels interface {
	Cameras
	Models() []config.Model
}

// CameraRemover is a Cameras the sidebar's Remove button changes; the wall follows
// Streams after Remove as after an edit.
type CameraRemover interface {
	Cameras
	Remove(name string) error
}

// StaticCameras is a camera list nobody edits: a wall of streams (tests, tools).
type StaticCameras []*capture.Stream

// Streams is part of Cameras.
func (l StaticCameras) Streams() []*capture.Stream { return slices.Clone(l) }

// Camera is part of Cameras: a bare stream has no settings.
func (l StaticCameras) Camera(string) (config.Camera, bool) { return config.Camera{}, false }

// Views keeps the wall's arrangement: SaveWall is called after every change of layout or
// assignment with the layout and the positions (trailing empty positions trimmed, and
// positions beyond a fixed layout's grid kept), so the owner can save the settings. An
// error is shown on the wall's status bar until a later save succeeds; the wall keeps
// the change either way.
type Views interface {
	SaveWall(layout string, tiles []string) error
}

// ViewStore is a Views that also keeps named views (config.View: a layout and the camera
// per position), for the toolbar's view selector and a second window. Each method saves
// the settings; an error is shown on the status bar as SaveWall's are (a name the store
// refuses keeps its dialog open with the reason).
type ViewStore interface {
	Views
	// List is the named views, in order (Ctrl+1…9 pick the first nine).
	List() []config.View
	// SaveView adds a view (old "") or replaces the view named old, renaming it when
	// v.Name differs.
	SaveView(old string, v config.View) error
	// DeleteView removes a view.
	DeleteView(name string) error
	// ViewsShown keeps which view the wall shows ("" for none) and which views the
	// other windows show, for the next start.
	ViewsShown(current string, windows []string) error
}

// TrustStore keeps the certificates the user accepted (by SHA-256 fingerprint).
type TrustStore interface {
	// Trust saves the certificates the camera dialog's Trust accepted, before the
	// dialog's camera is saved; an error keeps the dialog open.
	Trust(certs []config.Trusted) error
}

// Sites are the video management sites the "Connect to Milestone…" dialog logs in to.
type Sites interface {
	// Connect logs in to a site and lists it (off the UI goroutine; see SiteConnector).
	Connect(ctx context.Context, site config.Site, pin string) (*SiteView, error)
	// Save keeps a site the user connected to and the certificates accepted on the way.
	Save(view *SiteView, trust []config.Trusted) error
}

// Playback plays cameras' recorded video on their tiles.
type Playback interface {
	// CanPlay says which cameras have recordings to play (a tile's playback button).
	CanPlay(camera string) bool
	// Play makes a stream of a camera's recorded video from a time at a speed (1 = real
	// time); the tile shows it until the user goes back to live, and the wall closes it
	// then.
	Play(camera string, from time.Time, speed float64) (*capture.Stream, error)
}

// PlaybackSpans is implemented by a Playback that can say where a camera's recordings
// are (a VMS's recorded sequences), for the picker's timeline. RecordingLister is called
// on the UI goroutine and returns nil when the camera's source cannot say; the picker
// calls the lister's RecordedSpans off it (it may take a login's time).
type PlaybackSpans interface {
	RecordingLister(camera string) capture.RecordingLister
}

// Recordings records cameras and lists what was recorded.
type Recordings interface {
	// Toggle starts or stops recording a camera (the tile's record button); an error is
	// shown.
	Toggle(camera string) error
	// State reports a camera's recording for its REC badge. It is called from the
	// wall's status goroutine and must be safe there.
	State(camera string) RecordingState
	// List lists the recordings for the recordings view.
	List() ([]Clip, error)
	// Open opens a file or folder in the system's application for it; its error (no
	// player, no opener) is shown in the recordings view with what to install. It may
	// wait a moment for the application to fail and is called off the UI goroutine.
	Open(path string) error
}

// Motion is what the cameras' analytics see, for the tiles' motion borders.
type Motion interface {
	// OnMotion registers f, called from the analytics' goroutines whenever a camera's
	// motion starts or stops; label names a detection ("person"), "" for plain motion.
	OnMotion(f func(camera string, on bool, label string))
}

// Events reads the analyzers' event store for the events pane and its dashboard. Its
// methods are called off the UI goroutine.
type Events interface {
	// List is a page of the events matching f, newest first (by start, then id): at most
	// f.Limit, older than f.Before when it is set.
	List(f EventFilter) ([]EventRow, error)
	// Count is how many events match f (its Limit and Before aside): the pane's total.
	Count(f EventFilter) (int, error)
	// Snapshot is an event's picture (JPEG), nil when it has none.
	Snapshot(id int64) ([]byte, error)
	// Chart draws the dashboard f.Chart over [f.Since, now) as a w×h picture.
	Chart(f EventFilter, w, h int) (image.Image, error)
}

// EventPage is how many events the pane lists at once; "Older…" lists the next page.
const EventPage = 1000

// EventFilter narrows the events pane: "" camera or kind for all.
type EventFilter struct {
	Camera, Kind string
	Since        time.Time
	// Limit is the most events List returns. It defaults to EventPage.
	Limit int
	// Before, when set, pages back: List returns the events after it in the list's order
	// (keyset pagination on its Start and ID, so a page far back costs what the first
	// does).
	Before *EventRow
	// Chart is the dashboard Chart draws.
	Chart Chart
}

// Chart is one of the events pane's dashboards.
type Chart int

// The dashboards, in the chooser's order.
const (
	ChartEventsPerHour Chart = iota // events per hour per camera
	ChartKindsPerDay                // detections by kind per day
	ChartUptime                     // each camera's uptime, % per hour
	ChartFPS                        // each camera's frames per second received
	ChartBitrate                    // each camera's bitrate received
)

// EventRow is one event as the pane lists it.
type EventRow struct {
	ID                 int64
	Camera, Kind, Zone string
	Start, End         time.Time // End zero while it lasts
	Peak               float64
	HasSnapshot        bool
}

// CPUMeter measures the app's CPU use for the status bar.
type CPUMeter interface {
	// Cores is the CPU use in cores (1.0 = one core busy). It is called once a second
	// from the wall's status goroutine, never the UI goroutine.
	Cores() float64
}

// Review plays cameras' own recordings (the files the recorder wrote) in the player
// window, with a timeline of the camera's files.
type Review interface {
	// Recorded lists a camera's recordings (camera: its name, or its folder as a Clip
	// names it) that overlap [from, to), oldest first.
	Recorded(camera string, from, to time.Time) ([]Clip, error)
	// Review opens a stream playing a camera's recordings from a time, and its
	// controls. The player closes the stream.
	Review(camera string, from time.Time) (*capture.Stream, ReviewControl, error)
}

// ReviewControl moves a stream of recordings: seek, speed, pause, frame step.
type ReviewControl interface {
	capture.Seeker
	capture.Stepper
}

// PushListeners are the push: listeners frame pushers connect to (issue 14), for the
// "Push listeners…" dialog.
type PushListeners interface {
	// List is the listeners in settings order, with how many pushers each has now.
	List() []PushListener
	// Add validates, opens and saves a listener; after an error (the port is in use)
	// nothing is open or saved.
	Add(p config.Push) error
	// Remove closes a listener (its pushers leave the wall) and saves the settings.
	Remove(listen string) error
}

// PushListener is one listener as the dialog lists it: whether a token is set, never
// the token.
type PushListener struct {
	Listen, Record string
	Token          bool
	Connected      int
	// Err is why the listener is not open ("" when it is).
	Err string
}

// MotionSearcher searches a camera's recorded motion for the "Search motion…" window
// (issue 15): the moments something moved in a box of the picture.
type MotionSearcher interface {
	// MotionSearch lists, oldest first, when something moved in box (fractions of the
	// camera's picture) between since and until. It is called off the UI goroutine;
	// ctx ends when the window closes or a new search starts.
	MotionSearch(ctx context.Context, camera string, box Box, since, until time.Time) ([]MotionHit, error)
}

// Box is a rectangle of a camera's picture in fractions 0…1 from its top-left corner,
// X0 < X1 and Y0 < Y1.
type Box struct{ X0, Y0, X1, Y1 float64 }

// MotionHit is one moment a motion search found.
type MotionHit struct {
	Start, End time.Time
	// Peak is the moving share of the box at its largest (0…1), 0 for a coarse hit.
	Peak float64
	// Coarse: only the stored per-minute motion map names this minute (no recording of
	// it was decoded), so Start–End is the whole minute.
	Coarse bool
}
