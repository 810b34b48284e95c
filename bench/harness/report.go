package harness

import (
	"fmt"
	"io"
	"math"
	"slices"
)

// Summary is the median of the runs of one case, tool and setting against
// one server.
type Summary struct {
	Server  string
	Case    Case
	Tool    string
	Setting Setting
	Runs    int
	WallSec float64
	CPUSec  float64
	RSSMiB  float64
	// ServerCPUSec is the server's CPU time during the run.
	ServerCPUSec float64
}

// Summarize groups samples by server, case, tool and setting, in order of
// first appearance, and takes medians.
func Summarize(samples []Sample) []Summary {
	type key struct {
		srv string
		c   Case
		t   string
		s   Setting
	}
	var order []key
	groups := map[key][]Sample{}
	for _, s := range samples {
		k := key{s.Server, s.Case, s.Tool, s.Setting}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], s)
	}
	out := make([]Summary, 0, len(order))
	for _, k := range order {
		g := groups[k]
		pick := func(f func(Sample) float64) float64 {
			xs := make([]float64, len(g))
			for i, s := range g {
				xs[i] = f(s)
			}
			return Median(xs)
		}
		out = append(out, Summary{
			Server: k.srv, Case: k.c, Tool: k.t, Setting: k.s, Runs: len(g),
			WallSec: pick(func(s Sample) float64 { return s.WallSec }),
			CPUSec:  pick(func(s Sample) float64 { return s.CPUSec }),
			RSSMiB:  pick(func(s Sample) float64 { return s.RSSMiB }),

			ServerCPUSec: pick(func(s Sample) float64 { return s.ServerCPUSec }),
		})
	}
	return out
}

// OfServer returns the summaries of the runs against server.
func OfServer(sums []Summary, server string) []Summary {
	var out []Summary
	for _, s := range sums {
		if s.Server == server {
			out = append(out, s)
		}
	}
	return out
}

// WriteServerCost prints the server's CPU time per object of every upload of
// c (objects objects per run), the cost that sets the floor of a small-file
// upload.
func WriteServerCost(w io.Writer, sums []Summary, c Case, objects int) {
	if objects <= 0 {
		return
	}
	for _, s := range sums {
		if s.Case == c && s.ServerCPUSec > 0 {
			fmt.Fprintf(w, "- %s %s %s: server CPU %.0f µs per object (%.2f s for %d)\n",
				s.Case, s.Tool, s.Setting, s.ServerCPUSec/float64(objects)*1e6, s.ServerCPUSec, objects)
		}
	}
}

// WriteMedians prints the summaries as a Markdown table.
func WriteMedians(w io.Writer, sums []Summary) {
	fmt.Fprintln(w, "| case | tool | setting | runs | wall s | CPU s | peak RSS MiB | server CPU s |")
	fmt.Fprintln(w, "|---|---|---|---:|---:|---:|---:|---:|")
	for _, s := range sums {
		fmt.Fprintf(w, "| %s | %s | %s | %d | %.2f | %.2f | %.0f | %.2f |\n",
			s.Case, s.Tool, s.Setting, s.Runs, s.WallSec, s.CPUSec, s.RSSMiB, s.ServerCPUSec)
	}
}

// Targets are the wall-time targets of DESIGN.md as a fraction of the
// fastest peer at its best setting.
var Targets = map[Case]float64{UploadSmall: 0.5, UploadLarge: 0.8, NoopRerun: 0.5}

// WriteRatios prints, per case, the ratio of ks3sync's median wall time to
// each peer's at the default and the equal setting, and ks3sync at its best
// against the fastest peer at its best, with the target where there is one.
func WriteRatios(w io.Writer, sums []Summary, self string) {
	peers := peerNames(sums, self)
	fmt.Fprint(w, "| case | setting |")
	for _, p := range peers {
		fmt.Fprintf(w, " ks3sync/%s |", p)
	}
	fmt.Fprintln(w, " target | met |")
	fmt.Fprint(w, "|---|---|")
	for range peers {
		fmt.Fprint(w, "---:|")
	}
	fmt.Fprintln(w, "---:|---|")
	for _, c := range cases(sums) {
		if c == UploadLargeEncrypted {
			continue // ks3sync alone: see WriteEncryptedRate
		}
		for _, set := range []Setting{Default, Equal} {
			fmt.Fprintf(w, "| %s | %s |", c, set)
			for _, p := range peers {
				fmt.Fprintf(w, " %s |", ratio(wall(sums, c, self, set), wall(sums, c, p, set)))
			}
			fmt.Fprintln(w, " | |")
		}
		writeBestRow(w, sums, c, self, peers)
	}
}

// writeBestRow prints ks3sync at its best against every peer at its best,
// and checks the target against the fastest of them.
func writeBestRow(w io.Writer, sums []Summary, c Case, self string, peers []string) {
	mine := best(sums, c, self)
	fastest := math.Inf(1)
	fmt.Fprintf(w, "| %s | best |", c)
	for _, p := range peers {
		b := best(sums, c, p)
		fastest = min(fastest, b)
		fmt.Fprintf(w, " %s |", ratio(mine, b))
	}
	target, ok := Targets[c]
	if !ok {
		fmt.Fprintln(w, " – | |")
		return
	}
	met := "no"
	if mine/fastest <= target {
		met = "yes"
	}
	if math.IsInf(fastest, 1) || math.IsInf(mine, 1) {
		met = "?"
	}
	fmt.Fprintf(w, " ≤ %.1f× fastest (%s) | %s |\n", target, ratio(mine, fastest), met)
}

// ratio formats a/b, or "–" when either is missing.
func ratio(a, b float64) string {
	if math.IsInf(a, 1) || math.IsInf(b, 1) || b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", a/b)
}

// wall is the median wall time of tool on c at set, +Inf when absent.
func wall(sums []Summary, c Case, tool string, set Setting) float64 {
	for _, s := range sums {
		if s.Case == c && s.Tool == tool && s.Setting == set {
			return s.WallSec
		}
	}
	return math.Inf(1)
}

// best is the smallest median wall time of tool on c over its settings.
func best(sums []Summary, c Case, tool string) float64 {
	b := math.Inf(1)
	for _, s := range sums {
		if s.Case == c && s.Tool == tool {
			b = min(b, s.WallSec)
		}
	}
	return b
}

// peerNames lists the tools other than self in order of appearance.
func peerNames(sums []Summary, self string) []string {
	var out []string
	for _, s := range sums {
		if s.Tool != self && !slices.Contains(out, s.Tool) {
			out = append(out, s.Tool)
		}
	}
	return out
}

// cases lists the cases in order of appearance.
func cases(sums []Summary) []Case {
	var out []Case
	for _, s := range sums {
		if !slices.Contains(out, s.Case) {
			out = append(out, s.Case)
		}
	}
	return out
}

// EncryptedTarget is the target of the encrypted upload: its rate as a
// fraction of one core's AES-CBC encryption speed.
const EncryptedTarget = 0.9

// WriteEncryptedRate prints ks3sync's encrypted upload of the large file
// (size bytes) at its best setting as a rate, against cbcMBps (one core's
// AES-CBC encryption, in MB/s of 10^6 bytes as Go benchmarks count) and
// against the fastest peer's plain upload of the same file. It prints
// nothing when the case did not run.
func WriteEncryptedRate(w io.Writer, sums []Summary, self string, size int64, cbcMBps float64) {
	mine := best(sums, UploadLargeEncrypted, self)
	if math.IsInf(mine, 1) || mine <= 0 {
		return
	}
	rate := float64(size) / 1e6 / mine
	met := "no"
	if rate >= EncryptedTarget*cbcMBps {
		met = "yes"
	}
	fmt.Fprintf(w, "encrypted upload of %d MiB: best %.2f s = %.0f MB/s, %.0f%% of AES-CBC on one core (%.0f MB/s); target ≥ %.0f%%: %s\n",
		size>>20, mine, rate, 100*rate/cbcMBps, cbcMBps, 100*EncryptedTarget, met)
	fastest := math.Inf(1)
	name := ""
	for _, p := range peerNames(sums, self) {
		if b := best(sums, UploadLarge, p); b < fastest {
			fastest, name = b, p
		}
	}
	if name != "" {
		fmt.Fprintf(w, "encrypted against the fastest plain peer (%s, %.2f s): %s (target ≤ %.1f×)\n",
			name, fastest, ratio(mine, fastest), Targets[UploadLarge])
	}
}
