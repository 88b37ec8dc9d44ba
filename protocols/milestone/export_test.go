package milestone

// MergeSpans is mergeSpans, for the external tests.
var MergeSpans = mergeSpans
