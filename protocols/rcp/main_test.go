package rcp_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind (a connection of the
// controller or of the simulated camera).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
