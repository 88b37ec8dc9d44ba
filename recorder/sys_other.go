//go:build !linux

package recorder

import (
	"errors"
	"os"
)

// lockFile is not implemented on this platform: a second process is not kept out.
func lockFile(*os.File) error { return nil }

// unlockFile is lockFile's counterpart.
func unlockFile(*os.File) error { return nil }

// freeBytes is unknown on this platform: the free-space floor is not enforced.
func freeBytes(string) (int64, error) { return 0, errors.ErrUnsupported }
