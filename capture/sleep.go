package capture

import (
	"context"
	"time"
)

// Sleep waits d: true when it has passed, false when ctx ended or wake (nil: never) was
// signalled first. The pause of a player between pictures, which a seek or a new speed
// cuts short.
func Sleep(ctx context.Context, d time.Duration, wake <-chan struct{}) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-wake:
		return false
	case <-t.C:
		return true
	}
}
