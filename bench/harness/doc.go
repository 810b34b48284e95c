// Package harness runs ks3sync and its peers (rclone, the AWS CLI) on the
// same deterministic data against the same local ks3sync server, and
// reports medians of wall time, CPU time and peak RSS with the ratio
// ks3sync/peer for every case.
//
// A run generates its data sets (Generate), starts one `ks3sync serve` on
// loopback (StartServer), then repeats every case several times, alternating
// tools so that drift on the machine spreads over all of them (Run). Each
// command runs under `/usr/bin/time -v` for CPU time and peak RSS; wall time
// is taken from the monotonic clock. The watch latency and the memory of
// passes over very large trees are measured separately (WatchLatency;
// DryRunMemory, and SeededMemory against a server seeded with
// `serve --import`).
package harness
