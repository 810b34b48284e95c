package localfs

import "io/fs"

// NewFileMode is the mode a new file gets from the user's umask, as with
// any program that creates a file with 0666: 0644 under the usual umask
// 022, 0640 under 027. Downloads are written to a private (0600)
// temporary file and given this mode when they are sealed, just before
// they are renamed into place.
func NewFileMode() fs.FileMode { return 0o666 &^ umask }
