package watcher

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/rs/zerolog"

	"github.com/ks3sync/ks3sync/localfs"
)

// fakeNotifier records watches instead of asking the kernel; addErr, when
// set, decides the error for a path.
type fakeNotifier struct {
	mu      sync.Mutex
	watches map[string]bool
	adds    int
	addErr  func(name string) error
}

func (f *fakeNotifier) Add(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.addErr != nil {
		if err := f.addErr(name); err != nil {
			return err
		}
	}
	f.watches[name] = true
	f.adds++
	return nil
}

func (f *fakeNotifier) Remove(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.watches, name)
	return nil
}

func (f *fakeNotifier) has(name string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.watches[name]
}

// syncBuffer is a log sink the loop goroutine writes while the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// harness runs the watch loop of a Watcher on a fake notification source,
// inside a synctest bubble.
type harness struct {
	t      *testing.T
	w      *Watcher
	root   string
	fs     *fakeNotifier
	events chan fsnotify.Event
	errs   chan error
	out    chan Batch
	logs   *syncBuffer
	stop   func()
}

// startLoop starts the loop on a new root holding dirs and takes the first
// batch, the startup rescan.
func startLoop(t *testing.T, opts Options, dirs ...string) *harness {
	t.Helper()
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		mkdirs(t, filepath.Join(root, d))
	}
	h := &harness{
		t: t, root: root, logs: &syncBuffer{},
		fs:     &fakeNotifier{watches: map[string]bool{}},
		events: make(chan fsnotify.Event), errs: make(chan error), out: make(chan Batch),
	}
	opts.Logger = zerolog.New(h.logs)
	w, err := New(root, opts)
	if err != nil {
		t.Fatal(err)
	}
	h.w = w
	l := newLoop(w, h.fs)
	if err := l.start(time.Now()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- l.serve(ctx, h.events, h.errs, h.out) }()
	h.stop = func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}
	t.Cleanup(h.stop)
	if b := h.take(); !b.Rescan || b.Reason != "watch started" {
		t.Fatalf("first batch = %+v, want the startup rescan", b)
	}
	return h
}

func (h *harness) send(op fsnotify.Op, rel string) {
	h.events <- fsnotify.Event{Name: filepath.Join(h.root, filepath.FromSlash(rel)), Op: op}
}

// take returns the batch that is ready now, failing if there is none.
func (h *harness) take() Batch {
	h.t.Helper()
	synctest.Wait()
	select {
	case b := <-h.out:
		return b
	default:
		h.t.Fatalf("no batch at %v", time.Now())
		return Batch{}
	}
}

// none fails if a batch is ready now.
func (h *harness) none() {
	h.t.Helper()
	synctest.Wait()
	select {
	case b := <-h.out:
		h.t.Fatalf("unexpected batch at %v: %+v", time.Now(), b)
	default:
	}
}

func (h *harness) abs(rel string) string { return filepath.Join(h.root, filepath.FromSlash(rel)) }

func mkdirs(t *testing.T, p string) {
	t.Helper()
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
}

func wantPaths(t *testing.T, b Batch, want ...string) {
	t.Helper()
	if b.Rescan || !slices.Equal(b.Paths, want) {
		t.Fatalf("batch = %+v, want paths %q", b, want)
	}
}

// window and settle are the flush window and the time a single event takes
// to come out of the loop with the default delay.
var (
	window = coalesceWindow(DefaultDelay)
	settle = DefaultDelay + window
)

func TestLoopQuietPeriod(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startLoop(t, Options{})
		h.send(fsnotify.Create, "a.txt")
		time.Sleep(time.Second)
		h.send(fsnotify.Write, "a.txt")
		time.Sleep(settle - time.Nanosecond)
		h.none()
		time.Sleep(time.Nanosecond)
		wantPaths(t, h.take(), "a.txt")
		time.Sleep(time.Hour)
		h.none()
	})
}

func TestLoopMaxDelayUnderContinuousWrites(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startLoop(t, Options{})
		start := time.Now()
		var got []time.Duration
		done := make(chan struct{})
		go func() { // take batches the moment they are offered
			for {
				select {
				case b := <-h.out:
					wantPaths(t, b, "big.log")
					got = append(got, time.Since(start))
				case <-done:
					return
				}
			}
		}()
		for range 100 { // a write every 650 ms for 65 s
			h.send(fsnotify.Write, "big.log")
			time.Sleep(650 * time.Millisecond)
		}
		close(done)
		synctest.Wait()
		// Flushed at the hard maximum after each first write, not when the
		// writes stop.
		want := []time.Duration{30*time.Second + window, 30550*time.Millisecond + 30*time.Second + window}
		if !slices.Equal(got, want) {
			t.Fatalf("batches at %v, want %v", got, want)
		}
	})
}

func TestLoopCollapse(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startLoop(t, Options{CollapseThreshold: 4}, "photos")
		for _, name := range []string{"1.jpg", "2.jpg", "3.jpg", "4.jpg"} {
			h.send(fsnotify.Create, "photos/"+name)
		}
		time.Sleep(settle)
		wantPaths(t, h.take(), "photos/1.jpg", "photos/2.jpg", "photos/3.jpg", "photos/4.jpg")

		for i := range 1000 {
			h.send(fsnotify.Create, "photos/"+strings.Repeat("x", i%50+1)+".jpg")
		}
		time.Sleep(settle)
		wantPaths(t, h.take(), "photos")
	})
}

func TestLoopDeleteOrdering(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startLoop(t, Options{}, "old-dir")
		h.send(fsnotify.Rename, "a-old.txt") // an atomic rename: old name first
		h.send(fsnotify.Create, "z-new.txt")
		h.send(fsnotify.Remove, "old-dir")
		h.send(fsnotify.Write, "m.txt")
		time.Sleep(settle)
		wantPaths(t, h.take(), "m.txt", "z-new.txt", "a-old.txt", "old-dir")
		if h.fs.has(h.abs("old-dir")) {
			t.Error("removed directory is still watched")
		}
	})
}

func TestLoopOverflowRescans(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startLoop(t, Options{}, "sub")
		h.send(fsnotify.Write, "a.txt")
		time.Sleep(time.Second)
		mkdirs(t, h.abs("unseen/deep")) // created while events were lost
		h.errs <- fsnotify.ErrEventOverflow
		h.send(fsnotify.Write, "b.txt")
		time.Sleep(settle)
		b := h.take()
		if !b.Rescan || b.Reason != "event queue overflow" || len(b.Paths) != 0 {
			t.Fatalf("batch = %+v, want a rescan for the overflow", b)
		}
		if !h.fs.has(h.abs("unseen/deep")) || !h.fs.has(h.abs("sub")) || !h.fs.has(h.root) {
			t.Error("watches not rebuilt after the overflow")
		}
		logs := h.logs.String()
		if !strings.Contains(logs, `"level":"warn"`) || !strings.Contains(logs, "lost") {
			t.Errorf("no warning about lost events in %s", logs)
		}
		if runtime.GOOS == "linux" && (!strings.Contains(logs, "fs.inotify.max_queued_events") ||
			!strings.Contains(logs, "sudo sysctl -w fs.inotify.max_queued_events=")) {
			t.Errorf("warning does not say how to raise the limit: %s", logs)
		}
	})
}

func TestLoopWatchLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startLoop(t, Options{})
		full := h.abs("new/full")
		h.fs.mu.Lock()
		h.fs.addErr = func(name string) error {
			if name == full {
				return syscall.ENOSPC
			}
			return nil
		}
		h.fs.mu.Unlock()
		mkdirs(t, full)
		h.send(fsnotify.Create, "new")
		time.Sleep(settle)
		b := h.take()
		if !b.Rescan || b.Reason != "watch limit reached" {
			t.Fatalf("batch = %+v, want a rescan for the watch limit", b)
		}
		if !h.fs.has(h.abs("new")) {
			t.Error("the directory under the limit is not watched")
		}
		logs := h.logs.String()
		if runtime.GOOS == "linux" && !strings.Contains(logs, "sudo sysctl -w fs.inotify.max_user_watches=") {
			t.Errorf("warning does not say how to raise the limit: %s", logs)
		}
	})
}

func TestLoopNewDirectory(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startLoop(t, Options{})
		mkdirs(t, h.abs("proj/src/pkg")) // as by mkdir -p: one event for the top
		if err := os.WriteFile(h.abs("proj/src/old.go"), nil, 0o644); err != nil {
			t.Fatal(err) // there before the watch: found by listing
		}
		h.send(fsnotify.Create, "proj")
		synctest.Wait()
		for _, d := range []string{"proj", "proj/src", "proj/src/pkg"} {
			if !h.fs.has(h.abs(d)) {
				t.Errorf("%s is not watched", d)
			}
		}
		time.Sleep(settle / 2)
		h.send(fsnotify.Create, "proj/src/pkg/main.go")
		// The file listed settles on its own, not held back by the one
		// written in the new folder since.
		time.Sleep(settle / 2)
		wantPaths(t, h.take(), "proj/src/old.go")
		for range 2 { // main.go is still being written
			time.Sleep(settle / 4)
			h.send(fsnotify.Write, "proj/src/pkg/main.go")
		}
		time.Sleep(settle - time.Nanosecond)
		h.none()
		time.Sleep(time.Nanosecond)
		wantPaths(t, h.take(), "proj/src/pkg/main.go")
	})
}

// A new folder holding more files than may be pending one by one is
// reported as a whole, and absorbs the events below it.
func TestLoopNewDirectoryWithManyFiles(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startLoop(t, Options{CollapseThreshold: 2})
		mkdirs(t, h.abs("big"))
		for _, f := range []string{"a", "b", "c"} {
			if err := os.WriteFile(h.abs("big/"+f), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		h.send(fsnotify.Create, "big")
		time.Sleep(time.Second)
		h.send(fsnotify.Create, "big/d")
		time.Sleep(settle)
		wantPaths(t, h.take(), "big")
	})
}

func TestLoopSlowConsumer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startLoop(t, Options{})
		h.send(fsnotify.Create, "a")
		time.Sleep(time.Minute) // the batch for a waits; events keep flowing
		for i := range 500 {
			h.send(fsnotify.Write, "a")
			if i == 250 {
				h.send(fsnotify.Remove, "b")
			}
		}
		time.Sleep(time.Minute)
		wantPaths(t, h.take(), "a", "b")
		h.none()
	})
}

func TestLoopSlowConsumerAfterRescan(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startLoop(t, Options{})
		h.errs <- fsnotify.ErrEventOverflow
		time.Sleep(time.Minute)
		h.send(fsnotify.Create, "later")
		time.Sleep(time.Minute)
		b := h.take()
		if !b.Rescan || len(b.Paths) != 0 {
			t.Fatalf("batch = %+v, want one rescan covering the later path", b)
		}
		h.none()
	})
}

func TestLoopFilters(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		match := func(rel string, isDir bool) bool {
			return !strings.HasSuffix(rel, ".tmp") && !(isDir && rel == "build")
		}
		h := startLoop(t, Options{Match: match}, "build/obj")
		if h.fs.has(h.abs("build")) || h.fs.has(h.abs("build/obj")) {
			t.Error("excluded directory is watched")
		}
		h.send(fsnotify.Create, "x.tmp")
		h.send(fsnotify.Create, localfs.TempPrefix+"123")
		h.send(fsnotify.Rename, "sub/"+localfs.TempPrefix+"456")
		h.send(fsnotify.Write, "build")
		h.send(fsnotify.Write, "kept.txt")
		time.Sleep(settle)
		wantPaths(t, h.take(), "kept.txt")
	})
}

func TestLoopSuppress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startLoop(t, Options{})
		h.w.Suppress("pulled.txt", time.Now().Add(5*time.Second))
		h.send(fsnotify.Create, "pulled.txt")
		h.send(fsnotify.Chmod, "pulled.txt")
		h.send(fsnotify.Create, "other.txt")
		time.Sleep(settle)
		wantPaths(t, h.take(), "other.txt")
		time.Sleep(3 * time.Second)
		h.send(fsnotify.Write, "pulled.txt") // after the suppression ends
		time.Sleep(settle)
		wantPaths(t, h.take(), "pulled.txt")
	})
}

// A file the user edits right after a download is reported, though the
// download's suppression has not ended.
func TestLoopSettledSuppressReportsEdit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startLoop(t, Options{})
		p := filepath.Join(h.root, "pulled.txt")
		h.w.Suppress("pulled.txt", time.Now().Add(5*time.Second))
		if err := os.WriteFile(p, []byte("remote"), 0o644); err != nil {
			t.Fatal(err)
		}
		h.w.Settle("pulled.txt")
		h.send(fsnotify.Create, "pulled.txt")
		time.Sleep(settle)
		h.none()
		if err := os.WriteFile(p, []byte("edited"), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, time.Unix(1e9, 0), time.Unix(1e9, 0))
		h.send(fsnotify.Write, "pulled.txt")
		time.Sleep(settle)
		wantPaths(t, h.take(), "pulled.txt")
	})
}

func TestLoopNFC(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startLoop(t, Options{})
		h.send(fsnotify.Create, "cafe\u0301.txt") // decomposed, as macOS writes it
		time.Sleep(settle)
		wantPaths(t, h.take(), "caf\u00e9.txt")
	})
}

func TestLoopRootRemovedAndBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startLoop(t, Options{}, "sub")
		if err := os.RemoveAll(h.root); err != nil {
			t.Fatal(err)
		}
		h.send(fsnotify.Remove, "")
		time.Sleep(settle)
		b := h.take()
		if !b.Rescan || b.Reason != "watched folder removed or renamed" {
			t.Fatalf("batch = %+v, want a rescan for the missing root", b)
		}
		if h.fs.has(h.root) || h.fs.has(h.abs("sub")) {
			t.Error("watches kept for a removed root")
		}
		if !strings.Contains(h.logs.String(), "missing") {
			t.Errorf("no warning about the missing root: %s", h.logs.String())
		}
		time.Sleep(time.Minute)
		h.none()

		mkdirs(t, h.abs("sub"))
		time.Sleep(DefaultDelay + settle) // one poll, then the quiet period
		b = h.take()
		if !b.Rescan || b.Reason != "watched folder is back" {
			t.Fatalf("batch = %+v, want a rescan for the root coming back", b)
		}
		if !h.fs.has(h.root) || !h.fs.has(h.abs("sub")) {
			t.Error("watches not restored")
		}
	})
}
