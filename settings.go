// Package vigil is the root of the Vigil module. It holds only what must live beside the
// repository's top-level files: the documented default settings, embedded in the binary.
// Behaviour lives in the sub-packages (config, capture, protocols, ui, …).
package vigil

import _ "embed" // for DefaultSettings

// DefaultSettings is the repository's settings.yaml — the documented default that opens the
// demo wall — embedded so that `vigil` runs with nothing to configure. The config package
// loads it when neither --config nor the user's settings file is present. The app never
// writes it back (see DESIGN.md "Settings"); treat the slice as read-only.
//
//go:embed settings.yaml
var DefaultSettings []byte
