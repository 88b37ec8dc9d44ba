package ffmpeg

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// Video is what ffprobe, the judge of the files Vigil writes, reads of a file's one
// video stream.
type Video struct {
	Codec         string
	Width, Height int
	Frames        int     // frames decoded (-count_frames)
	Duration      float64 // seconds, of the container
}

func (v Video) String() string {
	return fmt.Sprintf("%s %dx%d, %d frames", v.Codec, v.Width, v.Height, v.Frames)
}

// ProbeVideo asks ffprobe of path's one stream: codec, size, decoded frames and
// duration. complaints is what ffprobe wrote at -v error while decoding every frame: a
// clean file has none.
func ProbeVideo(path string) (v Video, complaints string, err error) {
	var r struct {
		Streams []struct {
			Codec  string `json:"codec_name"`
			Width  int    `json:"width"`
			Height int    `json:"height"`
			Frames string `json:"nb_read_frames"`
		} `json:"streams"`
		Format struct {
			Duration string `json:"duration"`
		} `json:"format"`
	}
	complaints, err = ProbeJSON(path, &r, "-count_frames", "-show_streams", "-show_format")
	if err != nil {
		return Video{}, complaints, err
	}
	if len(r.Streams) != 1 {
		return Video{}, complaints, fmt.Errorf("ffprobe %s: %d streams, want one", path, len(r.Streams))
	}
	s := r.Streams[0]
	v = Video{Codec: s.Codec, Width: s.Width, Height: s.Height}
	v.Frames, _ = strconv.Atoi(s.Frames)
	v.Duration, _ = strconv.ParseFloat(r.Format.Duration, 64)
	return v, complaints, nil
}

// ProbeJSON runs ffprobe -v error -of json with args on path and decodes its answer
// into v (a struct of the entries asked for); complaints is what ffprobe wrote at -v
// error.
func ProbeJSON(path string, v any, args ...string) (complaints string, err error) {
	out, stderr, err := toolStderr(nil, "ffprobe", append(append([]string{"-v", "error"}, args...), "-of", "json", path)...)
	if err != nil {
		return string(stderr), err
	}
	if err := json.Unmarshal(out, v); err != nil {
		return string(stderr), fmt.Errorf("ffprobe %s: unexpected output (%v): %.2000s", path, err, out)
	}
	return string(stderr), nil
}
