# Vigil — build, run, test. `make run` and `make test` work on a fresh Debian 12 machine:
# they install the system packages they need (apt-get, as root or through sudo) first.

GO       ?= go
BIN      := bin/vigil
FUZZTIME ?= 20s

# Build and run: Fyne's GLFW/GL backend (v2.8 also compiles its Wayland backend),
# TurboJPEG and libswscale for decoding JPEG at tile size, libavcodec for H.264/H.265,
# ffmpeg to encode the demo wall's RTSP cameras once, xdg-utils to open recordings,
# OpenCV (gocv, pinned at v0.31.0: the newest that builds against Debian 12's OpenCV 4.6)
# for `vigil push` from a webcam or a video file.
BUILD_PKGS := gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev \
	libxinerama-dev libxi-dev libxxf86vm-dev libwayland-dev libxkbcommon-dev libturbojpeg0-dev \
	libswscale-dev libavcodec-dev libavutil-dev libopencv-dev opencv-data ffmpeg xdg-utils
# Tests: ffmpeg is the third-party peer and the reference for `make bench`; Xvfb and
# ImageMagick take screenshots of the real window; GStreamer's RTSP server (driven by
# /usr/bin/python3) is the third-party RTSP peer; PostgreSQL's server binaries let the
# event store's tests start a real server on loopback.
TEST_PKGS := ffmpeg xvfb xauth x11-apps xdotool imagemagick \
	python3-gi gir1.2-gst-rtsp-server-1.0 python3-gst-1.0 gstreamer1.0-plugins-base \
	gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly gstreamer1.0-libav postgresql

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export PATH := $(PATH):/usr/local/go/bin

.PHONY: all deps test-deps build run test vet nocgo fuzz bench screenshot clean

all: build

# apt-get only what is missing, so a second run costs nothing.
define apt_install
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing: $$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

deps: go-check
	$(call apt_install,$(BUILD_PKGS))

test-deps: deps
	$(call apt_install,$(TEST_PKGS))

.PHONY: go-check
go-check:
	@command -v $(GO) >/dev/null || { echo "Go is not installed: install Go $$(sed -n 's/^go //p' go.mod) or newer from go.dev/dl into /usr/local/go"; exit 1; }

build: deps
	$(GO) build -o $(BIN) ./cmd/vigil

# The demo wall opens when you have no settings file of your own.
run: build
	./$(BIN)

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

# Everything but the app's main builds (and vets, tests included) without cgo: the decoders
# fall back to pure Go, so capture, protocols, recorder and ui stay free of C.
nocgo:
	CGO_ENABLED=0 $(GO) vet $$($(GO) list ./... | grep -v '/cmd/vigil$$')

# Every test, with the race detector; fuzz seed corpora run as ordinary tests. The
# detectors run again with gocv's Mat profile, which fails on a Mat left unclosed.
# Benchmarks are not run here (see `make bench`).
test: test-deps vet nocgo
	$(GO) test -race -count=1 -timeout 20m ./...
	$(GO) test -count=1 -tags matprofile ./analytics/detect

# Runs each fuzz target for FUZZTIME.
fuzz:
	@for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
			echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 2s $$pkg || exit 1; \
		done; \
	done

# The pipeline against ffmpeg and the TurboJPEG floor on the same streams (issue 2).
BENCH_ARGS ?= --streams 16 --size 1920x1080 --fps 15 --tile 480x270 --duration 20s --vs-ffmpeg
# Both benches: 16 MJPEG cameras (vs ffmpeg and the TurboJPEG floor), then 8 RTSP H.264
# cameras (vs ffmpeg -threads 1 on the same URLs). BENCH_ARGS / RTSP_BENCH_ARGS add flags.
# Then motion: false events in the still hour, the time of a 320×180 frame, and a motion
# search over an hour of one camera's recordings.
RTSP_BENCH_ARGS ?= --vs-ffmpeg
bench: build test-deps
	./$(BIN) bench $(BENCH_ARGS)
	./$(BIN) bench --rtsp $(RTSP_BENCH_ARGS)
	$(GO) test -run '^$$' -bench 'StillHour' -benchtime 1x ./analytics/
	$(GO) test -run '^$$' -bench 'Detect320x180' -benchtime 2000x ./analytics/motion/
	$(GO) test -run '^$$' -bench 'MotionSearchHour|Motion16DemoCameras' -benchtime 1x ./internal/panel/

# A screenshot of the real window on the demo wall, under Xvfb, into docs/wall.png: it
# waits for the window (the first run builds the demo's pictures), then SHOT_WAIT seconds.
SHOT_WAIT ?= 15
screenshot: build test-deps
	@set -e; d=:$$((90 + $$$$ % 9)); rt=$$(mktemp -d); \
	Xvfb $$d -screen 0 1920x1080x24 -nolisten tcp >/dev/null 2>&1 & xpid=$$!; sleep 1; \
	DISPLAY=$$d LANG=en_US.UTF-8 XDG_RUNTIME_DIR=$$rt ./$(BIN) $(SHOT_ARGS) >$$rt/log 2>&1 & vpid=$$!; \
	wid=; for i in $$(seq 120); do wid=$$(DISPLAY=$$d xdotool search --name '^Vigil$$' 2>/dev/null | head -1); \
	  [ -n "$$wid" ] && break; sleep 1; done; \
	if [ -z "$$wid" ]; then kill $$vpid $$xpid; echo "no Vigil window after 120 s:"; tail -20 $$rt/log; exit 1; fi; \
	sleep $(SHOT_WAIT); DISPLAY=$$d import -window "$$wid" docs/wall.png; kill $$vpid; wait $$vpid || true; kill $$xpid; \
	echo "wrote docs/wall.png (window $$wid)"

clean:
	rm -rf bin
