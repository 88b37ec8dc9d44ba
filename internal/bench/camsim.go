package bench

import (
	"strconv"
)

// CameraProcess sets o.Camsim to the camera process of a run: exe (vigil) serving o's
// cameras, `camsim --json` for M-JPEG or, when o.RTSP, `bench --serve-rtsp` (ServeRTSP)
// with H.264 at bitrate kb/s over o.RTSPTransport. size is the pictures' "WxH" as given.
func (o *Options) CameraProcess(exe, size string, bitrate int) {
	fps := strconv.FormatFloat(o.FPS, 'g', -1, 64)
	o.Camsim = []string{exe, "camsim", "--json", "--mjpeg", strconv.Itoa(o.Streams), "--size", size, "--fps", fps}
	if o.RTSP {
		o.Camsim = []string{exe, "bench", "--serve-rtsp", "--streams", strconv.Itoa(o.Streams), "--size", size,
			"--fps", fps, "--bitrate", strconv.Itoa(bitrate), "--rtsp-transport", o.RTSPTransport}
	}
}
