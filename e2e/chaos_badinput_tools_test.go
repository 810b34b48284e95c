//go:build linux

package e2e

import (
	"path/filepath"
)

// toolCase runs a tool command against the shared server; args may use
// {bucket} and {root}.
func toolCase(name string, exit int, want []string, args ...string) badCase {
	return badCase{name: "tool: " + name, exit: exit, want: want, setup: func(c *caseRig) {
		c.args = []string{"--endpoint", c.e.srv.URL}
		for _, a := range args {
			c.args = append(c.args, c.expand(a))
		}
	}}
}

func toolCases() []badCase {
	return []badCase{
		toolCase("cp of a missing file", exitAnyFailure, []string{"{root}/missing.txt"}, "cp", "{root}/missing.txt", "ks3://{bucket}/x"),
		toolCase("rm of a malformed URI", 2, []string{"s3://{bucket}/x"}, "rm", "s3://{bucket}/x"),
		toolCase("rm without an object", 2, nil, "rm"),
		toolCase("ls of an invalid bucket name", exitAnyFailure, []string{"Bad_Bucket"}, "ls", "ks3://Bad_Bucket"),
		toolCase("mb of an invalid bucket name", exitAnyFailure, []string{"a..b"}, "mb", "ks3://a..b"),
		toolCase("url with a bad expiry", 2, []string{"forever"}, "url", "ks3://{bucket}/x", "--expires", "forever"),
		toolCase("stat of a missing object", 1, []string{"ks3://{bucket}/missing.txt"}, "stat", "ks3://{bucket}/missing.txt"),
		toolCase("cp of a bucket without -r", exitAnyFailure, []string{"-r"}, "cp", "ks3://{bucket}/", "{root}"),
		{name: "tool: cp of a folder without -r", exit: exitAnyFailure, want: []string{"-r"}, setup: func(c *caseRig) {
			c.file("a.txt", okFile)
			c.args = []string{"--endpoint", c.e.srv.URL, "cp", c.root, "ks3://" + c.bucket + "/x/"}
		}},
		{name: "tool: cp into a missing bucket", exit: exitAnyFailure, want: []string{"no-such-bucket"}, setup: func(c *caseRig) {
			c.file("a.txt", okFile)
			c.args = []string{"--endpoint", c.e.srv.URL, "cp", filepath.Join(c.root, "a.txt"), "ks3://no-such-bucket/x"}
		}},
	}
}
