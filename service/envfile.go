package service

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/joho/godotenv"
)

// WriteEnvFile writes env as KEY="value" lines to path, readable by its
// owner only (0600): the service's keys. The file is written to a
// temporary name and renamed, so it is never seen half-written.
func WriteEnvFile(path string, env map[string]string) error {
	text, err := godotenv.Marshal(env)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	header := "# Written by \"ks3sync service install\": the environment the service's\n# configuration refers to. Readable by its owner only.\n"
	if _, err := tmp.WriteString(header + text + "\n"); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o600); err != nil {
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

// LoadEnvFile sets the variables of an environment file in this process's
// environment, over what is already set: the service's keys win.
func LoadEnvFile(path string) error {
	env, err := godotenv.Read(path)
	if err != nil {
		return fmt.Errorf("read environment file: %w", err)
	}
	for k, v := range env {
		if err := os.Setenv(k, v); err != nil {
			return fmt.Errorf("read environment file %s: %s: %w", path, k, err)
		}
	}
	return nil
}
