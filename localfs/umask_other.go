//go:build !unix

package localfs

import "io/fs"

// umask is zero where the system has no file mode creation mask.
var umask fs.FileMode
