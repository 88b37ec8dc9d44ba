// Package assets holds what Vigil ships inside its binary: the app icon here, the demo
// cameras' pictures in assets/demo.
package assets

import _ "embed"

// Icon is the application icon (PNG, 256×256), also named in FyneApp.toml.
//
//go:embed icon.png
var Icon []byte
