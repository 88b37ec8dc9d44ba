package capture

import (
	"testing"
	"time"
)

func TestOrDefault(t *testing.T) {
	if OrDefault(0, 5) != 5 || OrDefault(-1, 5) != 5 || OrDefault(3, 5) != 3 ||
		OrDefault(time.Duration(0), time.Second) != time.Second || OrDefault(0.5, 2.0) != 0.5 {
		t.Error("OrDefault")
	}
}
