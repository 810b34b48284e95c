package tool

import (
	"maps"
	"slices"
	"strings"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/cli"
	"github.com/ks3sync/ks3sync/objmeta"
)

// parsePairs parses repeated NAME=VALUE flag values into a map. flag names
// the option in errors, which are usage errors.
func parsePairs(flag string, values []string) (map[string]string, error) {
	if len(values) == 0 {
		return nil, nil
	}
	m := make(map[string]string, len(values))
	for _, v := range values {
		name, value, ok := strings.Cut(v, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		if !ok || name == "" {
			return nil, cli.UsageError("%s %q: want NAME=VALUE", flag, v)
		}
		if _, dup := m[name]; dup {
			return nil, cli.UsageError("%s: %q is given twice (names are case-insensitive)", flag, name)
		}
		m[name] = value
	}
	return m, nil
}

// parseUserMeta parses --meta values and refuses the names ks3sync owns.
func parseUserMeta(values []string) (map[string]string, error) {
	m, err := parsePairs("--meta", values)
	if err != nil {
		return nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(m)) {
		if objmeta.IsReserved(name) {
			return nil, cli.UsageError("--meta: %q is metadata that ks3sync writes itself", name)
		}
	}
	return m, nil
}

// mergeMeta returns a new map with the entries of every map, later ones
// winning.
func mergeMeta(maps ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
