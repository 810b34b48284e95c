package daemon

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"time"

	"github.com/rs/zerolog"
)

// HealthRecord is what the daemon keeps in its health file: enough for
// `ks3sync service start` to tell a daemon that came up healthy from one
// that is failing, or that stopped.
type HealthRecord struct {
	PID       int          `json:"pid"`
	Running   bool         `json:"running"` // false once the daemon stopped
	StartedAt time.Time    `json:"started_at"`
	UpdatedAt time.Time    `json:"updated_at"`
	Ready     bool         `json:"ready"`
	Healthy   bool         `json:"healthy"`
	Pairs     []HealthPair `json:"pairs"`
}

// HealthPair is one pair's health in a HealthRecord.
type HealthPair struct {
	Name string `json:"name"`
	PairHealth
}

// HealthFileFor returns where a daemon using the state database at
// statePath keeps its health file: beside it.
func HealthFileFor(statePath string) string { return statePath + ".health.json" }

// ReadHealthFile reads a health file.
func ReadHealthFile(path string) (*HealthRecord, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r HealthRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return &r, nil
}

// healthWriter rewrites the health file when what it says changes.
type healthWriter struct {
	path string // "" = none
	log  zerolog.Logger
	last *HealthRecord
}

func (w *healthWriter) write(s *Status, running bool) {
	if w.path == "" {
		return
	}
	r := &HealthRecord{PID: os.Getpid(), Running: running, UpdatedAt: s.GeneratedAt, Ready: s.Ready, Healthy: s.Healthy, Pairs: []HealthPair{}}
	if s.StartedAt != nil {
		r.StartedAt = *s.StartedAt
	}
	for _, p := range s.Pairs {
		r.Pairs = append(r.Pairs, HealthPair{Name: p.Name, PairHealth: p.Health})
	}
	if w.last != nil && sameHealth(w.last, r) {
		return
	}
	if err := writeAtomic(w.path, r); err != nil {
		w.log.Warn().Err(err).Msg("health file")
		return
	}
	w.last = r
}

// sameHealth compares two records but for their update time.
func sameHealth(a, b *HealthRecord) bool {
	x, y := *a, *b
	x.UpdatedAt, y.UpdatedAt = time.Time{}, time.Time{}
	return reflect.DeepEqual(x, y)
}

// writeAtomic writes v as JSON to path through a temporary file and a
// rename, so a reader never sees half a file.
func writeAtomic(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
