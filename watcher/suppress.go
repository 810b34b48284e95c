package watcher

import (
	"io/fs"
	"strings"
	"sync"
	"time"
)

// suppressor remembers paths that ks3sync itself is writing, so that their
// events do not echo back as local changes. While a write is in progress
// every event of its path is dropped; once the write is settled, only the
// events that find the path as ks3sync left it are, so that a change the
// user makes right after a download is never lost. It is safe for
// concurrent use: the sync workers call set and settle while the watch
// loop calls drop.
type suppressor struct {
	mu        sync.Mutex
	until     map[string]echo
	sweepSize int // sweep expired paths once the map grows to this size
}

// echo is one suppression: until when, and, once settled, the state the
// write left the path in.
type echo struct {
	until   time.Time
	settled bool
	left    fileState
}

// fileState is what an echo compares: whether the path exists, and its
// type, size and mtime.
type fileState struct {
	exists bool
	mode   fs.FileMode
	size   int64
	mtime  time.Time
}

func stateOf(fi fs.FileInfo, err error) fileState {
	if err != nil {
		return fileState{}
	}
	return fileState{exists: true, mode: fi.Mode().Type(), size: fi.Size(), mtime: fi.ModTime()}
}

// set drops events for rel until the given time, replacing an earlier
// suppression of rel: ks3sync is about to write it.
func (s *suppressor) set(rel string, until time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.until == nil {
		s.until = make(map[string]echo)
		s.sweepSize = 64
	}
	s.until[rel] = echo{until: until}
	if len(s.until) >= s.sweepSize {
		s.sweep(time.Now())
		s.sweepSize = 2*len(s.until) + 64
	}
}

// settle records that ks3sync's write of rel is done and left it in state
// left: from now on only events that find rel in that state are dropped.
func (s *suppressor) settle(rel string, left fileState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.until[rel]; ok {
		e.settled, e.left = true, left
		s.until[rel] = e
	}
}

// drop reports whether an event for rel at time at is an echo of
// ks3sync's own write. stat reads the path's state now; it is called only
// for a settled suppression.
func (s *suppressor) drop(rel string, at time.Time, stat func(rel string) fileState) bool {
	s.mu.Lock()
	e, ok := s.until[rel]
	s.mu.Unlock()
	if !ok {
		return false
	}
	if !at.Before(e.until) {
		s.forget(rel, e)
		return false
	}
	if !e.settled {
		return true
	}
	if stat(rel) == e.left {
		return true
	}
	// Changed since ks3sync left it: the user's change, which must be
	// synced, and so must every later event of the path.
	s.forget(rel, e)
	return false
}

// forget removes the suppression e of rel, unless a newer one replaced it.
func (s *suppressor) forget(rel string, e echo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, ok := s.until[rel]; ok && cur == e {
		delete(s.until, rel)
	}
}

// forgetUnder forgets every suppression of a path inside the folder dir:
// the folder went (moved away or removed), so whatever comes back at those
// paths is a change of the user's, even when it finds a file as ks3sync
// left it (a folder moved away and back).
func (s *suppressor) forgetUnder(dir string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for rel := range s.until {
		if strings.HasPrefix(rel, dir+"/") {
			delete(s.until, rel)
		}
	}
}

// sweep forgets suppressions that have ended; s.mu must be held.
func (s *suppressor) sweep(now time.Time) {
	for rel, e := range s.until {
		if !now.Before(e.until) {
			delete(s.until, rel)
		}
	}
}
