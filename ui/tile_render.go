package ui

import (
	"fmt"
	"image/color"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"

	"github.com/vigil-cctv/vigil/capture"
)

// Colours of the wall. They are fixed rather than taken from the theme: a camera wall is
// dark in any theme (a light frame around pictures tires a control room), and the card
// colours carry meaning.
var (
	colorWallBack   = color.NRGBA{R: 0x05, G: 0x06, B: 0x08, A: 0xff}
	colorTileBack   = color.NRGBA{R: 0x10, G: 0x12, B: 0x16, A: 0xff}
	colorSelected   = color.NRGBA{R: 0x4f, G: 0xa3, B: 0xff, A: 0xff} // the icon's blue
	colorDim        = color.NRGBA{A: 0x99}
	colorNameBack   = color.NRGBA{A: 0xa0}
	colorName       = color.NRGBA{R: 0xf2, G: 0xf2, B: 0xf2, A: 0xff}
	colorCardBack   = color.NRGBA{R: 0x17, G: 0x19, B: 0x1f, A: 0xe8}
	colorCardText   = color.NRGBA{R: 0xf2, G: 0xf2, B: 0xf2, A: 0xff}
	colorCardDetail = color.NRGBA{R: 0xb8, G: 0xbc, B: 0xc4, A: 0xff}
	colorEmptyText  = color.NRGBA{R: 0x5c, G: 0x62, B: 0x6b, A: 0xff}

	// Accents: connecting is calm, stalled a warning, offline an alarm.
	colorConnecting = color.NRGBA{R: 0x4a, G: 0x90, B: 0xd9, A: 0xff}
	colorStalled    = color.NRGBA{R: 0xf5, G: 0xa6, B: 0x23, A: 0xff}
	colorOffline    = color.NRGBA{R: 0xe5, G: 0x48, B: 0x4d, A: 0xff}
	colorTipStroke  = color.NRGBA{R: 0x80, G: 0x86, B: 0x90, A: 0xff}
	colorStopped    = color.NRGBA{R: 0x6b, G: 0x71, B: 0x7a, A: 0xff}
	// Fallback is live, but from the camera's fallback URL: blue, informative.
	colorFallback = color.NRGBA{R: 0x1f, G: 0x6f, B: 0xeb, A: 0xff}
	// colorPlayback backs the PLAYBACK badge: recorded video must never pass for live.
	colorPlayback = color.NRGBA{R: 0xb0, G: 0x6a, B: 0x00, A: 0xff}
	// colorRecording backs the REC badge.
	colorRecording = color.NRGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff}

	colorPanelBack = color.NRGBA{A: 0xb0} // health overlay and zoom factor
	// colorMotion lights a tile's border while its camera sees motion: amber, apart from
	// the selection's blue and the alarm red of an offline camera.
	colorMotion    = color.NRGBA{R: 0xff, G: 0xb3, B: 0x00, A: 0xff}
	colorPanelText = color.NRGBA{R: 0xe8, G: 0xea, B: 0xee, A: 0xff}
)

// cardKind is which card a tile shows.
type cardKind int

const (
	cardNone cardKind = iota
	cardConnecting
	cardStalled
	cardOffline
	cardStopped
)

func (k cardKind) accent() color.Color {
	switch k {
	case cardConnecting:
		return colorConnecting
	case cardStalled:
		return colorStalled
	case cardOffline:
		return colorOffline
	}
	return colorStopped
}

// card is what the status card says: a title in words, a detail (the last error) and a
// foot line (the retry countdown, the attempt).
type card struct {
	kind                cardKind
	title, detail, foot string
	// short replaces title on a tile too narrow for it ("Stalled 4 s"); empty: title.
	short string
}

// describe turns a status into the card a person reads. lastPicture is when the last
// drawn picture was received (zero when none).
func describe(st capture.Status, lastPicture, now time.Time) card {
	switch st.State {
	case capture.StateLive, capture.StateFallback:
		return card{kind: cardNone}
	case capture.StateConnecting:
		c := card{kind: cardConnecting, title: "Connecting…"}
		if st.Attempts > 0 && st.Err != nil {
			c.detail = "Last error: " + errorText(st.Err)
			c.foot = fmt.Sprintf("attempt %d", st.Attempts+1)
		}
		return c
	case capture.StateStalled:
		since := lastPicture
		if since.IsZero() {
			since = st.Since
		}
		secs := max(int(now.Sub(since)/time.Second), 0)
		return card{kind: cardStalled,
			title:  fmt.Sprintf("Stalled — no picture for %d s", secs),
			short:  fmt.Sprintf("Stalled %d s", secs),
			detail: "Connected, but the camera stopped sending pictures; reconnecting if it does not resume."}
	case capture.StateOffline:
		c := card{kind: cardOffline, title: "Offline", detail: "the camera closed the stream"}
		if st.Err != nil {
			c.detail = errorText(st.Err)
		}
		if !st.RetryAt.IsZero() {
			c.foot = retryText(st.RetryAt.Sub(now))
		}
		return c
	}
	return card{kind: cardStopped, title: "Stopped", detail: "Viewing stopped. Press play (▶) or Space to watch again."}
}

// errorText is a failure as the card shows it: what happened, then what to try
// (capture.Explain).
func errorText(err error) string {
	x := capture.Explain(err)
	if x.Advice == "" {
		return x.Summary
	}
	return x.Summary + " — try: " + x.Advice
}

// retryText says when the next attempt starts, in whole seconds rounded up (so it never
// says "0 s" while there is still time to wait).
func retryText(d time.Duration) string {
	if d <= 0 {
		return "retrying now…"
	}
	secs := int((d + time.Second - 1) / time.Second)
	if secs >= 120 {
		return fmt.Sprintf("retrying in %d min", (secs+59)/60)
	}
	return fmt.Sprintf("retrying in %d s", secs)
}

// Card geometry, in logical pixels.
const (
	cardMaxWidth    = 440
	cardPad         = 10
	accentWidth     = 4
	nameTextSize    = 12
	namePad         = 4
	titleTextSize   = 14
	detailTextSize  = 12
	maxDetailLines  = 3
	smallTileHeight = 110 // below this the card drops the detail lines
	badgeTextSize   = 11
	healthTextSize  = 11
	panelPad        = 6
)

// tileRenderer draws a Tile: background, picture, dimmer, name badge, fallback badge,
// status card, health overlay, zoom factor and the hover toolbar.
type tileRenderer struct {
	t *Tile

	img        *canvas.Image // the picture
	empty      *canvas.Text  // "No camera"
	fbBack     *canvas.Rectangle
	fbText     *canvas.Text
	recBack    *canvas.Rectangle // "● REC 01:23", or the recording's failure
	recText    *canvas.Text
	healthBack *canvas.Rectangle
	healthText []*canvas.Text
	zoomBack   *canvas.Rectangle
	zoomText   *canvas.Text
	toolbar    *tileToolbar
	tipBack    *canvas.Rectangle // the tooltip of the toolbar button under the pointer
	tipText    *canvas.Text

	back       *canvas.Rectangle
	dim        *canvas.Rectangle
	nameBack   *canvas.Rectangle
	name       *canvas.Text
	cardBack   *canvas.Rectangle
	cardAccent *canvas.Rectangle
	title      *canvas.Text
	sel        *canvas.Rectangle // selection border
	mot        *canvas.Rectangle // motion border
	motText    *canvas.Text      // what a detector named ("person"), top right
	lines      []*canvas.Text    // detail lines, then the foot
	retry      *widget.Button    // the offline card's "Retry now"
	objects    []fyne.CanvasObject
	// laidOut is the size Layout last placed the objects for.
	laidOut fyne.Size

	card card
}

func newTileRenderer(t *Tile) *tileRenderer {
	r := &tileRenderer{
		t:          t,
		img:        &canvas.Image{ScaleMode: canvas.ImageScaleFastest, FillMode: canvas.ImageFillContain},
		back:       canvas.NewRectangle(colorTileBack),
		dim:        canvas.NewRectangle(colorDim),
		nameBack:   canvas.NewRectangle(colorNameBack),
		name:       canvas.NewText(t.name(), colorName),
		empty:      canvas.NewText("No camera", colorEmptyText),
		fbBack:     canvas.NewRectangle(colorFallback),
		fbText:     canvas.NewText("FALLBACK", colorName),
		recBack:    canvas.NewRectangle(colorRecording),
		recText:    canvas.NewText("", colorName),
		healthBack: canvas.NewRectangle(colorPanelBack),
		zoomBack:   canvas.NewRectangle(colorPanelBack),
		zoomText:   canvas.NewText("", colorPanelText),
		toolbar:    newTileToolbar(t),
		tipBack:    canvas.NewRectangle(colorCardBack),
		tipText:    canvas.NewText("", colorCardText),
		cardBack:   canvas.NewRectangle(colorCardBack),
		cardAccent: canvas.NewRectangle(colorStopped),
		title:      canvas.NewText("", colorCardText),
		sel:        canvas.NewRectangle(color.Transparent),
		mot:        canvas.NewRectangle(color.Transparent),
		motText:    canvas.NewText("", colorMotion),
	}
	r.mot.StrokeColor = colorMotion
	r.mot.StrokeWidth = 3
	r.motText.TextSize = badgeTextSize
	r.motText.TextStyle = fyne.TextStyle{Bold: true}
	r.sel.StrokeColor = colorSelected
	r.sel.StrokeWidth = 2
	r.nameBack.CornerRadius = 3
	r.name.TextSize = nameTextSize
	r.cardBack.CornerRadius = 6
	r.title.TextSize = titleTextSize
	r.title.TextStyle = fyne.TextStyle{Bold: true}
	r.img.Hide()
	r.objects = []fyne.CanvasObject{r.back, r.img, r.dim, r.cardBack, r.cardAccent, r.title}
	for i := 0; i < maxDetailLines+1; i++ {
		l := canvas.NewText("", colorCardDetail)
		l.TextSize = detailTextSize
		r.lines = append(r.lines, l)
		r.objects = append(r.objects, l)
	}
	r.retry = widget.NewButton("Retry now", t.RetryNow)
	r.retry.Importance = widget.MediumImportance
	r.retry.Hide()
	r.objects = append(r.objects, r.retry)
	r.empty.TextSize = detailTextSize
	r.fbBack.CornerRadius = 3
	r.fbText.TextSize = badgeTextSize
	r.fbText.TextStyle = fyne.TextStyle{Bold: true}
	r.recBack.CornerRadius = 3
	r.recText.TextSize = badgeTextSize
	r.recText.TextStyle = fyne.TextStyle{Bold: true}
	r.healthBack.CornerRadius = 4
	r.zoomBack.CornerRadius = 3
	r.zoomText.TextSize = badgeTextSize
	r.zoomText.TextStyle = fyne.TextStyle{Bold: true}
	r.objects = append(r.objects, r.healthBack)
	for i := 0; i < len(healthLines(capture.StatsSnapshot{}, 0)); i++ {
		l := canvas.NewText("", colorPanelText)
		l.TextSize = healthTextSize
		l.TextStyle = fyne.TextStyle{Monospace: true}
		r.healthText = append(r.healthText, l)
		r.objects = append(r.objects, l)
	}
	// The name goes on top so a card never hides which camera it is about; the toolbar
	// above everything, so it can always be clicked.
	r.objects = append(r.objects, r.zoomBack, r.zoomText, r.empty, r.nameBack, r.name, r.fbBack, r.fbText,
		r.recBack, r.recText, r.mot, r.motText, r.sel, r.toolbar, r.tipBack, r.tipText)
	r.tipBack.CornerRadius = 3
	r.tipBack.StrokeColor = colorTipStroke
	r.tipBack.StrokeWidth = 1
	r.tipText.TextSize = badgeTextSize + 1
	r.update()
	// Fyne makes a new renderer when the old one's cache entry expired (a tile not
	// painted for a minute, or a stale cache clock under the test driver) and does not
	// lay it out while the tile keeps its size: place everything at once.
	if size := t.Size(); !size.IsZero() {
		r.Layout(size)
	}
	return r
}

func (r *tileRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *tileRenderer) Destroy() {}

// MinSize is small so that an 8×8 wall fits a laptop screen.
func (r *tileRenderer) MinSize() fyne.Size { return fyne.NewSize(64, 36) }

// Refresh re-reads the tile's state (UI goroutine): everything, or only the parts the
// tile said changed (Tile.refreshParts).
func (r *tileRenderer) Refresh() {
	parts := r.t.takeDirty()
	if parts == 0 || r.laidOut != r.t.Size() {
		r.update()
		r.Layout(r.t.Size())
		for _, o := range r.objects {
			o.Refresh()
		}
		return
	}
	if parts&partPicture != 0 {
		t := r.t
		r.img.Image = t.shown
		if t.playbackSpeed > 0 { // the badge shows the recorded time, to the second
			if text := playbackBadge(t.playbackSpeed, t.lastSource); text != r.fbText.Text {
				r.fbText.Text = text
				r.fbText.Refresh()
			}
		}
		r.img.Refresh()
	}
	if parts&partBadges != 0 {
		r.update()
		r.Layout(r.t.Size())
		r.recText.Refresh()
		r.recBack.Refresh()
	}
	if parts&partHealth != 0 {
		r.refreshHealth()
	}
	if parts&partZoom != 0 {
		r.zoomText.Text = r.t.zoom.label()
		r.Layout(r.t.Size())
		r.zoomText.Refresh()
		r.zoomBack.Refresh()
	}
}

// update sets visibility and colours from the tile's state.
func (r *tileRenderer) update() {
	t := r.t
	r.card = describe(t.status, t.lastPicture, t.now())
	if t.stream == nil {
		r.card = card{kind: cardNone}
	}
	picture := t.hasPicture && t.buf != nil
	setVisible(r.empty, t.stream == nil)
	setVisible(r.nameBack, t.stream != nil)
	setVisible(r.name, t.stream != nil)
	fallback := picture && t.status.State == capture.StateFallback
	mode := ""
	switch {
	case t.playbackSpeed > 0:
		mode = playbackBadge(t.playbackSpeed, t.lastSource)
		r.fbBack.FillColor = colorPlayback
	case fallback:
		mode = "FALLBACK"
		r.fbBack.FillColor = colorFallback
	}
	r.fbText.Text = mode
	setVisible(r.fbBack, mode != "" && t.stream != nil)
	setVisible(r.fbText, mode != "" && t.stream != nil)
	rec := recBadge(t.recSince, t.recErr, t.now())
	r.recText.Text = rec
	setVisible(r.recBack, rec != "" && t.stream != nil)
	setVisible(r.recText, rec != "" && t.stream != nil)
	health := t.healthVisible && t.stream != nil
	setVisible(r.healthBack, health)
	for _, l := range r.healthText {
		setVisible(l, health)
	}
	zoom := picture && t.maximised && t.zoom.zoomed()
	setVisible(r.zoomBack, zoom)
	setVisible(r.zoomText, zoom)
	r.zoomText.Text = t.zoom.label()
	setVisible(r.toolbar, t.hovered && t.stream != nil)
	r.toolbar.update()
	r.tipText.Text = t.Tooltip()
	setVisible(r.tipBack, r.toolbar.Visible() && r.tipText.Text != "")
	setVisible(r.tipText, r.toolbar.Visible() && r.tipText.Text != "")
	r.img.Image = t.shown
	setVisible(r.img, picture)
	setVisible(r.dim, picture && r.card.kind != cardNone)
	showCard := r.card.kind != cardNone
	for _, o := range []fyne.CanvasObject{r.cardBack, r.cardAccent, r.title} {
		setVisible(o, showCard)
	}
	setVisible(r.sel, t.selected)
	setVisible(r.mot, t.motion)
	if t.motion && t.motionLabel != "" {
		r.motText.Text = t.motionLabel
		r.motText.Show()
	} else {
		r.motText.Hide()
	}
	r.cardAccent.FillColor = r.card.kind.accent()
	r.cardBack.StrokeColor = r.card.kind.accent()
	r.cardBack.StrokeWidth = 1
}

// Layout places everything for a tile of the given size.
func (r *tileRenderer) Layout(size fyne.Size) {
	r.laidOut = size
	r.t.sizeChanged(size)
	full := fyne.NewPos(0, 0)
	ms := fyne.MeasureText(r.motText.Text, badgeTextSize, r.motText.TextStyle)
	r.motText.Move(fyne.NewPos(size.Width-ms.Width-2*namePad, 2*namePad))
	r.motText.Resize(ms)
	for _, o := range []fyne.CanvasObject{r.back, r.img, r.dim, r.sel, r.mot} {
		o.Move(full)
		o.Resize(size)
	}

	es := fyne.MeasureText(r.empty.Text, r.empty.TextSize, r.empty.TextStyle)
	r.empty.Move(fyne.NewPos((size.Width-es.Width)/2, (size.Height-es.Height)/2))
	r.empty.Resize(es)

	// Toolbar, top-right, its buttons sized for the tile; the tooltip under the button.
	r.toolbar.setSide(size)
	ts := r.toolbar.MinSize()
	r.toolbar.Move(fyne.NewPos(size.Width-ts.Width-namePad, namePad))
	r.toolbar.Resize(ts)
	if b := r.t.tipOn; b != nil && r.tipText.Visible() {
		tt := fyne.MeasureText(r.tipText.Text, r.tipText.TextSize, r.tipText.TextStyle)
		tb := fyne.NewSize(tt.Width+2*namePad, tt.Height+namePad)
		bx := r.toolbar.Position().X + b.Position().X + b.Size().Width/2
		x := min(max(bx-tb.Width/2, namePad), size.Width-tb.Width-namePad)
		y := r.toolbar.Position().Y + ts.Height + 3
		r.tipBack.Move(fyne.NewPos(x, y))
		r.tipBack.Resize(tb)
		r.tipText.Move(fyne.NewPos(x+namePad, y+namePad/2))
		r.tipText.Resize(tt)
	}

	// Name badge, top-left, leaving room for the toolbar when it shows.
	room := size.Width - 4*namePad
	if r.toolbar.Visible() {
		room -= ts.Width + namePad
	}
	r.name.Text = ellipsize(r.t.name(), max(room, 8), nameTextSize, r.name.TextStyle)
	ns := fyne.MeasureText(r.name.Text, nameTextSize, r.name.TextStyle)
	r.nameBack.Move(fyne.NewPos(namePad, namePad))
	r.nameBack.Resize(fyne.NewSize(ns.Width+2*namePad, ns.Height+namePad))
	r.name.Move(fyne.NewPos(2*namePad, namePad+namePad/2))
	r.name.Resize(ns)

	// Fallback badge, under the name (the toolbar may take the space beside it).
	fs := fyne.MeasureText(r.fbText.Text, badgeTextSize, r.fbText.TextStyle)
	fy := r.nameBack.Position().Y + r.nameBack.Size().Height + 3
	r.fbBack.Move(fyne.NewPos(namePad, fy))
	r.fbBack.Resize(fyne.NewSize(fs.Width+2*namePad, fs.Height+namePad))
	r.fbText.Move(fyne.NewPos(2*namePad, fy+namePad/2))
	r.fbText.Resize(fs)

	// Recording badge, under the mode badge when that shows.
	ry := fy
	if r.fbBack.Visible() {
		ry += r.fbBack.Size().Height + 3
	}
	rs := fyne.MeasureText(r.recText.Text, badgeTextSize, r.recText.TextStyle)
	r.recBack.Move(fyne.NewPos(namePad, ry))
	r.recBack.Resize(fyne.NewSize(rs.Width+2*namePad, rs.Height+namePad))
	r.recText.Move(fyne.NewPos(2*namePad, ry+namePad/2))
	r.recText.Resize(rs)

	r.layoutHealth(size)

	// Zoom factor, bottom-right.
	zs := fyne.MeasureText(r.zoomText.Text, badgeTextSize, r.zoomText.TextStyle)
	zb := fyne.NewSize(zs.Width+2*namePad, zs.Height+namePad)
	r.zoomBack.Move(fyne.NewPos(size.Width-zb.Width-namePad, size.Height-zb.Height-namePad))
	r.zoomBack.Resize(zb)
	r.zoomText.Move(r.zoomBack.Position().Add(fyne.NewPos(namePad, namePad/2)))
	r.zoomText.Resize(zs)

	r.layoutCard(size)
}

// layoutHealth sets the overlay's text and places it at the bottom-left.
func (r *tileRenderer) layoutHealth(size fyne.Size) {
	lines := r.t.health
	if len(lines) == 0 {
		lines = healthLines(capture.StatsSnapshot{}, 0)
	}
	style := fyne.TextStyle{Monospace: true}
	lineH := fyne.MeasureText("Ag", healthTextSize, style).Height
	var w float32
	for i, l := range r.healthText {
		l.Text = ""
		if i < len(lines) {
			l.Text = ellipsize(lines[i], size.Width-2*namePad-2*panelPad, healthTextSize, style)
		}
		w = max(w, fyne.MeasureText(l.Text, healthTextSize, style).Width)
	}
	h := lineH*float32(len(r.healthText)) + 2*panelPad
	pos := fyne.NewPos(namePad, size.Height-h-namePad)
	r.healthBack.Move(pos)
	r.healthBack.Resize(fyne.NewSize(w+2*panelPad, h))
	for i, l := range r.healthText {
		l.Move(pos.Add(fyne.NewPos(panelPad, panelPad+float32(i)*lineH)))
		l.Resize(fyne.NewSize(w, lineH))
	}
}

// refreshHealth re-lays and repaints only the health overlay (the status tick).
func (r *tileRenderer) refreshHealth() {
	r.layoutHealth(r.t.Size())
	r.healthBack.Refresh()
	for _, l := range r.healthText {
		l.Refresh()
	}
}

// setVisible shows or hides o: Fyne has no SetVisible.
func setVisible(o fyne.CanvasObject, on bool) {
	if on {
		o.Show()
	} else {
		o.Hide()
	}
}

// layoutCard wraps the card's text to the tile and centres the card. Lines that do not
// fit are dropped, detail lines first, so the title always shows.
func (r *tileRenderer) layoutCard(size fyne.Size) {
	for _, l := range r.lines {
		l.Text = ""
		l.Hide()
	}
	wantRetry := r.card.kind == cardOffline && r.t.stream != nil
	if r.card.kind == cardNone || !wantRetry {
		if r.retry.Visible() {
			r.retry.Hide()
		}
	}
	if r.card.kind == cardNone {
		return
	}
	pad := float32(cardPad)
	if size.Width < 240 || size.Height < smallTileHeight {
		pad = cardPad / 2 // small tiles: every pixel goes to the text
	}
	cardW := min(size.Width-2*pad, cardMaxWidth)
	textW := cardW - accentWidth - 2*pad
	if textW < 20 {
		textW = max(size.Width-accentWidth-4, 1)
		cardW = size.Width
	}
	title := r.card.title
	if r.card.short != "" && fyne.MeasureText(title, titleTextSize, r.title.TextStyle).Width > textW {
		title = r.card.short
	}
	r.title.Text = ellipsize(title, textW, titleTextSize, r.title.TextStyle)
	titleH := fyne.MeasureText("Ag", titleTextSize, r.title.TextStyle).Height
	lineH := fyne.MeasureText("Ag", detailTextSize, fyne.TextStyle{}).Height

	var texts []string
	if r.card.detail != "" && size.Height >= smallTileHeight {
		texts = wrapText(r.card.detail, textW, detailTextSize, fyne.TextStyle{}, maxDetailLines)
	}
	if r.card.foot != "" {
		texts = append(texts, ellipsize(r.card.foot, textW, detailTextSize, fyne.TextStyle{}))
	}
	// Drop lines (detail first, from its end) until the card fits the tile.
	top := r.nameBack.Position().Y + r.nameBack.Size().Height + 2 // keep the name readable
	room := size.Height - top - pad - titleH - 2*pad
	for len(texts) > 0 && float32(len(texts))*lineH > room {
		if len(texts) > 1 {
			texts = append(texts[:len(texts)-2], texts[len(texts)-1])
		} else {
			texts = texts[:0]
		}
	}

	cardH := titleH + float32(len(texts))*lineH + 2*pad
	if len(texts) > 0 {
		cardH += pad / 2
	}
	// "Retry now" under the text, when the tile has room for it (the detail lines give
	// way first: the title and the button are what a person needs).
	bs := r.retry.MinSize()
	if wantRetry {
		for len(texts) > 0 && cardH+bs.Height+pad/2 > size.Height-top {
			if len(texts) > 1 && r.card.foot != "" { // the detail goes first, the countdown stays
				texts = append(texts[:len(texts)-2], texts[len(texts)-1])
			} else {
				texts = texts[:len(texts)-1]
			}
			cardH -= lineH
		}
		wantRetry = cardH+bs.Height+pad/2 <= size.Height-top && bs.Width <= cardW-accentWidth-pad
	}
	if wantRetry {
		cardH += bs.Height + pad/2
	}
	// Centred, but below the name badge when the tile is short.
	pos := fyne.NewPos((size.Width-cardW)/2, max((size.Height-cardH)/2, min(top, size.Height-cardH)))
	r.cardBack.Move(pos)
	r.cardBack.Resize(fyne.NewSize(cardW, cardH))
	r.cardAccent.Move(pos)
	r.cardAccent.Resize(fyne.NewSize(accentWidth, cardH))

	x := pos.X + accentWidth + pad
	y := pos.Y + pad
	r.title.Move(fyne.NewPos(x, y))
	r.title.Resize(fyne.NewSize(textW, titleH))
	y += titleH + pad/2
	for i, s := range texts {
		l := r.lines[i]
		l.Text = s
		l.Color = colorCardDetail
		if r.card.foot != "" && i == len(texts)-1 {
			l.Color = r.card.kind.accent()
		}
		l.Move(fyne.NewPos(x, y))
		l.Resize(fyne.NewSize(textW, lineH))
		l.Show()
		y += lineH
	}
	if wantRetry {
		r.retry.Move(fyne.NewPos(x, y+pad/2))
		r.retry.Resize(bs)
		if !r.retry.Visible() {
			r.retry.Show()
		}
	} else if r.retry.Visible() {
		r.retry.Hide()
	}
}

// cardTexts returns the visible text of the card, title first (for tests and
// accessibility).
func (r *tileRenderer) cardTexts() []string {
	if r.card.kind == cardNone {
		return nil
	}
	out := []string{r.title.Text}
	for _, l := range r.lines {
		if l.Visible() && l.Text != "" {
			out = append(out, l.Text)
		}
	}
	return out
}

// wrapText breaks s into at most maxLines lines no wider than width, at spaces where it
// can, mid-word where a word alone is too wide. The last line ends in "…" when text was
// cut.
func wrapText(s string, width, size float32, style fyne.TextStyle, maxLines int) []string {
	fits := func(x string) bool { return fyne.MeasureText(x, size, style).Width <= width }
	var lines []string
	words := strings.Fields(s)
	cur := ""
	for len(words) > 0 && len(lines) <= maxLines {
		w := words[0]
		cand := w
		if cur != "" {
			cand = cur + " " + w
		}
		switch {
		case fits(cand):
			cur = cand
			words = words[1:]
		case cur != "":
			lines = append(lines, cur) // the word goes on the next line
			cur = ""
		default:
			// A single word wider than the line: cut it.
			rs := []rune(w)
			n := fitRunes(rs, fits)
			lines = append(lines, string(rs[:n]))
			words[0] = string(rs[n:])
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	if len(lines) > maxLines || len(words) > 0 {
		lines = lines[:min(len(lines), maxLines)]
		last := len(lines) - 1
		lines[last] = withEllipsis(lines[last], width, size, style)
	}
	return lines
}

// withEllipsis ends s in "…", shortening it as much as needed to fit width.
func withEllipsis(s string, width, size float32, style fyne.TextStyle) string {
	rs := []rune(s)
	fits := func(x string) bool { return fyne.MeasureText(x+"…", size, style).Width <= width }
	lo, hi := 0, len(rs)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if fits(string(rs[:mid])) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return strings.TrimRight(string(rs[:lo]), " ") + "…"
}

// fitRunes returns how many leading runes of rs fit (at least 1, so wrapping always
// progresses).
func fitRunes(rs []rune, fits func(string) bool) int {
	lo, hi := 1, len(rs)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if fits(string(rs[:mid])) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// ellipsize shortens s to fit width, ending it in "…" when it had to be cut.
func ellipsize(s string, width, size float32, style fyne.TextStyle) string {
	if fyne.MeasureText(s, size, style).Width <= width {
		return s
	}
	return withEllipsis(s, width, size, style)
}

// playbackBadge reads "PLAYBACK ×4  2026-11-22 14:03:07": the speed and the recorded time
// of the picture shown, in local time.
func playbackBadge(speed float64, at time.Time) string {
	s := "PLAYBACK ×" + strconv.FormatFloat(speed, 'g', 3, 64)
	if !at.IsZero() {
		s += "  " + at.Local().Format("2006-01-02 15:04:05")
	}
	return s
}

// recBadge reads "● REC 01:23" while recording (elapsed time), "REC FAILED" when the
// recording stopped on an error, "" otherwise.
func recBadge(since time.Time, err error, now time.Time) string {
	switch {
	case err != nil:
		return "REC FAILED"
	case since.IsZero():
		return ""
	}
	d := max(now.Sub(since), 0).Round(time.Second)
	h, m, sec := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		return fmt.Sprintf("● REC %d:%02d:%02d", h, m, sec)
	}
	return fmt.Sprintf("● REC %02d:%02d", m, sec)
}
