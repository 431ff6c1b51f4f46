package sqlstore

// CachedStatements reports how many prepared statements the store keeps on
// its writer and its reader (the same number twice when they are one
// database).
func (s *Store) CachedStatements() (writer, reader int) {
	if s.wc != nil {
		writer = s.wc.len()
	}
	if s.rc != nil {
		reader = s.rc.len()
	}
	return writer, reader
}
