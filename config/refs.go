package config

import (
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Reference is one ${VAR} reference in a configuration file.
type Reference struct {
	Name       string // the variable
	HasDefault bool   // written ${VAR:-default}
	Line       int    // where it first appears
}

// References lists the environment variables a configuration refers to
// with ${VAR} or ${VAR:-default}, once each, in the order they first
// appear; a reference without a default anywhere makes HasDefault false.
// Comments do not count.
func References(r io.Reader) ([]Reference, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("config: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var refs []Reference
	index := map[string]int{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode {
			for _, m := range varRef.FindAllStringSubmatch(n.Value, -1) {
				if m[0] == "$$" {
					continue
				}
				ref := Reference{Name: m[1], HasDefault: m[2] != "", Line: n.Line}
				if i, ok := index[ref.Name]; ok {
					refs[i].HasDefault = refs[i].HasDefault && ref.HasDefault
					continue
				}
				index[ref.Name] = len(refs)
				refs = append(refs, ref)
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&root)
	return refs, nil
}
