// Package hotpath holds benchmarks of ks3sync's hot paths that go through
// public APIs only: request signing, listing parse, and the MD5 pass of an
// upload measured against bare MD5 on the same machine. The benchmarks of
// encryption (crypto), the planner (planner), the state database (state)
// and the local scan (watcher) live beside their code.
//
// Run them with
//
//	go test -run XXX -bench . -benchmem ./bench/hotpath
package hotpath
