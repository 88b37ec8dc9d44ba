// Package wire holds what the wire types of Milestone's two SOAP services
// (../servercommand, ../recordercommand) share: the guid type of both WSDLs, the request
// element named at run time after its operation, and the empty answer. The XML is the
// same as with a name fixed in a struct tag: encoding/xml writes <Op xmlns="ns"> from a
// start element's name as it does from a tag.
package wire

import (
	"encoding/xml"
	"fmt"
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

// Check fails unless the answer's element is want, with the message encoding/xml gives
// for a tagged element of another name.
func (a *Ack) Check(want xml.Name) error {
	if a.XMLName != want {
		return fmt.Errorf("expected element <%s> in name space %s but have <%s>", want.Local, want.Space, a.XMLName.Local)
	}
	return nil
}
