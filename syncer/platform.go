package syncer

import (
	"os"
	"runtime"
)

// goos is the operating system local names must be valid on.
const goos = runtime.GOOS

// syncDir makes a rename durable where the platform allows it.
func syncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
