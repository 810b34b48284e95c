package config

import (
	"fmt"
	"os"
	"regexp"
)

// deviceName is what a device name may be: it appears in file names
// (conflict copies) and object keys (history, journal) on every system.
var deviceName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.-]{0,63}$`)

// DefaultDevice is the device name when the config does not set one: the
// host name, with every character a device name cannot hold turned into
// '-', cut to 64 bytes; "ks3sync" when the host name is unknown.
func DefaultDevice() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		return "ks3sync"
	}
	b := []byte(host)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			b[i] = '-'
		}
	}
	if b[0] == '.' || b[0] == '-' {
		b = append([]byte("h"), b...)
	}
	return string(b[:min(len(b), 64)])
}

func (c *Config) checkDevice() error {
	if !deviceName.MatchString(c.Device) {
		return fmt.Errorf("device: %q must be 1-64 letters, digits, '.' or '-', starting with a letter or digit", c.Device)
	}
	return nil
}
