package rcp

import (
	"fmt"

	"github.com/vigil-cctv/vigil/capture"
)

// ErrorCode is an RCP+ <err> answer to a command (bosch.md §1.4), explained.
type ErrorCode struct {
	// Code is the <err> value (0x40, 0xa0, …).
	Code int
	// Command is the RCP+ command refused.
	Command uint16
}

func (e *ErrorCode) Error() string {
	return fmt.Sprintf("the camera refused RCP+ command 0x%04x: %s (error 0x%02x)", e.Command, errorSentence(e.Code), e.Code)
}

// Unwrap gives the capture kind of the code, so callers explain it like a stream's.
func (e *ErrorCode) Unwrap() error {
	switch e.Code {
	case 0xA0:
		return capture.ErrForbidden
	case 0xC0, 0xD0:
		return capture.ErrBusy
	case 0x30, 0x40, 0x50, 0x60, 0x90, 0xE0, 0xF2:
		return capture.ErrUnsupported
	case 0x20, 0x21, 0xB0:
		return capture.ErrUnauthorized
	}
	return capture.ErrServerError
}

// errorSentence says what an <err> code means and what to try.
func errorSentence(code int) string {
	switch code {
	case 0x10:
		return "this RCP+ version is not supported by the camera"
	case 0x20:
		return "the client is not registered; check user and password"
	case 0x21:
		return "the client id is not valid; try again"
	case 0x30:
		return "the method is not valid"
	case 0x40:
		return "the camera does not know this command (not on this model or firmware)"
	case 0x50:
		return "the access type is not valid for this command"
	case 0x60:
		return "the data type is not valid for this command"
	case 0x70:
		return "the camera could not write the value"
	case 0x80:
		return "the packet size is wrong"
	case 0x90:
		return "this value cannot be read"
	case 0xA0:
		return "the account's level is too low: use the camera's user or service account (live accounts cannot steer)"
	case 0xB0:
		return "the session is not valid; try again"
	case 0xC0:
		return "the camera is busy; try again later"
	case 0xD0:
		return "the camera timed out"
	case 0xE0:
		return "the camera has no licence for this"
	case 0xF0:
		return "the command failed on the camera"
	case 0xF1:
		return "the address format is wrong"
	case 0xF2:
		return "not supported on this camera"
	}
	return "unknown error"
}
