//go:build linux

package e2e

import (
	"os"
	"path/filepath"
	"strings"
)

// configCase is a config that must be refused with exit 2, naming want and,
// when marker is set, the line that holds marker.
func configCase(name, text, marker string, want ...string) badCase {
	return badCase{name: "config: " + name, exit: 2, want: want, setup: func(c *caseRig) {
		c.rawConfig(text)
		if marker != "" {
			c.wantLine(text, marker)
		}
	}}
}

// withTop inserts lines at the top level of goodConfig.
func withTop(lines string) string {
	return strings.Replace(goodConfig, "pairs:\n", lines+"pairs:\n", 1)
}

// withPair appends lines (each indented four spaces) to goodConfig's pair.
func withPair(lines ...string) string {
	text := goodConfig
	for _, l := range lines {
		text += "    " + l + "\n"
	}
	return text
}

// withValue replaces the value of one of goodConfig's keys.
func withValue(key, value string) string {
	lines := strings.Split(goodConfig, "\n")
	for i, l := range lines {
		if k, _, ok := strings.Cut(strings.TrimSpace(strings.TrimPrefix(l, "  - ")), ":"); ok && k == key {
			lines[i] = l[:strings.Index(l, key)] + key + ": " + value
		}
	}
	return strings.Join(lines, "\n")
}

// aliasBomb is a list of nine to the ninth strings written in nine lines
// ("billion laughs"): reading it must fail fast, not fill the memory.
var aliasBomb = []string{
	`exclude: &a ["x","x","x","x","x","x","x","x","x"]`,
	`include: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]`,
	`x1: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]`,
	`x2: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]`,
	`x3: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]`,
	`x4: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]`,
	`x5: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]`,
	`x6: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]`,
	`x7: [*h,*h,*h,*h,*h,*h,*h,*h,*h]`,
}

func configCases() []badCase {
	cases := []badCase{
		configCase("unknown top-level key", withTop("frobnicate: 1\n"), "frobnicate", `"frobnicate"`),
		configCase("misspelt pair key", withPair("dirction: push"), "dirction", `"dirction"`),
		configCase("unknown key in a nested map", withPair("watch: {dealy: 1s}"), "dealy", "dealy"),
		configCase("unknown key under encryption", withPair("encryption: {keyfile: k}"), "keyfile", "keyfile"),
		configCase("number of transfers as a word", withTop("transfers: many\n"), "transfers", "many"),
		configCase("pairs as a string", "endpoint: {endpoint}\nstate: {state}\npairs: everything\n", "pairs:"),
		configCase("size that is no size", withTop("multipart_threshold: banana\n"), "multipart_threshold", "banana"),
		configCase("duration that is no duration", withPair("watch: {delay: soon}"), "delay", "soon"),
		configCase("negative duration", withPair("watch: {delay: -1s}"), "delay", "-1s"),
		configCase("list given as a string", withPair(`exclude: "*.tmp"`), "exclude"),
		configCase("boolean that is no boolean", withTop("secure: maybe\n"), "secure", "maybe"),
		configCase("tab indentation", strings.Replace(goodConfig, "    bucket", "\tbucket", 1), "", "{cfg}", "tab character"),
		configCase("YAML alias bomb", withPair(aliasBomb...), ""),
		configCase("missing local folder", strings.Replace(goodConfig, "    local: {root}\n", "", 1), "", "local"),
		configCase("missing bucket", strings.Replace(goodConfig, "    bucket: {bucket}\n", "", 1), "", "bucket"),
		configCase("missing pair name", strings.Replace(goodConfig, "  - name: p\n    local", "  - local", 1), "", "name"),
		configCase("no pairs", "endpoint: {endpoint}\nstate: {state}\n", "", "no pairs"),
		configCase("empty file", "", "", "no pairs"),
		configCase("endpoint with another scheme", withValue("endpoint", "ftp://127.0.0.1:21"), "", "endpoint", "ftp://127.0.0.1:21"),
		configCase("endpoint with a path", withValue("endpoint", "http://127.0.0.1:9/bucket"), "", "endpoint"),
		configCase("endpoint with a space", withValue("endpoint", "local host"), "", "endpoint"),
		configCase("endpoint port out of range", withValue("endpoint", "127.0.0.1:99999"), "", "endpoint", "99999"),
		configCase("endpoint port that is no number", withValue("endpoint", "http://127.0.0.1:http"), "", "endpoint", "127.0.0.1:http"),
		configCase("endpoint from an unset variable", withValue("endpoint", "${CAMPAIGN_UNSET_ENDPOINT}"), "", "CAMPAIGN_UNSET_ENDPOINT"),
		configCase("folder from an unset variable", withValue("local", "${CAMPAIGN_UNSET_HOME}/docs"), "", "CAMPAIGN_UNSET_HOME"),
		configCase("bucket from an unset variable", withValue("bucket", "${CAMPAIGN_UNSET_BUCKET}"), "", "CAMPAIGN_UNSET_BUCKET"),
		configCase("two pairs with one name", goodConfig+"  - name: p\n    local: {root}\n    bucket: {bucket}\n    prefix: q/\n", "", "also the name"),
		configCase("too many transfers", withTop("transfers: 1000\n"), "", "transfers", "1000"),
		configCase("part size below the minimum", withTop("part_size: 1KiB\n"), "", "part_size"),
		configCase("invalid bucket name", withValue("bucket", "Bad_Bucket"), "", "bucket", "Bad_Bucket"),
		configCase("prefix starting with a slash", withValue("prefix", "/abs/"), "", "prefix"),
		configCase("unknown direction", withPair("direction: sideways"), "", "direction", "sideways"),
		configCase("unknown delete policy", withPair("delete: maybe"), "", "delete", "maybe"),
		configCase("max_delete that is no count", withPair("max_delete: lots"), "", "max_delete", "lots"),
		configCase("unknown storage class", withPair("storage_class: GOLD"), "", "storage_class", "GOLD"),
		configCase("unknown ACL", withPair("acl: world"), "", "acl", "world"),
		configCase("bad exclude pattern", withPair(`exclude: ["[a-"]`), "", "exclude"),
		configCase("unknown log level", withTop("log: {level: loud}\n"), "", "log.level", "loud"),
		configCase("metrics address that is no address", withTop("metrics: nowhere\n"), "", "metrics", "nowhere"),
		configCase("quiet period longer than the maximum delay", withPair("watch: {delay: 10s, max_delay: 1s}"), "", "watch.max_delay"),
		{name: "config: missing file", exit: 2, want: []string{"{dir}/missing.yaml"}, setup: func(c *caseRig) {
			c.args = []string{"run", "--config", filepath.Join(c.dir, "missing.yaml")}
		}},
		{name: "config: a folder", exit: 2, want: []string{"{dir}/folder.yaml"}, setup: func(c *caseRig) {
			os.Mkdir(filepath.Join(c.dir, "folder.yaml"), 0o755)
			c.args = []string{"run", "--config", filepath.Join(c.dir, "folder.yaml")}
		}},
		{name: "config: binary junk", exit: 2, want: []string{"{cfg}"}, setup: func(c *caseRig) {
			c.rawConfig("\x00\x01\x02\xff\xfe binary \x00 junk\n")
		}},
		{name: "config: state path is a folder", exit: 2, want: []string{"state", "{dir}/statedir"}, setup: func(c *caseRig) {
			os.Mkdir(filepath.Join(c.dir, "statedir"), 0o755)
			c.rawConfig(strings.Replace(goodConfig, "state: {state}", "state: {dir}/statedir", 1))
		}},
		{name: "config: state file of another program", exit: 2, want: []string{"state", "{dir}/foreign.db"}, setup: func(c *caseRig) {
			os.WriteFile(filepath.Join(c.dir, "foreign.db"), []byte("not a database, but someone's notes\n"), 0o600)
			c.rawConfig(strings.Replace(goodConfig, "state: {state}", "state: {dir}/foreign.db", 1))
		}},
		{name: "usage: unknown pair", exit: 2, want: []string{"nosuch"}, setup: func(c *caseRig) {
			c.rawConfig(goodConfig)
			c.args = []string{"run", "--config", c.cfg, "--pair", "nosuch"}
		}},
		{name: "usage: unknown flag", exit: 2, want: []string{"--frobnicate"}, setup: func(c *caseRig) {
			c.args = []string{"run", "--frobnicate"}
		}},
		{name: "usage: unknown command", exit: 2, want: []string{"frobnicate"}, setup: func(c *caseRig) {
			c.args = []string{"frobnicate"}
		}},
		{name: "usage: run with an argument", exit: 2, setup: func(c *caseRig) {
			c.rawConfig(goodConfig)
			c.args = []string{"run", "--config", c.cfg, "extra"}
		}},
		{name: "usage: no credentials", exit: 2, want: []string{"KS3_ACCESS_KEY"}, setup: func(c *caseRig) {
			c.rawConfig(goodConfig)
			c.env = []string{"KS3_ACCESS_KEY=", "KS3_SECRET_KEY="}
		}},
	}
	return cases
}
