package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"go.yaml.in/yaml/v3"
)

// Size is a byte count written as a number or with a unit ("64MiB", "8MB",
// "100KiB"). "auto" and "0" decode to zero, which means "choose for me".
type Size int64

// UnmarshalYAML implements yaml.Unmarshaler.
func (s *Size) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseSize(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*s = v
	return nil
}

// ParseSize parses a byte count such as "64MiB", "1.5GB", "4096" or "auto".
func ParseSize(text string) (Size, error) {
	t := strings.TrimSpace(text)
	if t == "" || strings.EqualFold(t, "auto") {
		return 0, nil
	}
	n, err := humanize.ParseBytes(t)
	if err != nil {
		return 0, fmt.Errorf("invalid size %q (want a number of bytes such as 8MiB or 64MB)", text)
	}
	if n > 1<<62 {
		return 0, fmt.Errorf("size %q is too large", text)
	}
	return Size(n), nil
}

// String formats the size with binary units.
func (s Size) String() string { return humanize.IBytes(uint64(s)) }

// Duration is a time.Duration written as "2s", "30m", "1h30m", or in days
// and weeks: "30d", "2w".
type Duration time.Duration

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*d = Duration(v)
	return nil
}

// ParseDuration parses a duration that is not negative: Go's syntax ("2s",
// "1h30m"), a whole number of days or weeks ("30d", "2w"), or "" and "0"
// for zero.
func ParseDuration(text string) (time.Duration, error) {
	t := strings.TrimSpace(text)
	if t == "" || t == "0" {
		return 0, nil
	}
	for unit, size := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if num, ok := strings.CutSuffix(t, unit); ok {
			n, err := strconv.ParseUint(num, 10, 31)
			if err != nil {
				return 0, fmt.Errorf("invalid duration %q (want a whole number of days or weeks, such as 30d or 2w)", text)
			}
			return time.Duration(n) * size, nil
		}
	}
	v, err := time.ParseDuration(t)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q (want a value such as 2s, 30m, 1h or 30d)", text)
	}
	if v < 0 {
		return 0, fmt.Errorf("duration %q is negative", text)
	}
	return v, nil
}

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }
