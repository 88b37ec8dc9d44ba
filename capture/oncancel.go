package capture

import "context"

// OnCancel calls f once if ctx ends before the returned stop is called: how a Source
// closes the socket or client a blocked read waits on when its Run is cancelled. stop
// waits for a running f to finish, so a Run that calls stop before returning leaves no
// goroutine behind (STYLE.md §2); calling stop again does nothing.
func OnCancel(ctx context.Context, f func()) (stop func()) {
	done := make(chan struct{})
	cancel := context.AfterFunc(ctx, func() {
		defer close(done)
		f()
	})
	return func() {
		if !cancel() {
			<-done
		}
	}
}
