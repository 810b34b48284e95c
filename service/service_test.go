package service

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestProgramStartReturnsAtOnceAndStopWaits(t *testing.T) {
	started := make(chan struct{})
	finished := make(chan struct{})
	p := NewProgram(func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		time.Sleep(20 * time.Millisecond) // checkpointing
		close(finished)
		return nil
	}, time.Second)
	if err := p.Start(nil); err != nil {
		t.Fatal(err)
	}
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("runner did not start")
	}
	if err := p.Start(nil); err == nil {
		t.Fatal("second Start succeeded")
	}
	if err := p.Stop(nil); err != nil {
		t.Fatal(err)
	}
	select {
	case <-finished:
	default:
		t.Fatal("Stop returned before the runner finished")
	}
	if err := p.Stop(nil); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
}

func TestProgramStopTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	p := NewProgram(func(ctx context.Context) error { <-release; return nil }, 50*time.Millisecond)
	if err := p.Start(nil); err != nil {
		t.Fatal(err)
	}
	if err := p.Stop(nil); err == nil {
		t.Fatal("Stop of a stuck runner reported success")
	}
}

func TestProgramReturnsRunnerError(t *testing.T) {
	boom := errors.New("boom")
	p := NewProgram(func(ctx context.Context) error { <-ctx.Done(); return boom }, time.Second)
	p.Start(nil)
	if err := p.Stop(nil); !errors.Is(err, boom) {
		t.Fatalf("Stop = %v, want %v", err, boom)
	}
}

func TestProgramExitedWhenRunnerEndsByItself(t *testing.T) {
	noCreds := errors.New("no credentials")
	p := NewProgram(func(context.Context) error { return noCreds }, time.Second)
	p.Start(nil)
	select {
	case err := <-p.Exited():
		if !errors.Is(err, noCreds) {
			t.Fatalf("Exited = %v, want %v", err, noCreds)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a runner that failed at start was not reported by Exited")
	}
	if err := p.Stop(nil); !errors.Is(err, noCreds) {
		t.Fatalf("Stop after the runner ended = %v, want %v", err, noCreds)
	}
}

func TestProgramNotExitedWhenStopped(t *testing.T) {
	p := NewProgram(func(ctx context.Context) error { <-ctx.Done(); return nil }, time.Second)
	p.Start(nil)
	if err := p.Stop(nil); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.Exited():
		t.Fatalf("a runner stopped by Stop was reported by Exited (%v)", err)
	default:
	}
}

func TestNewDefinition(t *testing.T) {
	d, err := NewDefinition("", "/usr/local/bin/ks3sync", "/etc/ks3sync/ks3sync.yaml", false)
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != DefaultName || !slices.Equal(d.Arguments(), []string{"watch", "--config", "/etc/ks3sync/ks3sync.yaml", "--env-file", d.EnvFile}) {
		t.Fatalf("definition %+v", d)
	}
	for _, bad := range []string{"../x", "a b", "-x"} {
		if _, err := NewDefinition(bad, "/bin/ks3sync", "/etc/x.yaml", false); err == nil {
			t.Errorf("name %q accepted", bad)
		}
	}
	if _, err := NewDefinition("x", "ks3sync", "/etc/x.yaml", false); err == nil {
		t.Error("a relative executable accepted")
	}
}

// The environment file is the owner's only, and reads back what was
// written, whatever the values hold.
func TestEnvFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "etc", "ks3sync.env")
	env := map[string]string{"KS3_ACCESS_KEY": "AKLTabc", "KS3_SECRET_KEY": `s3"cr$et\n'x` + "\nline2", "N": "42"}
	if err := WriteEnvFile(path, env); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v; want 0600", fi.Mode(), err)
	}
	for k := range env {
		os.Unsetenv(k)
		t.Cleanup(func() { os.Unsetenv(k) })
	}
	if err := LoadEnvFile(path); err != nil {
		t.Fatal(err)
	}
	for k, v := range env {
		if got := os.Getenv(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if err := LoadEnvFile(path + ".missing"); err == nil {
		t.Error("a missing file loaded")
	}
}
