package watcher

import (
	"sync"
	"time"
)

// suppressor remembers paths that ks3sync itself is writing, so that their
// events do not echo back as local changes. It is safe for concurrent use:
// the sync workers call set while the watch loop calls drop.
type suppressor struct {
	mu        sync.Mutex
	until     map[string]time.Time
	sweepSize int // sweep expired paths once the map grows to this size
}

// set drops events for rel until the given time, replacing an earlier
// suppression of rel.
func (s *suppressor) set(rel string, until time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.until == nil {
		s.until = make(map[string]time.Time)
		s.sweepSize = 64
	}
	s.until[rel] = until
	if len(s.until) >= s.sweepSize {
		s.sweep(time.Now())
		s.sweepSize = 2*len(s.until) + 64
	}
}

// drop reports whether an event for rel at time at is suppressed.
func (s *suppressor) drop(rel string, at time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	until, ok := s.until[rel]
	if !ok {
		return false
	}
	if !at.Before(until) {
		delete(s.until, rel)
		return false
	}
	return true
}

// sweep forgets suppressions that have ended; s.mu must be held.
func (s *suppressor) sweep(now time.Time) {
	for rel, until := range s.until {
		if !now.Before(until) {
			delete(s.until, rel)
		}
	}
}
