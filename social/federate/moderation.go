package federate

import (
	"context"
	"fmt"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// maxFlagObjects bounds the objects of an inbound Flag that are looked up.
const maxFlagObjects = 50

// onFlag turns a Flag (a report from another server) about a local account
// into a report for local moderators. Its objects are the reported actor
// and some of its posts; a Flag naming several local accounts reports the
// first. Unknown objects are ignored.
func (f *Federator) onFlag(ctx context.Context, in *federation.Incoming[federation.Flag]) error {
	objs := in.Activity.Targets()
	if len(objs) > maxFlagObjects {
		objs = objs[:maxFlagObjects]
	}
	var target *storage.Account
	for _, iri := range objs {
		a, err := f.localByURI(ctx, iri)
		if err != nil {
			return err
		}
		if a != nil {
			target = a
			break
		}
	}
	var statuses []*storage.Status
	for _, iri := range objs {
		st, err := f.statusByURI(ctx, iri)
		if err != nil {
			return err
		}
		if st != nil && st.Local {
			statuses = append(statuses, st)
		}
	}
	if target == nil && len(statuses) > 0 {
		// Some servers list only the posts.
		a, err := f.store.Accounts().Get(ctx, statuses[0].AccountID)
		if err != nil {
			return fmt.Errorf("federate: flag: %w", err)
		}
		target = a
	}
	if target == nil {
		return federation.ErrInvalidActivity("Flag names no local account")
	}
	var ids []storage.ID
	for _, st := range statuses {
		if st.AccountID == target.ID {
			ids = append(ids, st.ID)
		}
	}
	_, err := f.svc.ReceiveReport(ctx, social.RemoteReport{URI: in.Activity.ID(), From: in.Signer, Target: target,
		StatusIDs: ids, Comment: f.z.Text(in.Activity.Comment())})
	return f.answer("Flag", err)
}

// sendFlag sends a forwarded report to the reported account's server (and
// the servers of e.ForwardTo) as a Flag from the instance actor, so that
// the reporter stays anonymous, as Mastodon does.
func (f *Federator) sendFlag(ctx context.Context, e social.Event) error {
	if e.Report == nil || e.Target == nil || e.Target.Local() {
		return nil
	}
	inst, err := f.store.Accounts().GetByURI(ctx, f.urls.InstanceActor())
	if err != nil {
		return fmt.Errorf("federate: flag: instance actor: %w", err)
	}
	objects := ap.Refs{ap.IRIRef(e.Target.URI)}
	if len(e.Report.StatusIDs) > 0 {
		sts, err := f.store.Statuses().GetMany(ctx, e.Report.StatusIDs)
		if err != nil {
			return fmt.Errorf("federate: flag: statuses: %w", err)
		}
		for _, st := range sts {
			objects = append(objects, ap.IRIRef(st.URI))
		}
	}
	flag := &ap.Object{ID: e.Report.URI, Type: ap.TypeFlag, Actor: ap.IRIRef(inst.URI), Content: e.Report.Comment,
		Object: objects, To: []string{e.Target.URI}}
	rcpts := append([]string{e.Target.URI}, e.ForwardTo...)
	return f.sender.Send(ctx, inst, flag, rcpts...)
}
