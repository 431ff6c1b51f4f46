package social

// EventFiltersChanged tells that Actor's keyword filters changed (a filter,
// keyword or filtered status was created, updated or deleted). Package
// social/filter publishes it; the streaming API sends "filters_changed" to
// the account's user stream.
const EventFiltersChanged EventType = "filters.changed"

// Events returns the sink the service publishes to (nil: none), so that
// companion services (such as social/filter) publish to the same place.
func (s *Service) Events() EventSink { return s.opts.Events }
