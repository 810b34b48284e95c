//go:build !unix && !windows

package localfs

import "os"

// FolderIdentity returns "" (no identity is known on this system) once dir
// is found.
func FolderIdentity(dir string) (string, error) {
	_, err := os.Stat(dir)
	return "", err
}
