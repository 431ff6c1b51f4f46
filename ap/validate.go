package ap

import (
	"errors"
	"fmt"
	"net/url"
)

// ErrMissingField and ErrInvalidIRI are wrapped by the errors of Validate and
// ValidateActivity.
var (
	ErrMissingField = errors.New("ap: required property missing")
	ErrInvalidIRI   = errors.New("ap: not an absolute IRI")
)

// Validate checks what every dereferenceable object must carry: a type and
// an id that is an absolute IRI. Activities are additionally checked as by
// ValidateActivity.
func (o *Object) Validate() error {
	if o == nil {
		return fmt.Errorf("%w: nil object", ErrMissingField)
	}
	if o.Type == "" {
		return fmt.Errorf("%w: type", ErrMissingField)
	}
	if err := checkIRI("id", o.ID); err != nil {
		return err
	}
	if IsActivityType(o.Type) {
		return o.ValidateActivity()
	}
	return nil
}

// ValidateActivity checks an inbound activity: id, type and actor are
// required, id and actor must be absolute IRIs, and activities that act on
// something (Create, Follow, Like, Undo… every transitive type Herd handles)
// must have an object. It does not check origins; see SameOrigin.
func (o *Object) ValidateActivity() error {
	if o == nil {
		return fmt.Errorf("%w: nil activity", ErrMissingField)
	}
	if o.Type == "" {
		return fmt.Errorf("%w: type", ErrMissingField)
	}
	if err := checkIRI("id", o.ID); err != nil {
		return err
	}
	if err := checkIRI("actor", o.Actor.ID()); err != nil {
		return err
	}
	if transitive(o.Type) && len(o.Object.IRIs()) == 0 && o.Object.Obj() == nil {
		return fmt.Errorf("%w: object of %s", ErrMissingField, o.Type)
	}
	return nil
}

func checkIRI(field, v string) error {
	if v == "" {
		return fmt.Errorf("%w: %s", ErrMissingField, field)
	}
	u, err := url.Parse(v)
	if err != nil || !u.IsAbs() || (u.Host == "" && u.Opaque == "") {
		return fmt.Errorf("%w: %s %q", ErrInvalidIRI, field, v)
	}
	return nil
}
