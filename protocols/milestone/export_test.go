package milestone

// MergeSpans is mergeSpans, for the external tests.
var MergeSpans = mergeSpans

// SetSpansPages sets how many pages RecordedSpans asks for, until the test ends.
func SetSpansPages(t interface{ Cleanup(func()) }, n int) {
	old := spansPages
	spansPages = n
	t.Cleanup(func() { spansPages = old })
}
