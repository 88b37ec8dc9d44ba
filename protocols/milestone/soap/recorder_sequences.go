package soap

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/protocols/milestone/soap/recordercommand"
	"github.com/vigil-cctv/vigil/protocols/milestone/soap/wire"
)

// RecordingSequenceType is the Id of the RecordingSequence type as a 2025 server lists
// it (milestone.md §1.8 [C]): the spans a camera has recorded video of. Prefer what
// SequenceTypes lists (RecordingSequenceID); this is the fallback.
const RecordingSequenceType = "f9c62604-d0c5-4050-ae25-72de51639b14"

// MaxSequences is the most sequences one SequencesGet asks for (and keeps).
const MaxSequences = recordercommand.MaxSequenceEntries

// SequenceType is a kind of sequence the recorder keeps for a camera.
type SequenceType struct {
	ID   string // guid
	Name string // e.g. "RecordingSequence", "MotionSequence" (capture.CleanText, at most 64 characters)
}

// Sequence is one sequence of a camera, [Begin, End); Trigged is when its trigger fired
// (for a recording sequence, Begin [I]), zero when absent or unparsable.
type Sequence struct {
	Begin, Trigged, End time.Time
}

// SequenceTypes lists the kinds of sequence the recorder keeps for the camera
// (SequencesGetTypes, milestone.md §1.8), at most recordercommand.MaxSequenceTypes;
// entries without an Id (or with one over 64 bytes) are left out.
func (rc *RecorderClient) SequenceTypes(ctx context.Context, token, deviceID string) ([]SequenceType, error) {
	cam := camera(token, deviceID)
	resp, err := callOp[wire.Response[recordercommand.ArrayOfSequenceType]](ctx, rc.c, "SequencesGetTypes", &cam)
	if err != nil {
		return nil, fmt.Errorf("sequence types of camera %s: %w", deviceID, rc.explain(err, deviceID))
	}
	return sequenceTypes(resp.Result), nil
}

// sequenceTypes converts SequencesGetTypes' types as SequenceTypes documents it.
func sequenceTypes(a *recordercommand.ArrayOfSequenceType) []SequenceType {
	var out []SequenceType
	if a != nil {
		for _, t := range a.Items {
			if id := strings.TrimSpace(t.Id); id != "" && len(id) <= 64 {
				out = append(out, SequenceType{ID: id, Name: capture.CleanText(t.Name, 64)})
			}
		}
	}
	return out
}

// RecordingSequenceID picks the recording type from what SequenceTypes listed: the one
// whose Id is RecordingSequenceType, else one named "RecordingSequence" (or "Recording",
// any case, spaces ignored), else RecordingSequenceType itself.
func RecordingSequenceID(types []SequenceType) string {
	for _, t := range types {
		if strings.EqualFold(t.ID, RecordingSequenceType) {
			return t.ID
		}
	}
	for _, t := range types {
		n := strings.ToLower(strings.ReplaceAll(t.Name, " ", ""))
		if n == "recordingsequence" || n == "recording" {
			return t.ID
		}
	}
	return RecordingSequenceType
}

// Sequences lists the camera's sequences of type typeID (a SequenceType's ID) in
// [from, to) (SequencesGet): at most max of them (≤ 0 or more than MaxSequences:
// MaxSequences), oldest first, each clipped to [from, to). The recorder's times are read
// as RFC 3339 (.NET's 2025-10-27T10:00:00Z, with or without fractions; UTC without a
// zone). Entries the recorder got wrong are skipped, not an error: a begin or end that
// does not parse, an end before the begin, and those outside [from, to) after clipping
// (an entry of no length inside it stays). Which entries a recorder picks when more than
// max match is its choice (the oldest, presumably [I]); a caller wanting them all asks
// again from the newest end it got (SequencesPage says when that is worth it).
func (rc *RecorderClient) Sequences(ctx context.Context, token, deviceID, typeID string, from, to time.Time, max int) ([]Sequence, error) {
	seqs, _, err := rc.SequencesPage(ctx, token, deviceID, typeID, from, to, max)
	return seqs, err
}

// SequencesPage is Sequences that also says whether the recorder's answer was full (as
// many entries as asked for, counted before any is skipped or clipped away), so that more
// may match after the newest end it gave.
func (rc *RecorderClient) SequencesPage(ctx context.Context, token, deviceID, typeID string, from, to time.Time, max int) (seqs []Sequence, full bool, err error) {
	max = sequencesMax(max)
	id := wire.Guid(typeID)
	const layout = "2006-01-02T15:04:05.000Z"
	resp, err := callOp[wire.Response[recordercommand.ArrayOfSequenceEntry]](ctx, rc.c, "SequencesGet", &recordercommand.SequencesGet{
		Camera: camera(token, deviceID), SequenceType: &id, MinTime: from.UTC().Format(layout), MaxTime: to.UTC().Format(layout), MaxCount: int32(max)})
	if err != nil {
		return nil, false, fmt.Errorf("recorded sequences of camera %s: %w", deviceID, rc.explain(err, deviceID))
	}
	full = resp.Result != nil && len(resp.Result.Items) >= max
	return sequences(resp.Result, from, to, max), full, nil
}

// sequencesMax is the number of sequences asked for and kept for a max given to
// Sequences.
func sequencesMax(max int) int {
	if max <= 0 || max > MaxSequences {
		return MaxSequences
	}
	return max
}

// sequences converts SequencesGet's entries as Sequences documents it.
func sequences(a *recordercommand.ArrayOfSequenceEntry, from, to time.Time, max int) []Sequence {
	max = sequencesMax(max)
	if a == nil || !from.Before(to) {
		return nil
	}
	var out []Sequence
	for _, e := range a.Items {
		b, end := parseDateTime(e.TimeBegin), parseDateTime(e.TimeEnd)
		if b.IsZero() || end.IsZero() || end.Before(b) {
			continue
		}
		point := b.Equal(end)
		if b.Before(from) {
			b = from
		}
		if end.After(to) {
			end = to
		}
		if !b.Before(to) || end.Before(b) || end.Equal(b) && !point {
			continue
		}
		out = append(out, Sequence{Begin: b, Trigged: parseDateTime(e.TimeTrigged), End: end})
	}
	slices.SortStableFunc(out, func(x, y Sequence) int { return x.Begin.Compare(y.Begin) })
	if len(out) > max {
		out = out[:max]
	}
	return out
}
