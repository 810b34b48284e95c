package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Load reads, expands, decodes and validates the configuration file at path.
// Relative paths inside it are resolved against the file's folder.
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	defer f.Close()
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(f, abs, os.LookupEnv)
}

// Parse decodes a configuration from r. name is the file path used in error
// messages and as the base for relative paths ("" = the working directory).
// lookup resolves ${VAR} references (os.LookupEnv in production).
func Parse(r io.Reader, name string, lookup func(string) (string, bool)) (*Config, error) {
	label := name
	if label == "" {
		label = "config"
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", label, err)
	}
	c := &Config{path: name}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %s", label, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(root.Content) > 0 {
		doc := root.Content[0]
		if err := checkKeys(doc, reflect.TypeOf(*c), ""); err != nil {
			return nil, fmt.Errorf("%s: %w", label, err)
		}
		if err := expandNode(doc, lookup); err != nil {
			return nil, fmt.Errorf("%s: %w", label, err)
		}
		if err := checkEndpointLine(doc); err != nil {
			return nil, fmt.Errorf("%s: %w", label, err)
		}
		if err := doc.Decode(c); err != nil {
			return nil, fmt.Errorf("%s: %s", label, cleanYAMLError(err))
		}
	}
	base := ""
	if name != "" {
		base = filepath.Dir(name)
	}
	if err := c.finish(base); err != nil {
		return nil, fmt.Errorf("%s: %w", label, err)
	}
	return c, nil
}

var unmarshalerType = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()

// checkKeys walks the document against the Go type it decodes into and
// rejects any mapping key that names no field, with its line and the keys
// that are allowed there. It reports the first problem in document order.
func checkKeys(n *yaml.Node, t reflect.Type, where string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil
	}
	switch {
	case n.Kind == yaml.AliasNode:
		return checkKeys(n.Alias, t, where)
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			f, ok := fields[k.Value]
			if !ok {
				return fmt.Errorf("line %d: unknown key %q%s (known keys: %s)", k.Line, k.Value, inPart(where), knownKeys(fields))
			}
			if err := checkKeys(v, f.Type, join(where, k.Value)); err != nil {
				return err
			}
		}
	case t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
		for i, c := range n.Content {
			if err := checkKeys(c, t.Elem(), fmt.Sprintf("%s[%d]", where, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

func yamlFields(t reflect.Type) map[string]reflect.StructField {
	m := make(map[string]reflect.StructField)
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "-" || name == "" {
			continue
		}
		m[name] = f
	}
	return m
}

func knownKeys(fields map[string]reflect.StructField) string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

func inPart(where string) string {
	if where == "" {
		return ""
	}
	return " in " + where
}

func join(where, key string) string {
	if where == "" {
		return key
	}
	return where + "." + key
}

func cleanYAMLError(err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		return strings.Join(te.Errors, "; ")
	}
	return strings.TrimPrefix(err.Error(), "yaml: ")
}

var varRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}|\$\$`)

// expandNode replaces ${VAR} and ${VAR:-default} in every scalar value.
// ${VAR:-default} gives default when VAR is unset or empty; ${VAR} gives
// VAR's value, and is an error naming VAR and the line when VAR is unset,
// so a missing variable never silently turns into a default (such as the
// public endpoint). "$$" is a literal "$".
func expandNode(n *yaml.Node, lookup func(string) (string, bool)) error {
	if n.Kind == yaml.ScalarNode && strings.Contains(n.Value, "$") {
		var unset []string
		n.Value = varRef.ReplaceAllStringFunc(n.Value, func(ref string) string {
			if ref == "$$" {
				return "$"
			}
			m := varRef.FindStringSubmatch(ref)
			v, ok := lookup(m[1])
			switch {
			case m[2] != "" && (!ok || v == ""):
				return m[3]
			case !ok:
				unset = append(unset, m[1])
			}
			return v
		})
		if len(unset) > 0 {
			return fmt.Errorf("line %d: environment variable %s is not set (set it, or give a default: ${%s:-value})",
				n.Line, unset[0], unset[0])
		}
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
			n.Tag = "" // re-resolve: "${N}" may have become a number
		}
	}
	for _, c := range n.Content {
		if err := expandNode(c, lookup); err != nil {
			return err
		}
	}
	return nil
}

// checkEndpointLine refuses an endpoint key that is present but empty (as
// ${VAR:-} with VAR empty leaves it): that would quietly mean the public
// KS3 endpoint, with the credentials meant for another.
func checkEndpointLine(doc *yaml.Node) error {
	if doc.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k, v := doc.Content[i], doc.Content[i+1]
		if k.Value == "endpoint" && v.Kind == yaml.ScalarNode && strings.TrimSpace(v.Value) == "" {
			return fmt.Errorf("line %d: endpoint is empty (remove the line to use the default, %s)", k.Line, DefaultEndpoint)
		}
	}
	return nil
}
