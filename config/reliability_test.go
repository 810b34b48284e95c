package config

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestUnsetVariableIsAnError(t *testing.T) {
	vars := env(map[string]string{"EMPTY": "", "EP": "http://127.0.0.1:9000"})
	for _, tc := range []struct {
		doc, want string // want "" = parses
	}{
		{"state: /s\nendpoint: ${KS3_ENDPOINT}\n", "line 2: environment variable KS3_ENDPOINT is not set"},
		{"access_key: x-${UNSET}-y\n", "line 1: environment variable UNSET is not set"},
		{"pairs:\n  - name: p\n    local: ${DATA}/docs\n    bucket: bkt\n", "line 3: environment variable DATA is not set"},
		{"endpoint: ${EMPTY}\n", "line 1: endpoint is empty"},
		{"endpoint: ${UNSET:-}\n", "line 1: endpoint is empty"},
		{"endpoint: \"\"\n", "line 1: endpoint is empty"},
		{"endpoint: ${EP}\naccess_key: ${UNSET:-}\nsecret_key: ${EMPTY}\n", ""},
		{"endpoint: ${UNSET:-http://127.0.0.1:9000}\n", ""},
	} {
		c, err := Parse(strings.NewReader(tc.doc), "", vars)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("doc %q: %v", tc.doc, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("doc %q: error %v, want %q", tc.doc, err, tc.want)
		case tc.want == "" && c.Endpoint != "http://127.0.0.1:9000":
			t.Errorf("doc %q: endpoint %q", tc.doc, c.Endpoint)
		}
	}
}

func TestEndpointPortIsChecked(t *testing.T) {
	for ep, want := range map[string]string{
		"ks3.example:99999":        `port "99999" is not a number from 1 to 65535`,
		"ks3.example:0":            `port "0"`,
		"ks3.example:http":         `port "http"`,
		"http://ks3.example:70000": `port "70000"`,
		"https://ks3.example:-1":   `port "-1"`,
		"ks3.example:":             "the port after ':' is missing",
		"ks3.example:9000":         "",
		"[::1]:9000":               "",
		"http://[::1]:65535":       "",
		"https://ks3.example":      "",
		"ks3.example/path":         "is not host[:port]",
	} {
		_, err := Parse(strings.NewReader("endpoint: \""+ep+"\"\n"), "", noEnv)
		switch {
		case want == "" && err != nil:
			t.Errorf("endpoint %q: %v", ep, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("endpoint %q: error %v, want %q", ep, err, want)
		}
		c := &Config{Endpoint: ep}
		if err := ResolveEndpoint(c); (err == nil) != (want == "") {
			t.Errorf("--endpoint %q: %v", ep, err)
		}
	}
}

func TestTimeouts(t *testing.T) {
	c, err := Parse(strings.NewReader(""), "", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Timeouts; got.ResponseHeader.D() != time.Minute || got.Stall.D() != time.Minute || got.Outage.D() != 30*time.Second {
		t.Errorf("default timeouts = %+v", got)
	}
	c, err = Parse(strings.NewReader("timeouts: {response_header: 5s, stall: 2s, outage: 1m}\n"), "", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Timeouts; got.ResponseHeader.D() != 5*time.Second || got.Stall.D() != 2*time.Second || got.Outage.D() != time.Minute {
		t.Errorf("timeouts = %+v", got)
	}
	for doc, want := range map[string]string{
		"timeouts: {stall: 10ms}\n":       "timeouts.stall: 10ms is shorter than 1s",
		"timeouts: {outage: -5s}\n":       `line 1: duration "-5s" is negative`,
		"timeouts: {response_head: 5s}\n": `unknown key "response_head" in timeouts`,
	} {
		if _, err := Parse(strings.NewReader(doc), "", noEnv); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("doc %q: error %v, want %q", doc, err, want)
		}
	}
}

func TestKeyFileReadableByOthersWarns(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows files have no Unix permission bits")
	}
	dir := t.TempDir()
	key := filepath.Join(dir, "my key")
	if err := os.WriteFile(key, []byte("0123456789abcdef"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(key, 0o644); err != nil { // whatever the umask
		t.Fatal(err)
	}
	doc := "pairs:\n  - name: docs\n    local: /data\n    bucket: bkt\n    encryption: {key_file: \"my key\"}\n"
	c, err := Parse(strings.NewReader(doc), filepath.Join(dir, "ks3sync.yaml"), noEnv)
	if err != nil {
		t.Fatalf("a key file readable by others is refused: %v", err)
	}
	w := strings.Join(c.Warnings(), "\n")
	for _, want := range []string{"pairs[0] (docs).encryption.key_file", key, "mode 0644", "chmod 600 '" + key + "'"} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings %q do not contain %q", w, want)
		}
	}
	if err := os.Chmod(key, 0o600); err != nil {
		t.Fatal(err)
	}
	if c, err = Parse(strings.NewReader(doc), filepath.Join(dir, "ks3sync.yaml"), noEnv); err != nil || len(c.Warnings()) != 0 {
		t.Errorf("a private key file: %v, warnings %q", err, c.Warnings())
	}
}
