package service

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
)

// DefaultName is the service's name unless --name says otherwise.
const DefaultName = "ks3sync"

// Definition is one installed ks3sync service: what runs, under which
// name, and where its files are.
type Definition struct {
	Name        string // service name; several instances need several names
	Description string
	Executable  string // absolute path of the ks3sync binary
	ConfigFile  string // absolute path of ks3sync.yaml
	EnvFile     string // the environment file the service reads (mode 0600)
	LogFile     string // where SysV and launchd services write their output
	User        bool   // a per-user service (systemd --user, launchd agent)
}

var serviceName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// NewDefinition describes the service name (DefaultName if "") running
// exe over the configuration file config, with the default place of its
// environment and log files on this platform.
func NewDefinition(name, exe, config string, user bool) (Definition, error) {
	if name == "" {
		name = DefaultName
	}
	if !serviceName.MatchString(name) {
		return Definition{}, fmt.Errorf("service name %q: use letters, digits, '.', '_' or '-'", name)
	}
	if !filepath.IsAbs(exe) || !filepath.IsAbs(config) {
		return Definition{}, errors.New("service: the executable and the config file need absolute paths")
	}
	dir, logDir, err := dirs(user)
	if err != nil {
		return Definition{}, err
	}
	return Definition{
		Name:        name,
		Description: "ks3sync (" + name + "): keeps folders in sync with KS3 object storage",
		Executable:  exe,
		ConfigFile:  config,
		EnvFile:     filepath.Join(dir, name+".env"),
		LogFile:     filepath.Join(logDir, name+".log"),
		User:        user,
	}, nil
}

// dirs returns where environment and log files go on this platform.
func dirs(user bool) (envDir, logDir string, err error) {
	if user {
		cfg, err := os.UserConfigDir()
		if err != nil {
			return "", "", fmt.Errorf("service --user: %w", err)
		}
		home, err := os.UserHomeDir()
		if err != nil {
			return "", "", fmt.Errorf("service --user: %w", err)
		}
		logs := filepath.Join(cfg, "ks3sync")
		if runtime.GOOS == "darwin" {
			logs = filepath.Join(home, "Library", "Logs", "ks3sync")
		}
		return filepath.Join(cfg, "ks3sync"), logs, nil
	}
	switch runtime.GOOS {
	case "windows":
		pd := os.Getenv("ProgramData")
		if pd == "" {
			pd = `C:\ProgramData`
		}
		return filepath.Join(pd, "ks3sync"), filepath.Join(pd, "ks3sync"), nil
	case "darwin":
		return "/Library/Application Support/ks3sync", "/Library/Logs/ks3sync", nil
	}
	return "/etc/ks3sync", "/var/log", nil
}

// Command is the command line the service runs.
func (d Definition) Command() []string {
	return append([]string{d.Executable}, d.Arguments()...)
}

// Arguments are the command's arguments: `watch` over the configuration,
// with the environment file.
func (d Definition) Arguments() []string {
	return []string{"watch", "--config", d.ConfigFile, "--env-file", d.EnvFile}
}
