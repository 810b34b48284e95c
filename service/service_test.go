package service

import (
	"context"
	"errors"
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

func TestNewService(t *testing.T) {
	p := NewProgram(func(ctx context.Context) error { <-ctx.Done(); return nil }, time.Second)
	s, err := New(Config{Name: "ks3sync-test", DisplayName: "ks3sync test", Arguments: []string{"watch", "--config", "/etc/ks3sync.yaml"}}, p)
	if err != nil {
		t.Fatal(err)
	}
	if err := Control(s, "bogus"); err == nil {
		t.Fatal("unknown action accepted")
	}
}
