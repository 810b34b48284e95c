package syncer

import "runtime"

// goos is the operating system local names must be valid on.
const goos = runtime.GOOS
