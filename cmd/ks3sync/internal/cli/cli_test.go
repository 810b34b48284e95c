package cli

import (
	"errors"
	"fmt"
	"testing"

	"github.com/spf13/cobra"
)

func TestCode(t *testing.T) {
	cause := errors.New("boom")
	for _, tc := range []struct {
		err  error
		want int
	}{
		{cause, 7},
		{UsageError("bad %s", "flag"), ExitUsage},
		{PartialError(cause), ExitPartial},
		{fmt.Errorf("pair a: %w", &ExitError{Code: ExitInterrupted, Err: cause}), ExitInterrupted},
	} {
		if got := Code(tc.err, 7); got != tc.want {
			t.Errorf("Code(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
	if err := PartialError(cause); !errors.Is(err, cause) || err.Error() != "boom" {
		t.Errorf("PartialError hides its cause: %v", err)
	}
}

func TestExactArgs(t *testing.T) {
	cmd := &cobra.Command{Use: "stat"}
	check := ExactArgs(1, "ks3://BUCKET/KEY")
	if err := check(cmd, []string{"ks3://b/k"}); err != nil {
		t.Errorf("one argument: %v", err)
	}
	err := check(cmd, nil)
	want := "stat needs ks3://BUCKET/KEY (got 0 argument(s)); see 'ks3sync stat --help'"
	if Code(err, 0) != ExitUsage || err.Error() != want {
		t.Errorf("no argument: %v (code %d), want %q", err, Code(err, 0), want)
	}
}

func TestIsUsage(t *testing.T) {
	for msg, want := range map[string]bool{
		`unknown command "frob" for "ks3sync"`:        true,
		"unknown flag: --frob":                        true,
		"unknown shorthand flag: 'z' in -z":           true,
		`invalid argument "x" for "--transfers" flag`: true,
		"flag needs an argument: --config":            true,
		`required flag(s) "root" not set`:             true,
		"accepts 1 arg(s), received 2":                true,
		"put object: connection refused":              false,
		"":                                            false,
	} {
		if got := IsUsage(errors.New(msg)); got != want {
			t.Errorf("IsUsage(%q) = %v, want %v", msg, got, want)
		}
	}
}
