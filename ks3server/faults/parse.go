package faults

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// SpecHelp documents the syntax Parse reads, for command help.
const SpecHelp = `SPEC is one or more rules separated by ';', each a comma-separated list of settings:
  rate=F        fail this share of the matching requests, 0 < F <= 1 (default 1: all)
  count=N       fail N requests, then stop (default: no limit)
  ops=OP,...    fail only these operations, e.g. PutObject,GetObject (default: all)
  kinds=K,...   how a request fails, one chosen at random each time (default 500):
                  NNN[:Code]  answer HTTP status NNN (4xx or 5xx) with a KS3 error;
                              503 and 429 answer SlowDown unless Code is given
                  reset[:N]   read N bytes of the request body (default 0), then
                              drop the connection without an answer
                  slow[:R]    serve the answer with its body throttled to R bytes/s
                              (default 65536)
                  hang        read the request and never answer
Names after ops= and kinds= continue their list until the next setting.
Example: 'rate=0.1,kinds=500,503,reset:4096,slow,hang;ops=GetObject,count=1,kinds=hang'`

// Parse reads a fault specification (see SpecHelp). ops lists the
// operation names that ops= may use. Errors name the rule and setting at
// fault.
func Parse(spec string, ops []string) ([]Fault, error) {
	var out []Fault
	for i, rule := range strings.Split(spec, ";") {
		if strings.TrimSpace(rule) == "" {
			return nil, fmt.Errorf("fault rule %d is empty", i+1)
		}
		f, err := parseRule(rule, ops)
		if err != nil {
			return nil, fmt.Errorf("fault rule %d (%q): %w", i+1, strings.TrimSpace(rule), err)
		}
		out = append(out, f)
	}
	return out, nil
}

// parseRule reads the settings of one rule.
func parseRule(rule string, ops []string) (Fault, error) {
	var f Fault
	list := "" // the setting whose list bare names continue
	seen := map[string]bool{}
	for _, item := range strings.Split(rule, ",") {
		item = strings.TrimSpace(item)
		name, value, isSetting := strings.Cut(item, "=")
		if !isSetting {
			if list == "" {
				return f, fmt.Errorf("%q is not name=value", item)
			}
			name, value = list, item
		} else if seen[name] {
			return f, fmt.Errorf("%s is given twice", name)
		}
		seen[name] = true
		list = ""
		if name == "ops" || name == "kinds" {
			list = name
		}
		if err := f.set(name, value, ops); err != nil {
			return f, err
		}
	}
	return f, nil
}

// set applies one setting (one list element for ops and kinds).
func (f *Fault) set(name, value string, ops []string) error {
	switch name {
	case "rate":
		r, err := strconv.ParseFloat(value, 64)
		if err != nil || !(r > 0 && r <= 1) {
			return fmt.Errorf("rate=%s: want a number above 0 and at most 1", value)
		}
		f.Fraction = r
	case "count":
		n, err := strconv.Atoi(value)
		if err != nil || n < 1 {
			return fmt.Errorf("count=%s: want a whole number of at least 1", value)
		}
		f.Count = n
	case "ops":
		if !slices.Contains(ops, value) {
			return fmt.Errorf("ops: unknown operation %q (known: %s)", value, strings.Join(ops, ", "))
		}
		f.Ops = append(f.Ops, value)
	case "kinds":
		k, err := parseKind(value)
		if err != nil {
			return fmt.Errorf("kinds: %w", err)
		}
		f.Kinds = append(f.Kinds, k)
	default:
		return fmt.Errorf("unknown setting %q (want rate, count, ops or kinds)", name)
	}
	return nil
}

// parseKind reads NNN[:Code], reset[:N], slow[:R] or hang.
func parseKind(s string) (Kind, error) {
	word, arg, hasArg := strings.Cut(s, ":")
	number := func() (int64, error) {
		if !hasArg {
			return 0, nil
		}
		n, err := strconv.ParseInt(arg, 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%s: %q is not a byte count", word, arg)
		}
		return n, nil
	}
	switch word {
	case "reset":
		n, err := number()
		return Reset(n), err
	case "slow":
		n, err := number()
		return Slow(n), err
	case "hang":
		if hasArg {
			return Kind{}, fmt.Errorf("hang takes no argument")
		}
		return Hang(), nil
	}
	status, err := strconv.Atoi(word)
	if err != nil || status < 400 || status > 599 {
		return Kind{}, fmt.Errorf("unknown kind %q (want a 4xx or 5xx status, reset, slow or hang)", s)
	}
	if hasArg && arg == "" {
		return Kind{}, fmt.Errorf("%q: empty error code", s)
	}
	return Error(status, arg), nil
}
