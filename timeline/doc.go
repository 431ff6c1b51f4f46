// Package timeline carries real-time timeline events between the parts of
// Herd that produce them (posting, federation) and those that push them to
// clients (the streaming API), within one process or across several.
//
// A Hub is a publish/subscribe bus of small Messages addressed to named
// channels ("user:123", "public:local", "hashtag:golang" …). Messages carry
// references (a status ID, a notification ID), not rendered entities: each
// subscriber renders them for its own viewer, applying visibility, blocks,
// mutes and filters. That keeps messages small enough for PostgreSQL's
// NOTIFY and lets one message serve every viewer.
//
// Two hubs ship with Herd: NewMemoryHub, the in-process default, and
// timeline/pghub, which uses PostgreSQL LISTEN/NOTIFY so that several herd
// processes on one database stream each other's events. Both pass the
// conformance suite in timeline/hubtest.
//
// Subscribers never slow publishers: each subscription has a bounded
// buffer, and a subscription whose buffer is full is closed (Err reports
// ErrSlowSubscriber) instead of blocking the publisher.
package timeline
