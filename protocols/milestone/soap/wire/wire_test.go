package wire

import (
	"encoding/xml"
	"strings"
	"testing"
)

// An answer is checked as a tagged element would be: another name or name space is
// refused with encoding/xml's messages; an empty Body (no element) passes with no Result,
// as it did before one Response type served every operation; an Ack needs its element.
func TestResponseCheck(t *testing.T) {
	want := xml.Name{Space: "urn:ns", Local: "OpResponse"}
	decode := func(body string) *Response[struct{ A string }] {
		var env struct {
			Body struct {
				R Response[struct{ A string }] `xml:",any"`
			} `xml:"Body"`
		}
		if err := xml.Unmarshal([]byte(`<Envelope><Body>`+body+`</Body></Envelope>`), &env); err != nil {
			t.Fatal(err)
		}
		return &env.Body.R
	}
	if r := decode(`<OpResponse xmlns="urn:ns"><OpResult><A>x</A></OpResult></OpResponse>`); r.Check(want) != nil || r.Result == nil || r.Result.A != "x" {
		t.Errorf("the right answer: %+v, %v", r, r.Check(want))
	}
	if r := decode(``); r.Check(want) != nil || r.Result != nil {
		t.Errorf("an empty Body: %+v, %v", r, r.Check(want))
	}
	for body, msg := range map[string]string{
		`<OtherResponse xmlns="urn:ns"/>`:     "expected element type <OpResponse> but have <OtherResponse>",
		`<OpResponse xmlns="urn:other"/>`:     "expected element <OpResponse> in name space urn:ns but have urn:other",
		`<OpResponse/>`:                       "in name space urn:ns but have no name space",
		`<` + strings.Repeat("x", 200) + `/>`: "but have <" + strings.Repeat("x", 64) + ">",
	} {
		if err := decode(body).Check(want); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%.40s: %v, want %q", body, err, msg)
		}
	}
	if err := (&Ack{}).Check(want); err == nil {
		t.Error("an Ack without its element passed")
	}
}
