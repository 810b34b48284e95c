package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// profileEnv names the environment variable that, when set to a file name,
// makes any command write a CPU profile (pprof format) of its whole run to
// that file. It is how the figures in BENCHMARKS.md were profiled.
const profileEnv = "KS3SYNC_CPUPROFILE"

// startProfile starts the CPU profile that KS3SYNC_CPUPROFILE asks for and
// returns the function that finishes it; without the variable it does
// nothing.
func startProfile() (stop func(), err error) {
	path := os.Getenv(profileEnv)
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", profileEnv, err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", profileEnv, err)
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			fmt.Fprintf(os.Stderr, "ks3sync: %s: %v\n", profileEnv, err)
		}
	}, nil
}
