package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func noEnv(string) (string, bool) { return "", false }

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestExampleParses(t *testing.T) {
	path := filepath.Join("..", "ks3sync.yaml.example")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	abs, _ := filepath.Abs(path)
	c, err := Parse(f, abs, noEnv)
	if err != nil {
		t.Fatalf("the example config does not parse: %v", err)
	}
	root := filepath.Dir(abs)
	if got, want := c.LocalStore(), filepath.Join(root, ".ks3sync", "store"); got != want {
		t.Errorf("local store = %q, want %q", got, want)
	}
	if len(c.Pairs) != 1 {
		t.Fatalf("pairs = %d, want 1", len(c.Pairs))
	}
	p := c.Pairs[0]
	if p.Local != filepath.Join(root, "testdata", "demo") {
		t.Errorf("pair local = %q", p.Local)
	}
	if _, err := os.Stat(p.Local); err != nil {
		t.Errorf("the example's demo folder is missing: %v", err)
	}
	if c.MultipartThreshold != 64<<20 || c.PartSize != 0 || c.Transfers != 4 || c.Bandwidth != 0 {
		t.Errorf("sizes: threshold %d part %d transfers %d bandwidth %d", c.MultipartThreshold, c.PartSize, c.Transfers, c.Bandwidth)
	}
	if p.Watch.Delay.D() != 2*time.Second || p.Watch.MaxDelay.D() != 30*time.Second || p.Watch.Rescan.D() != time.Hour {
		t.Errorf("watch = %+v", p.Watch)
	}
	if strings.Join(p.Exclude, ",") != "*.tmp,~$*,.DS_Store" {
		t.Errorf("exclude = %q", p.Exclude)
	}
}

// The example documents every key: each yaml tag of the config types must
// appear in it, so a new key cannot ship undocumented.
func TestExampleDocumentsEveryKey(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "ks3sync.yaml.example"))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{
		"endpoint", "secure", "addressing", "signature", "region", "access_key", "secret_key", "state",
		"log", "level", "format", "file", "transfers", "multipart_threshold", "part_size", "bandwidth",
		"http", "metrics", "http_token", "notify", "webhook", "command", "after_failures", "stale_uploads", "pairs", "name", "local", "bucket", "prefix", "direction", "delete",
		"max_delete", "storage_class", "acl", "encryption", "key_file", "include", "exclude",
		"follow_symlinks", "watch", "delay", "max_delay", "rescan", "timeouts", "response_header", "stall", "outage",
		"max_overwrite", "history", "keep", "versions",
	} {
		if !strings.Contains(string(data), key+":") {
			t.Errorf("ks3sync.yaml.example does not document %q", key)
		}
	}
}

func TestUnknownKeyNamesLine(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"top level", "endpoint: x\ntransfer: 4\n", `line 2: unknown key "transfer"`},
		{"in a pair", "pairs:\n  - name: a\n    local: /x\n    bucket: bkt\n\n    dirction: push\n", `line 6: unknown key "dirction" in pairs[0]`},
		{"nested", "log:\n  level: info\n  colour: true\n", `line 3: unknown key "colour" in log`},
		{"second pair", "pairs:\n  - name: a\n    local: /a\n    bucket: bkt\n  - name: b\n    local: /b\n    bucket: bkt\n    nmae: c\n", `line 8: unknown key "nmae" in pairs[1]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tt.doc), "/etc/ks3sync.yaml", noEnv)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.want)
			}
			if !strings.Contains(err.Error(), "/etc/ks3sync.yaml") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestExpansion(t *testing.T) {
	doc := "access_key: ${AK}\nsecret_key: ${SK:-fallback}\ntransfers: ${N}\nregion: \"$$HOME\"\n"
	c, err := Parse(strings.NewReader(doc), "", env(map[string]string{"AK": "AKLTabc", "N": "8"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.AccessKey != "AKLTabc" || c.SecretKey != "fallback" || c.Transfers != 8 || c.Region != "$HOME" {
		t.Fatalf("expanded to ak=%q sk=%q transfers=%d region=%q", c.AccessKey, c.SecretKey, c.Transfers, c.Region)
	}
}

func TestValidationNamesField(t *testing.T) {
	base := "pairs:\n  - name: docs\n    local: /data\n    bucket: my-bucket\n"
	tests := []struct{ doc, want string }{
		{base + "    direction: sideways\n", `pairs[0] (docs).direction: "sideways" is not one of push, pull, both`},
		{base + "    delete: always\n", `pairs[0] (docs).delete: "always"`},
		{base + "    max_delete: lots\n", `pairs[0] (docs).max_delete`},
		{base + "    max_overwrite: 0%\n", `pairs[0] (docs).max_overwrite: max_overwrite "0%"`},
		{base + "    history: {versions: -1}\n", `pairs[0] (docs).history.versions: -1 is negative`},
		{base + "    history: {keep: 1.5d}\n", `line 5: invalid duration "1.5d"`},
		{base + "    history: {kept: 3d}\n", `line 5: unknown key "kept" in pairs[0].history`},
		{base + "    storage_class: GLACIER\n", `pairs[0] (docs).storage_class: "GLACIER"`},
		{base + "    watch: {delay: 10s, max_delay: 5s}\n", `watch.max_delay`},
		{base + "    watch: {delay: soon}\n", `line 5: invalid duration "soon"`},
		{"pairs:\n  - name: x\n    local: /d\n    bucket: UPPER\n", `pairs[0] (x).bucket: "UPPER" is not a bucket name`},
		{"pairs:\n  - name: x\n    bucket: bkt\n", `pairs[0] (x).local: a folder is required`},
		{"transfers: 0\nmultipart_threshold: 1KiB\n", `multipart_threshold: 1.0 KiB is outside`},
		{"part_size: lots\n", `line 1: invalid size "lots"`},
		{"signature: v5\n", `signature: "v5" is not one of kss, v4`},
		{"endpoint: ftp://x\n", `endpoint: "ftp://x" is not`},
		{"endpoint: \"local:\"\n", `endpoint: "local:" needs a folder`},
		{"metrics: 9101\n", `metrics: "9101" is not host:port`},
		{"http: localhost\n", `http: "localhost" is not host:port`},
		{"http: 127.0.0.1:1\nmetrics: 127.0.0.1:2\n", `http: "127.0.0.1:1" and metrics: "127.0.0.1:2" are the same setting`},
		{"http_token: short\n", "http_token: 5 characters is too short: use at least 16"},
		{"http_token: \"0123456789abcdef 0\"\n", "http_token: use only letters, digits and the characters"},
		{"notify: {webhook: ftp://x}\n", `notify.webhook: "ftp://x" is not an http(s) URL`},
		{"notify: {command: [\"\"]}\n", `notify.command: the first element`},
		{"notify: {after_failures: -1}\n", `notify.after_failures: -1`},
		{base + "  - name: docs\n    local: /other\n    bucket: my-bucket\n", `pairs[1] (docs).name: "docs" is also the name of pairs[0]`},
	}
	for _, tt := range tests {
		_, err := Parse(strings.NewReader(tt.doc), "", noEnv)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("doc:\n%s\nerror = %v\nwant it to contain %q", tt.doc, err, tt.want)
		}
	}
}

func TestDefaultsAndPaths(t *testing.T) {
	doc := "endpoint: http://127.0.0.1:9000\nstate: state.db\npairs:\n  - name: p\n    local: data\n    bucket: bkt\n    prefix: laptop/docs\n"
	c, err := Parse(strings.NewReader(doc), "/srv/conf/ks3sync.yaml", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if c.IsSecure() {
		t.Error("http:// endpoint reported as secure")
	}
	if c.State != filepath.FromSlash("/srv/conf/state.db") {
		t.Errorf("state = %q", c.State)
	}
	p := c.Pairs[0]
	if p.Local != filepath.FromSlash("/srv/conf/data") || p.Prefix != "laptop/docs/" {
		t.Errorf("pair = %+v", p)
	}
	if p.Direction != "push" || p.Delete != "keep" || p.MaxDelete != "50%" || p.StorageClass != "STANDARD" {
		t.Errorf("pair defaults = %+v", p)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]Size{"auto": 0, "0": 0, "4096": 4096, "8MiB": 8 << 20, "64MB": 64e6, "1GiB": 1 << 30} {
		got, err := ParseSize(in)
		if err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	if _, err := ParseSize("-1MiB"); err == nil {
		t.Error("negative size accepted")
	}
}

func FuzzParse(f *testing.F) {
	f.Add("endpoint: x\npairs:\n  - name: a\n    local: /a\n    bucket: bkt\n")
	f.Add("log: {level: debug}\ntransfers: ${N}\n")
	f.Add("pairs: [1, 2]\n")
	f.Fuzz(func(t *testing.T, doc string) {
		c, err := Parse(strings.NewReader(doc), "", noEnv)
		if err == nil && c == nil {
			t.Fatal("nil config without error")
		}
	})
}

func TestHistoryAndMaxOverwrite(t *testing.T) {
	base := "pairs:\n  - name: docs\n    local: /data\n    bucket: my-bucket\n"
	tests := []struct {
		extra        string
		keep         time.Duration
		versions     int
		on           bool
		maxOverwrite string
	}{
		{"", DefaultHistoryKeep, 0, true, "50%"},
		{"    history: {keep: 2w}\n    max_overwrite: 10\n", 14 * 24 * time.Hour, 0, true, "10"},
		{"    history: {keep: 0}\n", 0, 0, false, "50%"},
		{"    history: {keep: 0, versions: 3}\n", 0, 3, true, "50%"},
		{"    history: {versions: 5}\n", DefaultHistoryKeep, 5, true, "50%"},
		{"    history: {keep: 36h}\n", 36 * time.Hour, 0, true, "50%"},
	}
	for _, tc := range tests {
		c, err := Parse(strings.NewReader(base+tc.extra), "", noEnv)
		if err != nil {
			t.Fatalf("%q: %v", tc.extra, err)
		}
		p := c.Pairs[0]
		if p.History.KeepFor() != tc.keep || p.History.Versions != tc.versions || p.History.On() != tc.on || p.MaxOverwrite != tc.maxOverwrite {
			t.Errorf("%q: history keep %s versions %d on %v, max_overwrite %q", tc.extra, p.History.KeepFor(), p.History.Versions, p.History.On(), p.MaxOverwrite)
		}
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"": 0, "0": 0, "2s": 2 * time.Second, "1h30m": 90 * time.Minute, "30d": 720 * time.Hour, "2w": 336 * time.Hour, " 3d ": 72 * time.Hour,
	} {
		if got, err := ParseDuration(in); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"-1h", "d", "-3d", "3.5d", "soon", "3 days"} {
		if _, err := ParseDuration(bad); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("ParseDuration(%q) error = %v, want one quoting it", bad, err)
		}
	}
}

// metrics is the old name of http; a port alone listens on loopback; the
// addresses that listen on loopback only are told apart.
func TestHTTPListener(t *testing.T) {
	for doc, want := range map[string]string{
		"":                       "",
		"http: 127.0.0.1:9101\n": "127.0.0.1:9101",
		"metrics: 0.0.0.0:80\n":  "0.0.0.0:80",
		"http: \":9101\"\n":      "127.0.0.1:9101",
	} {
		c, err := Parse(strings.NewReader(doc), "", noEnv)
		if err != nil || c.HTTP != want || c.Metrics != "" {
			t.Errorf("%q: http %q, metrics %q, %v; want http %q", doc, c.HTTP, c.Metrics, err, want)
		}
	}
	for addr, want := range map[string]bool{
		"127.0.0.1:9101": true, "127.1.2.3:80": true, "[::1]:9101": true, "localhost:9101": true, ":9101": true,
		"0.0.0.0:9101": false, "[::]:9101": false, "192.0.2.1:9101": false, "myhost:9101": false,
	} {
		c, err := Parse(strings.NewReader("http: \""+addr+"\"\nhttp_token: 0123456789abcdef-_~\n"), "", noEnv)
		if err != nil || c.HTTPLoopback() != want || c.HTTPToken != "0123456789abcdef-_~" {
			t.Errorf("http %s: loopback %v, token %q, %v; want loopback %v", addr, c.HTTPLoopback(), c.HTTPToken, err, want)
		}
	}
	c, err := Parse(strings.NewReader("notify: {webhook: http://127.0.0.1:8/hook}\n"), "", noEnv)
	if err != nil || !c.Notify.Enabled() || c.Notify.AfterFailures != DefaultNotifyAfter {
		t.Fatalf("notify = %+v, %v", c.Notify, err)
	}
}

func TestReferences(t *testing.T) {
	doc := `# ${IN_A_COMMENT}
access_key: ${KS3_ACCESS_KEY}
secret_key: "${KS3_SECRET_KEY}"
region: ${REGION:-us-east-1}$$literal
pairs:
  - name: a
    local: ${HOME}/docs
    bucket: ${REGION:-x}
    exclude: ["${SKIP:-*.tmp}", "${HOME}/x"]
`
	refs, err := References(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := []Reference{
		{Name: "KS3_ACCESS_KEY", Line: 2},
		{Name: "KS3_SECRET_KEY", Line: 3},
		{Name: "REGION", HasDefault: true, Line: 4},
		{Name: "HOME", Line: 7},
		{Name: "SKIP", HasDefault: true, Line: 9},
	}
	if !slices.Equal(refs, want) {
		t.Fatalf("References = %+v\nwant %+v", refs, want)
	}
	if _, err := References(strings.NewReader("a: [")); err == nil {
		t.Fatal("bad YAML accepted")
	}
}
