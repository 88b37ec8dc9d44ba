// Package wire holds what the wire types of Milestone's two SOAP services
// (../servercommand, ../recordercommand) share: the guid type of both WSDLs, the request
// element named at run time after its operation, the answer holding its operation's
// result, the empty answer, and the walk over an element's children (EachChild). The
// XML is the same as with a name fixed in a struct tag: encoding/xml writes
// <Op xmlns="ns"> from a start element's name as it does from a tag, and an answer's
// element and result are read by their names as tags would read them.
package wire

import (
	"encoding/xml"
	"fmt"
	"strings"
)

// Guid is the WSDLs' tns:guid, a string on the wire.
type Guid string

// Request is an operation's request: the element Name holding the fields of Args (a
// struct, or a pointer to one, without an XMLName), so one argument type serves every
// operation that takes the same arguments. (A name held in an embedded struct's XMLName
// would not do: encoding/xml reads such a value from the wrong field.)
type Request struct {
	Name xml.Name
	Args any
}

// MarshalXML writes Args under Name, whatever element the caller asked for.
func (r Request) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	return e.EncodeElement(r.Args, xml.StartElement{Name: r.Name})
}

// Ack is the answer of an operation that returns nothing (<OpResponse/>). Its content is
// skipped; Check says whether the element was the one expected, as a struct tag would
// have made the decoder check.
type Ack struct {
	XMLName xml.Name
}

// Check fails unless the answer's element is want, with the messages encoding/xml gives
// for a tagged element of another name or name space (the server's name cut to 64 characters).
func (a *Ack) Check(want xml.Name) error {
	switch got := a.XMLName; {
	case got.Local != want.Local:
		return fmt.Errorf("expected element type <%s> but have <%.64s>", want.Local, got.Local)
	case got.Space != want.Space:
		space := got.Space
		if space == "" {
			space = "no name space"
		}
		return fmt.Errorf("expected element <%s> in name space %s but have %.64s", want.Local, want.Space, space)
	}
	return nil
}

// Response is the answer of an operation Op that returns a T: the element <OpResponse>
// holding <OpResult>, so one type serves every operation (as the generated
// OpResponse{XMLName; OpResult *T} types did, one per operation). Check, from Ack, says
// whether the element was the one expected; Result is nil when the answer holds none.
type Response[T any] struct {
	Ack
	Result *T
}

// Check passes an answer without an element (an empty Body), whose Result is then nil,
// as the tagged OpResponse types did; an element must be want, as for Ack.
func (r *Response[T]) Check(want xml.Name) error {
	if r.XMLName == (xml.Name{}) {
		return nil
	}
	return r.Ack.Check(want)
}

// UnmarshalXML reads the answer start: its child named after it (OpResponse → OpResult,
// in any name space, as an untagged-space field matches) into Result; the rest is
// skipped, as fields the type does not have are.
func (r *Response[T]) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	r.XMLName = start.Name
	result := strings.TrimSuffix(start.Name.Local, "Response") + "Result"
	return EachChild(d, func(t xml.StartElement) error {
		if t.Name.Local != result {
			return d.Skip()
		}
		if r.Result == nil {
			r.Result = new(T)
		}
		return d.DecodeElement(r.Result, &t)
	})
}

// EachChild reads the children of the element just started, to its end, handing each
// child element's start to child, which consumes the element (DecodeElement, Skip).
func EachChild(d *xml.Decoder, child func(xml.StartElement) error) error {
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := child(t); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}
