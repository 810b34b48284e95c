package localfs

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
)

// ErrSymlink reports a path that leads through a symbolic link. ks3sync
// reads through links it was told to follow, but never writes, renames or
// removes through one: a link may point anywhere, and what is written
// under the root must stay under it.
var ErrSymlink = errors.New("symbolic link in the way")

// ResolveWrite returns, like Resolve (in the same form), the path on disk
// of the relative slash path rel under root, as a place to write, rename
// or remove a file.
// Every part of rel that exists must be a real folder, and the last part a
// regular file or absent: a symbolic link anywhere below root (root itself
// may be one) fails with an error wrapping ErrSymlink that names it, and a
// file where a folder should be fails too. The empty path (the root) and
// paths that lead out of root are errors.
func ResolveWrite(root, rel string) (string, error) {
	return resolveWrite(root, rel, false)
}

// ResolveFolder is ResolveWrite for a folder to create: the last part of
// rel must be a real folder or absent.
func ResolveFolder(root, rel string) (string, error) {
	return resolveWrite(root, rel, true)
}

func resolveWrite(root, rel string, folder bool) (string, error) {
	clean, err := checkRel(rel)
	if err != nil {
		return "", err
	}
	if clean == "" {
		return "", fmt.Errorf("resolve %q: not a file below the root", rel)
	}
	cur := filepath.Clean(root)
	parts := strings.Split(clean, "/")
	for i, part := range parts {
		next, fi, err := lookup(cur, part)
		if errors.Is(err, fs.ErrNotExist) {
			return longPath(filepath.Join(cur, filepath.FromSlash(strings.Join(parts[i:], "/")))), nil
		}
		if err != nil {
			return "", fmt.Errorf("resolve %q: %w", rel, err)
		}
		at := strings.Join(parts[:i+1], "/")
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			return "", fmt.Errorf("refused to write %s through %s: %w", clean, at, ErrSymlink)
		case (i < len(parts)-1 || folder) && !fi.IsDir():
			return "", fmt.Errorf("resolve %q: %s is not a folder", rel, at)
		case i == len(parts)-1 && !folder && !fi.Mode().IsRegular():
			return "", fmt.Errorf("resolve %q: not a regular file", rel)
		}
		cur = next
	}
	return longPath(cur), nil
}
