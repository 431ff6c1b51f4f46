package social

import (
	"context"
	"fmt"

	"github.com/herd-social/herd/storage"
)

// addToConversations records a new direct status in the conversations of
// the local accounts that received it (owners: the author when local and
// the mentioned local accounts): unread for everyone but the author, as on
// Mastodon.
func (s *Service) addToConversations(ctx context.Context, tx storage.Store, st *storage.Status, author *storage.Account, owners []storage.ID) error {
	if st.Visibility != storage.VisibilityDirect || st.ReblogOfID != 0 || len(owners) == 0 {
		return nil
	}
	thread := st.ConversationID
	if thread == 0 {
		thread = st.ID
	}
	participants := []storage.ID{author.ID}
	for _, m := range st.Mentions {
		if m.AccountID != 0 {
			participants = append(participants, m.AccountID)
		}
	}
	for _, id := range owners {
		if _, err := tx.Conversations().AddStatus(ctx, id, thread, st.ID, participants, id != author.ID); err != nil {
			return fmt.Errorf("record conversation: %w", err)
		}
	}
	return nil
}

// removeFromConversations removes a deleted direct status from the
// conversations of its thread.
func removeFromConversations(ctx context.Context, tx storage.Store, st *storage.Status) error {
	if st.Visibility != storage.VisibilityDirect || st.ReblogOfID != 0 {
		return nil
	}
	thread := st.ConversationID
	if thread == 0 {
		thread = st.ID
	}
	if err := tx.Conversations().RemoveStatus(ctx, thread, st.ID); err != nil {
		return fmt.Errorf("remove status from conversations: %w", err)
	}
	return nil
}

// Conversations pages through the account's direct conversations, by
// their last status, newest first.
func (s *Service) Conversations(ctx context.Context, account *storage.Account, p storage.Page) ([]*storage.Conversation, error) {
	if err := requireLocal(account); err != nil {
		return nil, err
	}
	out, err := s.store.Conversations().List(ctx, account.ID, p)
	if err != nil {
		return nil, fmt.Errorf("conversations: %w", err)
	}
	return out, nil
}

// Conversation returns one of the account's conversations.
func (s *Service) Conversation(ctx context.Context, account *storage.Account, id storage.ID) (*storage.Conversation, error) {
	if err := requireLocal(account); err != nil {
		return nil, err
	}
	c, err := s.store.Conversations().Get(ctx, account.ID, id)
	if err != nil {
		return nil, notFound(err, "conversation %s", id)
	}
	return c, nil
}

// ConversationOfStatus returns the account's conversation holding a direct
// status, for the streaming API's conversation events.
func (s *Service) ConversationOfStatus(ctx context.Context, account *storage.Account, st *storage.Status) (*storage.Conversation, error) {
	if err := requireLocal(account); err != nil {
		return nil, err
	}
	thread := st.ConversationID
	if thread == 0 {
		thread = st.ID
	}
	c, err := s.store.Conversations().GetByThread(ctx, account.ID, thread)
	if err != nil {
		return nil, notFound(err, "conversation of status %s", st.ID)
	}
	return c, nil
}

// MarkConversation marks one of the account's conversations read or
// unread and returns it.
func (s *Service) MarkConversation(ctx context.Context, account *storage.Account, id storage.ID, unread bool) (*storage.Conversation, error) {
	if _, err := s.Conversation(ctx, account, id); err != nil {
		return nil, err
	}
	if err := s.store.Conversations().SetUnread(ctx, account.ID, id, unread); err != nil {
		return nil, notFound(err, "mark conversation %s", id)
	}
	return s.Conversation(ctx, account, id)
}

// DeleteConversation removes a conversation from the account's list; a
// later direct status in the thread brings it back.
func (s *Service) DeleteConversation(ctx context.Context, account *storage.Account, id storage.ID) error {
	if err := requireLocal(account); err != nil {
		return err
	}
	if err := s.store.Conversations().Delete(ctx, account.ID, id); err != nil {
		return notFound(err, "delete conversation %s", id)
	}
	return nil
}

// DirectTimeline pages through the direct statuses the viewer wrote or
// was mentioned in, newest first, leaving out those the viewer may not
// see or has muted or blocked the authors of.
func (s *Service) DirectTimeline(ctx context.Context, viewer *storage.Account, p storage.Page) ([]*storage.Status, error) {
	if err := requireLocal(viewer); err != nil {
		return nil, err
	}
	out, err := fillPage(p, func(p storage.Page) ([]*storage.Status, []storage.ID, error) {
		ids, err := s.store.DirectStatuses().Page(ctx, viewer.ID, p)
		if err != nil {
			return nil, nil, err
		}
		sts, err := s.getOrdered(ctx, s.store, ids)
		return sts, ids, err
	}, func(sts []*storage.Status) ([]*storage.Status, error) {
		return s.filter(ctx, s.store, viewer.ID, sts, true)
	})
	if err != nil {
		return nil, fmt.Errorf("direct timeline: %w", err)
	}
	return out, nil
}

// MuteConversation mutes the thread of a status the actor can see: the
// actor gets no more notifications about it. It returns the status.
func (s *Service) MuteConversation(ctx context.Context, actor *storage.Account, id storage.ID) (*storage.Status, error) {
	return s.setConversationMute(ctx, actor, id, true)
}

// UnmuteConversation undoes MuteConversation.
func (s *Service) UnmuteConversation(ctx context.Context, actor *storage.Account, id storage.ID) (*storage.Status, error) {
	return s.setConversationMute(ctx, actor, id, false)
}

func (s *Service) setConversationMute(ctx context.Context, actor *storage.Account, id storage.ID, mute bool) (*storage.Status, error) {
	if err := requireLocal(actor); err != nil {
		return nil, err
	}
	st, err := s.visibleStatus(ctx, s.store, actor.ID, id)
	if err != nil {
		return nil, err
	}
	thread := threadOf(st)
	if mute {
		err = s.store.ConversationMutes().Mute(ctx, actor.ID, thread)
	} else {
		err = s.store.ConversationMutes().Unmute(ctx, actor.ID, thread)
	}
	if err != nil {
		return nil, fmt.Errorf("mute conversation of %s: %w", id, err)
	}
	return st, nil
}

// threadOf is the thread a status belongs to.
func threadOf(st *storage.Status) storage.ID {
	if st.ConversationID != 0 {
		return st.ConversationID
	}
	return st.ID
}

// MutedThreads reports which of sts are in threads viewer muted, by
// status ID (for the muted field of Status entities).
func (s *Service) MutedThreads(ctx context.Context, viewer *storage.Account, sts []*storage.Status) (map[storage.ID]bool, error) {
	out := map[storage.ID]bool{}
	if viewer == nil || len(sts) == 0 {
		return out, nil
	}
	threads := make([]storage.ID, 0, len(sts))
	for _, st := range sts {
		threads = append(threads, threadOf(st))
	}
	muted, err := s.store.ConversationMutes().Muted(ctx, viewer.ID, uniqueIDs(threads))
	if err != nil {
		return nil, fmt.Errorf("muted threads: %w", err)
	}
	for _, st := range sts {
		if muted[threadOf(st)] {
			out[st.ID] = true
		}
	}
	return out, nil
}

// threadMuted reports whether recipient muted the thread of st.
func threadMuted(ctx context.Context, tx storage.Store, recipient storage.ID, st *storage.Status) (bool, error) {
	if st == nil {
		return false, nil
	}
	m, err := tx.ConversationMutes().Muted(ctx, recipient, []storage.ID{threadOf(st)})
	if err != nil {
		return false, fmt.Errorf("muted threads: %w", err)
	}
	return m[threadOf(st)], nil
}
