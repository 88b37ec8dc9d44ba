package capture

import (
	"errors"
	"strconv"
	"strings"
)

// ParseSize reads a picture size "WIDTHxHEIGHT" in whole pixels ("1280x720"): the one
// size parser of the settings, the command line and demo:// URLs, each checking its own
// bounds (a negative side passes here). A plus sign, a space or a missing side is an error.
func ParseSize(s string) (w, h int, err error) {
	ws, hs, ok := strings.Cut(s, "x")
	if !ok {
		return 0, 0, errors.New(`want WIDTHxHEIGHT, for example "1280x720"`)
	}
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	if err1 != nil || err2 != nil || ws[0] == '+' || hs[0] == '+' {
		return 0, 0, errors.New(`want WIDTHxHEIGHT in whole pixels, for example "1280x720"`)
	}
	return w, h, nil
}
