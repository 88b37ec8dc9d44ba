package panel

import (
	"fmt"
	"os"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/jpegdec"
)

// WriteSnapshot saves a probe's frame (`vigil probe --snapshot`): the camera's JPEG as it
// came, or for H.264/H.265 the probe's first decoded picture (at most
// capture.ProbeDecodeBox on its long side) encoded as a JPEG. A B-frame stream's key unit
// alone may give no picture, so the snapshot is the picture the probe's decoder did give,
// never a second decode.
func WriteSnapshot(path string, r capture.ProbeReport) error {
	data := r.Snapshot
	if r.Codec != capture.CodecJPEG {
		if r.Picture == nil {
			return fmt.Errorf("snapshot: no %s picture was decoded to save", r.Codec)
		}
		var err error
		if data, err = jpegdec.Encode(r.Picture, 90); err != nil {
			return fmt.Errorf("snapshot: %w", err)
		}
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("saving the snapshot: %w", err)
	}
	return nil
}

// PinnedProber is Prober with a trust list (the settings' trust: pins, config.Config.Pin)
// behind the request's own pins: `vigil probe` with the settings' pins.
func PinnedProber(pins func(hostPort string) string) capture.Prober { return proberWithPins(pins) }
