//go:build !unix

package config

// keyFileWarning has nothing to say where files carry no Unix permission
// bits (Windows protects them with ACLs).
func keyFileWarning(string) string { return "" }
