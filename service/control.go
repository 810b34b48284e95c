package service

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/kardianos/service"
)

// States of a service, as Status reports them.
const (
	StateRunning      = "running"
	StateStopped      = "stopped"
	StateNotInstalled = "not installed"
	StateUnknown      = "unknown"
)

// Install writes the environment file with env, then registers the
// service. When registering fails, the environment file is removed again:
// nothing is left half-installed.
func (s *Service) Install(env map[string]string) error {
	if s.def.User && (s.kind == SysV || s.kind == Windows) {
		return fmt.Errorf("service install --user: %s has no per-user services; install a system service", Platform())
	}
	if err := WriteEnvFile(s.def.EnvFile, env); err != nil {
		return err
	}
	if s.kind == SysV || s.kind == Launchd {
		if err := os.MkdirAll(filepath.Dir(s.def.LogFile), 0o755); err != nil {
			os.Remove(s.def.EnvFile)
			return fmt.Errorf("service install: %w", err)
		}
	}
	if err := s.svc.Install(); err != nil {
		os.Remove(s.def.EnvFile)
		return fmt.Errorf("service install: %w", err)
	}
	return nil
}

// Uninstall stops the service if it runs, unregisters it and removes every
// file install made: the service file, the SysV runlevel links, the
// environment file.
func (s *Service) Uninstall() error {
	if st, _ := s.Status(); st == StateRunning {
		if err := s.Stop(); err != nil {
			return err
		}
	}
	var errs []error
	if err := s.svc.Uninstall(); err != nil && !errors.Is(err, fs.ErrNotExist) {
		errs = append(errs, fmt.Errorf("service uninstall: %w", err))
	}
	if s.kind == SysV {
		errs = append(errs, removeRunlevelLinks(s.def.Name))
	}
	if err := os.Remove(s.def.EnvFile); err != nil && !errors.Is(err, fs.ErrNotExist) {
		errs = append(errs, fmt.Errorf("service uninstall: %w", err))
	}
	os.Remove(filepath.Dir(s.def.EnvFile)) // the folder install made, unless something else is in it
	return errors.Join(errs...)
}

// runlevelLinks are the links kardianos's SysV install makes.
func runlevelLinks(name string) []string {
	var out []string
	for _, l := range []string{"2", "3", "4", "5"} {
		out = append(out, "/etc/rc"+l+".d/S50"+name)
	}
	for _, l := range []string{"0", "1", "6"} {
		out = append(out, "/etc/rc"+l+".d/K02"+name)
	}
	return out
}

// removeRunlevelLinks removes the SysV runlevel links of the service that
// point at its init script, and no other file.
func removeRunlevelLinks(name string) error {
	script := "/etc/init.d/" + name
	var errs []error
	for _, l := range runlevelLinks(name) {
		if target, err := os.Readlink(l); err != nil || target != script {
			continue
		}
		if err := os.Remove(l); err != nil {
			errs = append(errs, fmt.Errorf("service uninstall: %w", err))
		}
	}
	return errors.Join(errs...)
}

// Files lists the files an installed service has on this machine, for
// checks and messages: the service file (none on Windows), the SysV
// runlevel links, the environment file.
func (s *Service) Files() []string {
	var out []string
	if p := s.unitPath(); p != "" {
		out = append(out, p)
	}
	if s.kind == SysV {
		out = append(out, runlevelLinks(s.def.Name)...)
	}
	return append(out, s.def.EnvFile)
}

// unitPath is where the service manager keeps the service file.
func (s *Service) unitPath() string {
	home, _ := os.UserHomeDir()
	switch {
	case s.kind == SysV:
		return "/etc/init.d/" + s.def.Name
	case s.kind == Systemd && s.def.User:
		return filepath.Join(home, ".config", "systemd", "user", s.def.Name+".service")
	case s.kind == Systemd:
		return "/etc/systemd/system/" + s.def.Name + ".service"
	case s.kind == Launchd && s.def.User:
		return filepath.Join(home, "Library", "LaunchAgents", s.def.Name+".plist")
	case s.kind == Launchd:
		return "/Library/LaunchDaemons/" + s.def.Name + ".plist"
	}
	return ""
}

// Start, Stop and Restart control the service.
func (s *Service) Start() error   { return wrap("start", s.svc.Start()) }
func (s *Service) Stop() error    { return wrap("stop", s.svc.Stop()) }
func (s *Service) Restart() error { return wrap("restart", s.svc.Restart()) }

func wrap(op string, err error) error {
	if err != nil {
		return fmt.Errorf("service %s: %w", op, err)
	}
	return nil
}

// Status reports the service's state: one of the State constants. A SysV
// init script answers "status" of a stopped service with a non-zero exit
// (LSB: 3), which kardianos passes on as an error: an installed service
// whose status command exits so is stopped, and one whose service file is
// gone is not installed.
func (s *Service) Status() (string, error) {
	st, err := s.svc.Status()
	var ee *exec.ExitError
	switch {
	case errors.Is(err, service.ErrNotInstalled), err != nil && s.unitPath() != "" && !s.installed():
		return StateNotInstalled, nil
	case err != nil && errors.As(err, &ee) && s.installed():
		return StateStopped, nil
	case err != nil:
		return "", fmt.Errorf("service status: %w", err)
	case st == service.StatusRunning:
		return StateRunning, nil
	case st == service.StatusStopped:
		return StateStopped, nil
	}
	return StateUnknown, nil
}

// installed reports whether the service file exists.
func (s *Service) installed() bool {
	p := s.unitPath()
	if p == "" {
		return false
	}
	_, err := os.Stat(p)
	return err == nil
}
