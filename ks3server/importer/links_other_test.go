//go:build !unix

package importer

import "io/fs"

// linkCount is unknown where the file information has no link count.
func linkCount(fs.FileInfo) (uint64, bool) { return 0, false }
