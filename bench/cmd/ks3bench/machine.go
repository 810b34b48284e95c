package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
)

// describeMachine lists the CPU, memory, kernel and tool versions.
func describeMachine(ctx context.Context, o options) []string {
	out := []string{
		fmt.Sprintf("cpu: %s, %d logical cores", procField("/proc/cpuinfo", "model name"), runtime.NumCPU()),
		"memory: " + procField("/proc/meminfo", "MemTotal"),
		"kernel: " + firstLine(ctx, "uname", "-sr"),
		"ks3sync: " + firstLine(ctx, o.ks3sync, "version"),
	}
	for _, r := range o.rclone {
		out = append(out, "rclone: "+firstLine(ctx, "env", "-u", "AWS_CA_BUNDLE", r, "version"))
	}
	if o.aws != "" {
		out = append(out, "aws: "+firstLine(ctx, o.aws, "--version"))
	}
	return out
}

func printMachine(lines []string) {
	fmt.Println("## Machine")
	fmt.Println()
	for _, l := range lines {
		fmt.Println("- " + l)
	}
	fmt.Println()
}

// procField returns the value of the first "name: value" line of a /proc
// file, or "unknown".
func procField(path, name string) string {
	f, err := os.Open(path)
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == name {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// firstLine runs a command and returns the first line of its output.
func firstLine(ctx context.Context, name string, args ...string) string {
	b, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		return fmt.Sprintf("unavailable (%v)", err)
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	return line
}

var rcloneVersionRE = regexp.MustCompile(`rclone (v\d+\.\d+)`)

// rcloneVersion returns "v1.60" style version of the rclone binary bin.
func rcloneVersion(ctx context.Context, bin string) (string, error) {
	line := firstLine(ctx, "env", "-u", "AWS_CA_BUNDLE", bin, "version")
	m := rcloneVersionRE.FindStringSubmatch(line)
	if m == nil {
		return "", fmt.Errorf("rclone %s: cannot read its version from %q", bin, line)
	}
	return m[1], nil
}
