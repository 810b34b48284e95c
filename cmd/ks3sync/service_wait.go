package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/ks3sync/ks3sync/daemon"
	svc "github.com/ks3sync/ks3sync/service"
)

// healthPoll is how often `service start` looks at the daemon.
const healthPoll = 250 * time.Millisecond

// healthWait waits for a started service's daemon to be healthy, reading
// the health file the daemon keeps beside its state database.
type healthWait struct {
	svc     *svc.Service
	path    string    // the health file
	since   time.Time // a record older than this is from an earlier run
	timeout time.Duration
}

// wait returns nil once the daemon is ready and healthy; an error saying
// why when it stopped, when every pair finished its first pass but some are
// unhealthy, or when the timeout passed.
func (w healthWait) wait(ctx context.Context) error {
	deadline := time.Now().Add(w.timeout)
	last := "the daemon has not reported yet"
	for {
		r, err := daemon.ReadHealthFile(w.path)
		switch {
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			return err
		case err == nil && !r.StartedAt.Before(w.since):
			if done, err := judge(r); done {
				return err
			}
			last = reasons(r)
		}
		if st, err := w.svc.Status(); err == nil && st == svc.StateStopped {
			return fmt.Errorf("%w: %s", errServiceStopped, w.logHint())
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not healthy after %s: %s", w.timeout, last)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(healthPoll):
		}
	}
}

// judge decides on a record of the current run: done with nil when
// healthy, done with an error when the daemon stopped or every pair
// finished a first pass and some are unhealthy.
func judge(r *daemon.HealthRecord) (bool, error) {
	switch {
	case !r.Running:
		return true, fmt.Errorf("%w: %s", errServiceStopped, reasons(r))
	case r.Ready && r.Healthy:
		return true, nil
	}
	for _, p := range r.Pairs {
		if p.Reason == daemon.ReasonStarting {
			return false, nil
		}
	}
	if r.Healthy {
		return false, nil // healthy passes, but a first full reconcile still to come
	}
	return true, errors.New(reasons(r))
}

// reasons lists the unhealthy pairs of a record.
func reasons(r *daemon.HealthRecord) string {
	var out []string
	for _, p := range r.Pairs {
		if !p.Healthy {
			out = append(out, fmt.Sprintf("pair %s: %s", p.Name, p.Message))
		}
	}
	if len(out) == 0 {
		return "no pair is unhealthy"
	}
	return strings.Join(out, "; ")
}

// logHint says where the service's output is, with its last lines when
// they can be read.
func (w healthWait) logHint() string {
	d := w.svc.Definition()
	switch svc.Platform() {
	case "linux-systemd":
		if d.User {
			return "see journalctl --user -u " + d.Name
		}
		return "see journalctl -u " + d.Name
	case "windows-service":
		return "see the Windows event log"
	}
	return fmt.Sprintf("see %s%s", d.LogFile, tailOf(d.LogFile, 5))
}

// tailOf returns the last n lines of a file, indented, or "" when it
// cannot be read.
func tailOf(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	if len(lines) == 0 {
		return ""
	}
	return ", which ends with:\n    " + strings.Join(lines, "\n    ")
}
