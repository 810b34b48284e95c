// Package service adapts ks3sync's daemon to the operating system's service
// manager (systemd or SysV init on Linux, launchd on macOS, the Service
// Control Manager on Windows) through github.com/kardianos/service. It
// writes the service files itself (golden-tested templates), keeps the
// environment the configuration needs in a file only the owner can read,
// and installs, controls, reports and removes all of it. What runs is the
// caller's.
package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/kardianos/service"
)

// Runner is the daemon: it runs until ctx is done and returns nil on a
// clean stop.
type Runner func(ctx context.Context) error

// Program implements service.Interface around a Runner: Start returns at
// once and runs the runner in a goroutine; Stop cancels it and waits for it
// to finish or checkpoint, never calling os.Exit.
type Program struct {
	run     Runner
	timeout time.Duration
	mu      sync.Mutex
	cancel  context.CancelFunc
	done    chan error
	// exited receives the runner's error when it returns on its own, not
	// because Stop asked it to (see Exited).
	exited chan error
}

var _ service.Interface = (*Program)(nil)

// NewProgram wraps run for the service manager.
func NewProgram(run Runner, stopTimeout time.Duration) *Program {
	if stopTimeout <= 0 {
		stopTimeout = 10 * time.Second
	}
	return &Program{run: run, timeout: stopTimeout, exited: make(chan error, 1)}
}

// Exited receives the runner's error (nil for a clean return) when the
// runner ends by itself while the service manager still thinks the service
// runs: a daemon that fails at start (no pairs, no credentials) or stops
// for good. The caller should then end the process with a failure, which
// is how a service manager learns it must report or restart the service;
// see StopSelf.
func (p *Program) Exited() <-chan error { return p.exited }

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
	go func() {
		err := p.run(ctx)
		p.done <- err
		if ctx.Err() == nil { // not cancelled by Stop: it ended by itself
			p.exited <- err
		}
	}()
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

// Service is one ks3sync service of this machine's service manager.
type Service struct {
	def  Definition
	svc  service.Service
	kind string // Systemd, Launchd, SysV, Windows, or "" for another manager
}

// New returns the service d describes, running prog when the service
// manager starts it.
func New(d Definition, prog *Program) (*Service, error) {
	kind := kindOf(service.Platform())
	sc := &service.Config{
		Name:        d.Name,
		DisplayName: d.Name,
		Description: d.Description,
		Executable:  d.Executable,
		Arguments:   d.Arguments(),
		Option: service.KeyValue{
			"UserService":            d.User,
			"StartType":              "automatic",
			"OnFailure":              "restart",
			"OnFailureDelayDuration": "10s",
		},
	}
	if err := setServiceFile(sc, kind, d); err != nil {
		return nil, err
	}
	s, err := service.New(prog, sc)
	if err != nil {
		return nil, fmt.Errorf("service %s: %w", d.Name, err)
	}
	return &Service{def: d, svc: s, kind: kind}, nil
}

// kindOf maps kardianos's platform names to the kinds of service files
// ks3sync writes.
func kindOf(platform string) string {
	switch {
	case strings.HasSuffix(platform, "-systemd"):
		return Systemd
	case strings.HasSuffix(platform, "-systemv"):
		return SysV
	case strings.HasSuffix(platform, "-launchd"):
		return Launchd
	case strings.HasPrefix(platform, "windows"):
		return Windows
	}
	return ""
}

// setServiceFile hands kardianos the service file ks3sync renders, so the
// installed file is exactly the golden-tested one.
func setServiceFile(sc *service.Config, kind string, d Definition) error {
	option := map[string]string{Systemd: "SystemdScript", SysV: "SysvScript", Launchd: "LaunchdConfig"}[kind]
	if option == "" {
		return nil
	}
	text, err := Render(kind, d)
	if err != nil {
		return err
	}
	if strings.Contains(text, "{{") {
		// kardianos renders the file again; nothing of ours may look like
		// one of its actions.
		return fmt.Errorf("service %s: a path contains \"{{\", which the service manager's template cannot carry", d.Name)
	}
	sc.Option[option] = text
	return nil
}

// Run hands the process to the service manager, which calls the program's
// Start and Stop.
func (s *Service) Run() error { return s.svc.Run() }

// Definition returns what the service runs and where its files are.
func (s *Service) Definition() Definition { return s.def }

// Interactive reports whether the process runs from a terminal rather than
// under the service manager.
func Interactive() bool { return service.Interactive() }

// Platform names the service manager in use ("linux-systemd", "darwin-launchd", ...).
func Platform() string { return service.Platform() }
