// Package service adapts ks3sync's daemon to the operating system's service
// manager (systemd or SysV init on Linux, launchd on macOS, the Service
// Control Manager on Windows) through github.com/kardianos/service. It only
// installs, controls and runs; what runs is the caller's.
package service

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/kardianos/service"
)

// Runner is the daemon: it runs until ctx is done and returns nil on a
// clean stop.
type Runner func(ctx context.Context) error

// Config describes the installed service.
type Config struct {
	Name        string // service name, e.g. "ks3sync"
	DisplayName string // shown by the service manager
	Description string
	Executable  string   // absolute path of the binary; "" = this executable
	Arguments   []string // e.g. watch --config /etc/ks3sync.yaml
	UserService bool     // install for the current user (launchd agent, systemd --user)
	// StopTimeout bounds how long Stop waits for the runner; 0 = 10 s.
	StopTimeout time.Duration
}

// Program implements service.Interface around a Runner: Start returns at
// once and runs the runner in a goroutine; Stop cancels it and waits for it
// to finish or checkpoint, never calling os.Exit.
type Program struct {
	run     Runner
	timeout time.Duration
	mu      sync.Mutex
	cancel  context.CancelFunc
	done    chan error
}

var _ service.Interface = (*Program)(nil)

// NewProgram wraps run for the service manager.
func NewProgram(run Runner, stopTimeout time.Duration) *Program {
	if stopTimeout <= 0 {
		stopTimeout = 10 * time.Second
	}
	return &Program{run: run, timeout: stopTimeout}
}

// Start implements service.Interface.
func (p *Program) Start(service.Service) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cancel != nil {
		return errors.New("already started")
	}
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	p.done = make(chan error, 1)
	go func() { p.done <- p.run(ctx) }()
	return nil
}

// Stop implements service.Interface.
func (p *Program) Stop(service.Service) error {
	p.mu.Lock()
	cancel, done := p.cancel, p.done
	p.cancel = nil
	p.mu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel()
	select {
	case err := <-done:
		return err
	case <-time.After(p.timeout):
		return fmt.Errorf("the daemon did not stop within %s", p.timeout)
	}
}

// New returns the service described by cfg, running prog.
func New(cfg Config, prog *Program) (service.Service, error) {
	sc := &service.Config{
		Name:        cfg.Name,
		DisplayName: cfg.DisplayName,
		Description: cfg.Description,
		Executable:  cfg.Executable,
		Arguments:   cfg.Arguments,
		Option:      service.KeyValue{},
	}
	if cfg.UserService {
		sc.Option["UserService"] = true
	}
	s, err := service.New(prog, sc)
	if err != nil {
		return nil, fmt.Errorf("service %s: %w", cfg.Name, err)
	}
	return s, nil
}

// Actions are the control verbs `ks3sync service` accepts besides status.
var Actions = []string{"install", "uninstall", "start", "stop", "restart"}

// Control performs one of Actions.
func Control(s service.Service, action string) error {
	if err := service.Control(s, action); err != nil {
		return fmt.Errorf("service %s: %w", action, err)
	}
	return nil
}

// Status reports the service's state in words.
func Status(s service.Service) (string, error) {
	st, err := s.Status()
	if errors.Is(err, service.ErrNotInstalled) {
		return "not installed", nil
	}
	if err != nil {
		return "", fmt.Errorf("service status: %w", err)
	}
	switch st {
	case service.StatusRunning:
		return "running", nil
	case service.StatusStopped:
		return "stopped", nil
	}
	return "unknown", nil
}

// Interactive reports whether the process runs from a terminal rather than
// under the service manager.
func Interactive() bool { return service.Interactive() }

// Platform names the service manager in use ("linux-systemd", "darwin-launchd", ...).
func Platform() string { return service.Platform() }
