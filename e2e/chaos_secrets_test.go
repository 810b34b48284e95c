//go:build linux

package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/ks3server"
	"github.com/ks3sync/ks3sync/ks3server/ks3servertest"
	"github.com/ks3sync/ks3sync/objmeta"
)

// TestChaosSecrets runs sync, watch (with metrics), status, failing runs,
// the tool commands and serve with a known secret key and encryption key
// at the most verbose log level, and looks for the secrets in everything
// they left: output, log lines and events, the log file, the state
// database's bytes, the /metrics and /healthz pages, and ks3sync's own
// metadata on encrypted objects.
func TestChaosSecrets(t *testing.T) {
	x := newSecretsRig(t)
	x.runs()
	x.watch()
	x.tools()
	x.serve()
	x.stateFiles()
	for _, place := range slices.Sorted(func(yield func(string) bool) {
		for p := range x.places {
			if !yield(p) {
				return
			}
		}
	}) {
		t.Run(place, func(t *testing.T) {
			figures.count(t, rowSecrets)
			if len(bytes.TrimSpace(x.places[place])) == 0 {
				t.Fatalf("nothing was collected from %s", place)
			}
			if found := x.find(x.places[place]); len(found) > 0 {
				t.Errorf("%s holds %s", place, strings.Join(found, ", "))
			}
		})
	}
	t.Run("ks3sync's md5 metadata of encrypted objects", func(t *testing.T) {
		figures.count(t, rowSecrets)
		if confirms := x.encryptedMetadata(); len(confirms) > 0 {
			t.Errorf("the md5 metadata confirms the plaintext of %s", strings.Join(confirms, ", "))
		}
	})
}

// secretsRig is a server that accepts a secret key known only to the test,
// an encryption key, and what the campaign collected by place.
type secretsRig struct {
	t       *testing.T
	e       *env
	secret  string
	wrong   string // a second secret, given where a run must fail
	keyFile string
	key     []byte
	forms   map[string][]byte // how a secret could appear -> its bytes
	places  map[string][]byte
	cfg     string
	src     string
}

func newSecretsRig(t *testing.T) *secretsRig {
	rng := testRand(t)
	secret := fmt.Sprintf("CampaignSecret%016x%016x", rng.Uint64(), rng.Uint64())
	srv := ks3servertest.StartWith(t, ks3server.Options{NoSync: true, Credentials: map[string]string{ks3servertest.AccessKey: secret}})
	e := &env{t: t, srv: srv, dir: t.TempDir(), client: checkClient(t, srv.URL, ks3servertest.AccessKey, secret)}
	x := &secretsRig{t: t, e: e, secret: secret, wrong: fmt.Sprintf("WrongSecret%016x", rng.Uint64()), places: map[string][]byte{}}
	x.keyFile = filepath.Join(e.dir, "secret.key")
	x.collect("keygen output", x.invoke("keygen", x.keyFile))
	key, err := ks3crypto.LoadKey(x.keyFile)
	if err != nil {
		t.Fatal(err)
	}
	x.key = key[:]
	x.forms = secretForms(secret, x.wrong, x.key)
	e.mkBucket("bkt")
	x.src = filepath.Join(e.dir, "src")
	sampleTree(600<<10).write(t, x.src)
	x.cfg = x.config("secrets", x.src, "")
	return x
}

// secretForms are the spellings of the secrets that must appear nowhere.
func secretForms(secret, wrong string, key []byte) map[string][]byte {
	return map[string][]byte{
		"the secret key":                   []byte(secret),
		"the rejected secret key":          []byte(wrong),
		"the encryption key's bytes":       key,
		"the encryption key in hex":        []byte(hex.EncodeToString(key)),
		"the encryption key in HEX":        []byte(strings.ToUpper(hex.EncodeToString(key))),
		"the encryption key in base64":     []byte(base64.RawStdEncoding.EncodeToString(key)),
		"the encryption key in base64 URL": []byte(base64.RawURLEncoding.EncodeToString(key)),
	}
}

// find returns the forms of a secret that data holds.
func (x *secretsRig) find(data []byte) []string {
	var found []string
	for name, form := range x.forms {
		if bytes.Contains(data, form) {
			found = append(found, name)
		}
	}
	slices.Sort(found)
	return found
}

// config writes a config with an encrypted push pair and a pull pair of
// the same objects, logging at trace level to a file as well.
func (x *secretsRig) config(name, src, extra string) string {
	dst := filepath.Join(x.e.dir, name+"-copy")
	enc := fmt.Sprintf("    encryption:\n      key_file: %s\n", x.keyFile)
	return x.e.writeConfig(name+".yaml", fmt.Sprintf(`log: {level: trace, format: json, file: %s}
multipart_threshold: 256KiB
part_size: 128KiB
%spairs:
  - name: up
    local: %s
    bucket: bkt
    prefix: s/
%s  - name: down
    local: %s
    bucket: bkt
    prefix: s/
    direction: pull
%s`, filepath.Join(x.e.dir, name+".log"), extra, src, enc, dst, enc))
}

// invoke runs the binary with the test's secret key in the environment.
func (x *secretsRig) invoke(args ...string) result {
	return x.e.invoke(invocation{args: args, env: []string{"KS3_SECRET_KEY=" + x.secret}})
}

// collect files what a run printed under place.
func (x *secretsRig) collect(place string, r result) {
	x.places[place] = append(x.places[place], r.stdout+"\n"+r.stderr...)
}

func (x *secretsRig) collectFile(place, path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		x.t.Fatalf("%s: %v", place, err)
	}
	x.places[place] = append(x.places[place], data...)
}

// runs syncs, fails and reports status in each output format.
func (x *secretsRig) runs() {
	x.t.Helper()
	for _, format := range []string{"console", "json"} {
		writeFile(x.t, x.src, "changed-"+format+".txt", []byte(format))
		r := x.invoke("run", "--config", x.cfg, "--log-level", "trace", "--log-format", format)
		if r.code != 0 {
			x.t.Fatalf("run: %s", r)
		}
		x.collect("run output ("+format+" log)", r)
	}
	writeFile(x.t, x.src, "changed-events.txt", []byte("events"))
	x.collect("run events (--json)", x.invoke("run", "--config", x.cfg, "--json", "--log-level", "trace"))
	x.collect("status", x.invoke("status", "--config", x.cfg))
	x.collect("status --json", x.invoke("status", "--config", x.cfg, "--json"))

	wrong := x.e.invoke(invocation{args: []string{"run", "--config", x.cfg, "--log-level", "trace"}, env: []string{"KS3_SECRET_KEY=" + x.wrong}})
	if wrong.code == 0 {
		x.t.Errorf("a run with a rejected secret reported success:\n%s", wrong)
	}
	x.collect("failing run (rejected secret)", wrong)

	missing := x.config("missing-bucket", x.src, "")
	os.WriteFile(missing, bytes.ReplaceAll(readFile(x.t, missing), []byte("bucket: bkt"), []byte("bucket: no-such-bucket")), 0o600)
	failed := x.invoke("run", "--config", missing, "--log-level", "trace", "--json")
	if failed.code == 0 {
		x.t.Errorf("a run into a missing bucket reported success:\n%s", failed)
	}
	x.collect("failing run (missing bucket)", failed)
	x.collectFile("log files (log.file)", filepath.Join(x.e.dir, "secrets.log"))
	x.collectFile("log files (log.file)", filepath.Join(x.e.dir, "missing-bucket.log"))
}

// watch runs the daemon with metrics until it has synced a new file, and
// reads its pages.
func (x *secretsRig) watch() {
	x.t.Helper()
	metrics := freeAddr(x.t)
	cfg := x.config("watch", x.src, fmt.Sprintf("metrics: %s\n", metrics))
	cmd := exec.Command(binPath, "watch", "--config", cfg, "--log-level", "trace", "--json")
	cmd.Dir, cmd.Env = x.e.dir, x.e.campaignEnviron([]string{"KS3_SECRET_KEY=" + x.secret})
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		x.t.Fatal(err)
	}
	defer cmd.Process.Kill()
	writeFile(x.t, x.src, "while-watching.txt", []byte("watched"))
	waitFor(x.t, time.Minute, "the daemon to upload a file", func() (bool, string) {
		_, err := x.e.client.HeadObject(context.Background(), "bkt", "s/while-watching.txt")
		return err == nil, fmt.Sprint(err)
	})
	for _, page := range []string{"/metrics", "/healthz"} {
		code, body := httpGet(x.t, "http://"+metrics+page)
		if code != 200 {
			x.t.Errorf("%s answered %d", page, code)
		}
		x.places["watch "+page] = []byte(body)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	x.places["watch output (--json)"] = out.Bytes()
	x.collectFile("log files (log.file)", filepath.Join(x.e.dir, "watch.log"))
}

// tools runs every tool command that touches the server or a key.
func (x *secretsRig) tools() {
	x.t.Helper()
	url := x.e.srv.URL
	local := filepath.Join(x.src, "a.txt")
	down := filepath.Join(x.e.dir, "down.txt")
	for _, args := range [][]string{
		{"ls", "-r", "-l", "ks3://bkt"},
		{"cp", "--encrypt-key", x.keyFile, local, "ks3://bkt/tool/a.txt"},
		{"cp", "--encrypt-key", x.keyFile, "ks3://bkt/tool/a.txt", down},
		{"stat", "ks3://bkt/tool/a.txt"},
		{"url", "ks3://bkt/tool/a.txt", "--expires", "1h"},
		{"uploads", "ls", "ks3://bkt"},
		{"acl", "get", "ks3://bkt/tool/a.txt"},
		{"rm", "ks3://bkt/tool/a.txt"},
		{"stat", "ks3://bkt/tool/missing.txt"},
	} {
		r := x.invoke(append([]string{"--endpoint", url, "--log-level", "trace"}, args...)...)
		x.collect("ks3sync "+args[0]+" "+args[1], r)
	}
}

// serve runs a server given the secret in its environment and reads what
// it prints.
func (x *secretsRig) serve() {
	x.t.Helper()
	s := startServeProc(x.t, x.e, []string{"KS3_SECRET_KEY=" + x.secret}, "--root", filepath.Join(x.e.dir, "served"), "--log-level", "debug")
	c := checkClient(x.t, s.url(), ks3servertest.AccessKey, x.secret)
	if err := c.CreateBucket(context.Background(), "served", ks3.CreateBucketOptions{}); err != nil {
		x.t.Fatal(err)
	}
	s.signal(syscall.SIGTERM)
	s.wait()
	x.places["serve output"] = []byte(strings.Join(s.lines(), "\n"))
}

// stateFiles collects the bytes of every state database file.
func (x *secretsRig) stateFiles() {
	x.t.Helper()
	files, _ := filepath.Glob(filepath.Join(x.e.dir, "*.state.db*"))
	for _, f := range files {
		if !strings.HasSuffix(f, ".lock") {
			x.collectFile("state database "+filepath.Base(f), f)
		}
	}
	if len(files) == 0 {
		x.t.Fatal("no state database found")
	}
}

// encryptedMetadata returns the encrypted objects whose ks3sync md5
// metadata is the MD5 of their plaintext, which would confirm a guessed
// file to anyone who can read the bucket.
func (x *secretsRig) encryptedMetadata() []string {
	x.t.Helper()
	var confirms []string
	for _, rel := range sampleTree(600 << 10).keys() {
		data := readFile(x.t, filepath.Join(x.src, filepath.FromSlash(rel)))
		if len(data) == 0 {
			continue // empty objects are stored unencrypted, as the SDK does
		}
		if x.e.head("bkt", "s/"+rel).Metadata[objmeta.NameMD5] == md5hex(data) {
			confirms = append(confirms, rel)
		}
	}
	return confirms
}
