package capture

// OrDefault returns v when it is positive, else def: a setting left at zero (or set
// below it) takes its default.
func OrDefault[T ~int | ~int32 | ~int64 | ~float64](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}
