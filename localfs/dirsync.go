package localfs

import (
	"os"
	"runtime"
	"sync"
)

// syncDir makes the renames made in dir so far durable, where the system
// can sync a folder; it is best effort (Windows cannot open a folder for
// syncing).
//
// Concurrent callers share flushes: a caller waits for a flush of dir that
// began after it called, starting one itself when none is running, and
// every caller that arrived meanwhile is served by the same flush. A pull
// of many small files into one folder, 16 at a time, then pays for about
// two folder flushes per group of renames instead of one per file, with
// the same guarantee for each file: its rename is on disk before syncDir
// returns.
func syncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	ds := dirSyncs.acquire(dir)
	defer dirSyncs.release(dir, ds)
	ds.wait(func() {
		if d, err := os.Open(dir); err == nil {
			d.Sync()
			d.Close()
		}
	})
}

// dirSync coordinates the flushes of one folder.
type dirSync struct {
	mu      sync.Mutex
	cond    sync.Cond
	running bool
	started uint64 // flushes begun
	done    uint64 // the number of the last flush that ended
	users   int    // callers holding it (guarded by dirSyncs' lock)
}

// wait returns once a flush that began after the call has ended, running
// flush itself when no flush is running.
func (ds *dirSync) wait(flush func()) {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	need := ds.started + 1 // a flush running now may have begun before the rename
	for ds.done < need {
		if ds.running {
			ds.cond.Wait()
			continue
		}
		ds.running = true
		ds.started++
		n := ds.started
		ds.mu.Unlock()
		flush()
		ds.mu.Lock()
		ds.running, ds.done = false, n
		ds.cond.Broadcast()
	}
}

// dirSyncRegistry holds a dirSync per folder while someone uses it, so
// that the map stays as small as the folders being written at once.
type dirSyncRegistry struct {
	mu sync.Mutex
	m  map[string]*dirSync
}

var dirSyncs dirSyncRegistry

func (r *dirSyncRegistry) acquire(dir string) *dirSync {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = make(map[string]*dirSync)
	}
	ds := r.m[dir]
	if ds == nil {
		ds = &dirSync{}
		ds.cond.L = &ds.mu
		r.m[dir] = ds
	}
	ds.users++
	return ds
}

func (r *dirSyncRegistry) release(dir string, ds *dirSync) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ds.users--; ds.users == 0 {
		delete(r.m, dir)
	}
}
