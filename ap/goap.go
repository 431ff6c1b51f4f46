package ap

import (
	"fmt"

	vocab "github.com/go-ap/activitypub"
)

// ToGoAP converts o to the equivalent github.com/go-ap/activitypub item, for
// code built on go-ap (its storage, processing and client packages). The
// conversion goes through the JSON wire form, so the go-ap item holds what
// go-ap models: extension properties (sensitive, blurhash, quote fields,
// actor flags…) and Unknown are not representable there and are lost.
func (o *Object) ToGoAP() (vocab.Item, error) {
	data, err := Encode(o)
	if err != nil {
		return nil, err
	}
	it, err := vocab.UnmarshalJSON(data)
	if err != nil {
		return nil, fmt.Errorf("ap: to go-ap: %w", err)
	}
	return it, nil
}

// FromGoAP converts a go-ap item (object, activity, actor, collection, link
// or IRI) to an Object. A bare IRI becomes an Object with only ID set.
func FromGoAP(it vocab.Item) (*Object, error) {
	if vocab.IsNil(it) {
		return nil, fmt.Errorf("ap: from go-ap: nil item")
	}
	if vocab.IsIRI(it) {
		return &Object{ID: it.GetLink().String()}, nil
	}
	data, err := vocab.MarshalJSON(it)
	if err != nil {
		return nil, fmt.Errorf("ap: from go-ap: %w", err)
	}
	o, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("ap: from go-ap: %w", err)
	}
	return o, nil
}
