package main

import (
	"errors"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// options are the command-line settings of a run.
type options struct {
	ks3sync     string
	rclone      []string
	aws         string
	versitygw   string
	work        string
	out         string
	reps        int
	concurrency int
	small       int
	largeMiB    int64
	many        int
	memFiles    []int
	watchFiles  int
	watchBurst  int
	watchDelay  time.Duration
	watchMax    time.Duration
	cases       []string
	skip        []string
	smoke       bool
}

// allCases are the names -cases accepts, in the order they run.
var allCases = []string{"upload-small", "upload-large", "upload-large-encrypted", "noop-rerun", "download-small", "watch", "memory"}

func parseFlags(args []string) (options, error) {
	var o options
	var rclone, cases, skip, memFiles string
	fs := flag.NewFlagSet("ks3bench", flag.ContinueOnError)
	fs.StringVar(&o.ks3sync, "ks3sync", "", "ks3sync binary (required)")
	fs.StringVar(&rclone, "rclone", "rclone", "comma-separated rclone binaries to compare with (\"\" for none)")
	fs.StringVar(&o.aws, "aws", "aws", "AWS CLI binary (\"\" to leave it out)")
	fs.StringVar(&o.versitygw, "versitygw", "", "versitygw binary: also run every case against versitygw (\"\" for ks3sync serve only)")
	fs.StringVar(&o.work, "work", "", "work folder for data, server, logs (required)")
	fs.StringVar(&o.out, "out", "", "also write the samples and summaries as JSON to this file")
	fs.IntVar(&o.reps, "reps", 3, "runs of every case, tool and setting")
	fs.IntVar(&o.concurrency, "concurrency", 16, "transfers of the equal-concurrency setting")
	fs.IntVar(&o.small, "small", 10000, "files of the small tree (1-64 KiB each)")
	fs.Int64Var(&o.largeMiB, "large-mib", 1024, "size of the large file in MiB")
	fs.IntVar(&o.many, "many", 100000, "files of the no-op tree (1 B-1 KiB each)")
	fs.StringVar(&memFiles, "mem-files", "1000000,2000000", "comma-separated sizes (empty files) of the memory case's trees; the peak RSS of the largest is compared with the smallest's")
	fs.IntVar(&o.watchFiles, "watch-files", 200, "files timed one by one by the watch case")
	fs.IntVar(&o.watchBurst, "watch-burst", 10000, "files of the watch case's burst")
	fs.DurationVar(&o.watchDelay, "watch-delay", 200*time.Millisecond, "watch quiet period")
	fs.DurationVar(&o.watchMax, "watch-max-delay", 2*time.Second, "watch maximum delay")
	fs.StringVar(&cases, "cases", strings.Join(allCases, ","), "comma-separated cases to run")
	fs.StringVar(&skip, "skip", "", "comma-separated tool/setting runs to leave out, e.g. rclone-v1.76/default")
	fs.BoolVar(&o.smoke, "smoke", false, "tiny data and one repetition of every case (for CI)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.ks3sync == "" || o.work == "" {
		return o, errors.New("-ks3sync and -work are required")
	}
	o.rclone = splitList(rclone)
	o.cases = splitList(cases)
	o.skip = splitList(skip)
	for _, c := range o.cases {
		if !slices.Contains(allCases, c) {
			return o, fmt.Errorf("unknown case %q (have %s)", c, strings.Join(allCases, ", "))
		}
	}
	sizes, err := parseSizes(memFiles)
	if err != nil {
		return o, fmt.Errorf("-mem-files: %w", err)
	}
	o.memFiles = sizes
	if o.smoke {
		o.reps, o.small, o.largeMiB, o.many, o.memFiles = 1, 40, 8, 200, []int{1000, 2000}
		o.watchFiles, o.watchBurst = 10, 200
	}
	if o.reps < 1 || o.concurrency < 1 {
		return o, errors.New("-reps and -concurrency must be at least 1")
	}
	return o, nil
}

// parseSizes reads a comma-separated list of positive counts and returns
// them sorted, without duplicates.
func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range splitList(s) {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive count", f)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, errors.New("no size given")
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
