package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
	"github.com/ks3sync/ks3sync/ks3"
)

// The tool commands (ls, mb, rb, cp, rm, stat, acl, url, uploads, keygen)
// against the embedded server, through the real binary.

// tool runs ks3sync against the test server.
func (e *env) tool(want int, args ...string) result {
	e.t.Helper()
	return e.mustRun(want, append([]string{"--endpoint", e.srv.URL}, args...)...)
}

// toolIn runs ks3sync against the test server with stdin.
func (e *env) toolIn(stdin []byte, args ...string) result {
	e.t.Helper()
	return e.runIn(context.Background(), stdin, append([]string{"--endpoint", e.srv.URL}, args...)...)
}

// put stores an object on the test server directly.
func (e *env) put(bucket, key string, data []byte) {
	e.t.Helper()
	_, err := e.client.PutObject(context.Background(), bucket, key, bytes.NewReader(data), int64(len(data)), ks3.PutOptions{})
	if err != nil {
		e.t.Fatalf("put ks3://%s/%s: %v", bucket, key, err)
	}
}

// head returns an object's attributes from the test server.
func (e *env) head(bucket, key string) *ks3.ObjectInfo {
	e.t.Helper()
	info, err := e.client.HeadObject(context.Background(), bucket, key)
	if err != nil {
		e.t.Fatalf("head ks3://%s/%s: %v", bucket, key, err)
	}
	return info
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func contains(t *testing.T, r result, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(r.stdout+r.stderr, s) {
			t.Errorf("output lacks %q:\n%s", s, r)
		}
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func lines(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == '\n' })
}

func TestToolBuckets(t *testing.T) {
	e := newEnv(t)
	if r := e.tool(0, "ls"); r.stdout != "" {
		t.Errorf("ls on a fresh server printed %q", r.stdout)
	}
	e.tool(0, "mb", "ks3://tools-one", "--acl", "public-read")
	contains(t, e.tool(1, "mb", "ks3://tools-one"), "BucketAlreadyExists", "global")
	e.tool(2, "mb", "ks3://Upper")
	e.tool(2, "mb", "ks3://tools-one/key")
	e.tool(2, "mb", "ks3://tools-two", "--acl", "everyone")
	e.tool(0, "mb", "ks3://tools-two")
	if got := lines(e.tool(0, "ls").stdout); !slices.Equal(got, []string{"tools-one", "tools-two"}) {
		t.Errorf("ls = %q", got)
	}
	var b struct{ Name string }
	if err := json.Unmarshal([]byte(lines(e.tool(0, "ls", "--json").stdout)[0]), &b); err != nil || b.Name != "tools-one" {
		t.Errorf("ls --json: %+v, %v", b, err)
	}
	e.tool(0, "rb", "ks3://tools-two")
	contains(t, e.tool(1, "rb", "ks3://tools-two"), "NoSuchBucket", "ks3sync mb")

	e.put("tools-one", "a.txt", []byte("a"))
	contains(t, e.tool(1, "rb", "ks3://tools-one"), "BucketNotEmpty", "--force")
	contains(t, e.tool(2, "rb", "--force", "ks3://tools-one"), "--yes")
	e.tool(2, "rb", "--yes", "ks3://tools-one")
}

func TestToolRbForce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.mkBucket("full")
	e.put("full", "top.txt", []byte("x"))
	putMany(t, e, "full", "many/", 1100)
	for _, key := range []string{"open-1", "open-2"} {
		if _, err := e.client.InitiateMultipartUpload(ctx, "full", key, ks3.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	e.srv.ResetStats()
	r := e.tool(0, "rb", "--force", "--yes", "-q", "ks3://full")
	contains(t, r, "removed ks3://full")
	if n := e.srv.Stats().Requests["DeleteObjects"]; n != 2 {
		t.Errorf("%d DeleteObjects requests for 1101 objects, want 2 (batches of 1000)", n)
	}
	if n := e.srv.Stats().Requests["AbortMultipartUpload"]; n != 2 {
		t.Errorf("%d aborts, want 2", n)
	}
	if _, err := e.client.ListObjects(ctx, "full", ks3.ListObjectsOptions{}); ks3.ErrorCode(err) != "NoSuchBucket" {
		t.Errorf("bucket still there: %v", err)
	}
}

// putMany stores n small objects under prefix, 16 at a time.
func putMany(t *testing.T, e *env, bucket, prefix string, n int) {
	t.Helper()
	var g errgroup.Group
	g.SetLimit(16)
	for i := range n {
		g.Go(func() error {
			_, err := e.client.PutObject(context.Background(), bucket, prefix+strconv.Itoa(i),
				strings.NewReader("x"), 1, ks3.PutOptions{})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestToolLs(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("list")
	for _, k := range []string{"a.txt", "dir/b.txt", "dir/sub/c.txt", "dirt.txt"} {
		e.put("list", k, []byte(k))
	}
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"ks3://list"}, []string{"a.txt", "dir/", "dirt.txt"}},
		{[]string{"ks3://list/dir/"}, []string{"dir/b.txt", "dir/sub/"}},
		{[]string{"ks3://list/dir"}, []string{"dir/", "dirt.txt"}},
		{[]string{"-r", "ks3://list/dir/"}, []string{"dir/b.txt", "dir/sub/c.txt"}},
		{[]string{"-r", "ks3://list"}, []string{"a.txt", "dir/b.txt", "dir/sub/c.txt", "dirt.txt"}},
	} {
		if got := lines(e.tool(0, append([]string{"ls"}, tc.args...)...).stdout); !slices.Equal(got, tc.want) {
			t.Errorf("ls %v = %q, want %q", tc.args, got, tc.want)
		}
	}
	long := e.tool(0, "ls", "-l", "ks3://list/dir/").stdout
	info := e.head("list", "dir/b.txt")
	for _, s := range []string{"DIR", "dir/sub/", "STANDARD", info.ETag, " 9 "} {
		if !strings.Contains(long, s) {
			t.Errorf("ls -l lacks %q:\n%s", s, long)
		}
	}
	var got []map[string]any
	for _, l := range lines(e.tool(0, "ls", "--json", "ks3://list/dir/").stdout) {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("ls --json line %q: %v", l, err)
		}
		got = append(got, m)
	}
	if len(got) != 2 || got[0]["key"] != "dir/b.txt" || got[0]["size"] != 9.0 || got[0]["etag"] != info.ETag ||
		got[0]["storage_class"] != "STANDARD" || got[1]["type"] != "prefix" || got[1]["prefix"] != "dir/sub/" {
		t.Errorf("ls --json = %v", got)
	}
	e.tool(2, "ls", "-r")
	e.tool(2, "ls", "/local/path")
	contains(t, e.tool(1, "ls", "ks3://missing"), "NoSuchBucket")
}

// specialKeys are keys that need care in URLs and signatures.
var specialKeys = []string{
	"with space.txt", "plus+sign.txt", "per%cent.txt", "hash#tag.txt", "question?.txt",
	"ünïcødé/日本語.txt", "emoji/😀.txt", "a//double", "semi;colon&amp=.txt",
}

func TestToolCpSpecialKeys(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("special")
	for i, key := range specialKeys {
		data := []byte("content of " + key)
		src := writeFile(t, e.dir, "src"+strconv.Itoa(i), data)
		e.tool(0, "cp", src, "ks3://special/"+key)
		if got, _ := e.getObject("special", key); !bytes.Equal(got, data) {
			t.Errorf("%q: stored %q", key, got)
		}
		contains(t, e.tool(0, "stat", "ks3://special/"+key), "Size:", strconv.Itoa(len(data)))
		out := filepath.Join(e.dir, "out"+strconv.Itoa(i))
		e.tool(0, "cp", "ks3://special/"+key, out)
		if got := readFile(t, out); !bytes.Equal(got, data) {
			t.Errorf("%q: downloaded %q", key, got)
		}
	}
	listed := lines(e.tool(0, "ls", "-r", "ks3://special").stdout)
	if want := slices.Sorted(slices.Values(specialKeys)); !slices.Equal(listed, want) {
		t.Errorf("ls -r = %q, want %q", listed, want)
	}
	args := []string{"rm"}
	for _, k := range specialKeys {
		args = append(args, "ks3://special/"+k)
	}
	e.tool(0, args...)
	if keys := e.keys("special", ""); len(keys) != 0 {
		t.Errorf("left after rm: %q", keys)
	}
}

func TestToolCpMultipart(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("big")
	cfg := e.writeConfig("multipart.yaml", "multipart_threshold: 5MiB\npart_size: 5MiB\n")
	data := randomBytes(t, 30<<20)
	src := writeFile(t, e.dir, "big.bin", data)
	mtime := time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)
	if err := os.Chtimes(src, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	e.tool(0, "--config", cfg, "cp", src, "ks3://big/")
	if n := e.srv.Stats().Requests["UploadPart"]; n != 6 {
		t.Errorf("%d UploadPart requests for 30 MiB in 5 MiB parts, want 6", n)
	}
	info := e.head("big", "big.bin")
	if info.Metadata["mtime"] != "1714979289.123456789" || len(info.Metadata["md5"]) != 32 {
		t.Errorf("metadata %v", info.Metadata)
	}
	e.srv.ResetStats()
	e.tool(0, "--config", cfg, "cp", "ks3://big/big.bin", "down/")
	out := filepath.Join(e.dir, "down", "big.bin")
	if !bytes.Equal(readFile(t, out), data) {
		t.Error("downloaded content differs")
	}
	if fi, err := os.Stat(out); err != nil || !fi.ModTime().Equal(mtime) {
		t.Errorf("mtime of the download: %v, %v; want %v", fi.ModTime(), err, mtime)
	}
	if n := e.srv.Stats().Requests["GetObject"]; n != 1 {
		t.Errorf("%d GETs for one download", n)
	}
}

func TestToolCpEncrypted(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("secret")
	key := filepath.Join(e.dir, "key")
	other := filepath.Join(e.dir, "other-key")
	e.tool(0, "keygen", key)
	e.tool(0, "keygen", other)
	k, err := ks3crypto.LoadKey(key)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		size  int
		parts int64
	}{{"single", 1000, 0}, {"multipart", 3<<20 + 5, 4}} {
		t.Run(tc.name, func(t *testing.T) {
			data := randomBytes(t, tc.size)
			src := writeFile(t, e.dir, tc.name+".bin", data)
			e.srv.ResetStats()
			e.tool(0, "cp", "--encrypt-key", key, "--multipart-threshold", "1MiB", "--part-size", "1MiB", src, "ks3://secret/"+tc.name)
			if n := e.srv.Stats().Requests["UploadPart"]; n != tc.parts {
				t.Errorf("%d parts, want %d", n, tc.parts)
			}
			stored, obj := e.getObject("secret", tc.name)
			m, ok, err := ks3crypto.ParseMetadata(obj.Metadata)
			if !ok || err != nil || bytes.Contains(stored, data[:64]) {
				t.Fatalf("object is not SDK-encrypted: %v %v %v", ok, err, obj.Metadata)
			}
			// The SDK's optional plaintext MD5 is never written: in clear it
			// would confirm a guessed file.
			if single := tc.parts == 0; single != (m.PlainLength == int64(tc.size)) || m.PlainMD5 != nil {
				t.Errorf("SDK plaintext metadata: length %d, md5 %x", m.PlainLength, m.PlainMD5)
			}
			if obj.Metadata["md5-sealed"] == "" || obj.Metadata["md5"] != "" || obj.Metadata["mtime"] == "" {
				t.Errorf("sync metadata: %v, want mtime and a keyed md5-sealed, no clear md5", obj.Metadata)
			}
			plain, err := io.ReadAll(ks3crypto.NewDecryptReader(bytes.NewReader(stored), k, m))
			if err != nil || !bytes.Equal(plain, data) {
				t.Fatalf("SDK-format decryption: %v", err)
			}
			out := filepath.Join(e.dir, tc.name+".out")
			e.tool(0, "cp", "--encrypt-key", key, "ks3://secret/"+tc.name, out)
			if !bytes.Equal(readFile(t, out), data) {
				t.Error("decrypted download differs")
			}
			wrong := filepath.Join(e.dir, "wrong-"+tc.name, "out")
			if err := os.Mkdir(filepath.Dir(wrong), 0o755); err != nil {
				t.Fatal(err)
			}
			contains(t, e.tool(1, "cp", "--encrypt-key", other, "ks3://secret/"+tc.name, wrong),
				"ks3://secret/"+tc.name, "different key")
			contains(t, e.tool(1, "cp", "ks3://secret/"+tc.name, wrong), "ks3://secret/"+tc.name, "--encrypt-key")
			if entries, _ := os.ReadDir(filepath.Dir(wrong)); len(entries) != 0 {
				t.Errorf("a failed download left %v", entries)
			}
		})
	}
	contains(t, e.tool(2, "keygen", key), "already exists")
}

func TestToolKeygen(t *testing.T) {
	e := newEnv(t)
	path := filepath.Join(e.dir, "k")
	r := e.tool(0, "keygen", path)
	fi, err := os.Stat(path)
	if err != nil || fi.Size() != 16 || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v", fi, err)
	}
	k, err := ks3crypto.LoadKey(path)
	if err != nil {
		t.Fatal(err)
	}
	contains(t, r, k.Fingerprint())
	before := readFile(t, path)
	contains(t, e.tool(2, "keygen", path), "already exists", "never overwrites")
	if !bytes.Equal(readFile(t, path), before) {
		t.Error("keygen changed an existing key")
	}
}

func TestToolCpRecursive(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("tree")
	files := map[string]string{"a.txt": "a", "sub/b.txt": "bb", "sub/deeper/c.txt": "ccc", "ünï/d.txt": "dddd"}
	root := filepath.Join(e.dir, "tree")
	mtime := time.Unix(1700000000, 5).UTC()
	for rel, data := range files {
		p := writeFile(t, root, rel, []byte(data))
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(root, "a.txt"), filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	r := e.tool(0, "cp", "-r", root, "ks3://tree/backup")
	contains(t, r, "symbolic link")
	want := []string{"backup/a.txt", "backup/sub/b.txt", "backup/sub/deeper/c.txt", "backup/ünï/d.txt"}
	if got := e.keys("tree", ""); !slices.Equal(got, want) {
		t.Errorf("uploaded keys %q, want %q", got, want)
	}
	e.tool(2, "cp", root, "ks3://tree/x")

	out := filepath.Join(e.dir, "restore")
	e.tool(0, "cp", "-r", "ks3://tree/backup/", out)
	for rel, data := range files {
		p := filepath.Join(out, filepath.FromSlash(rel))
		if got := string(readFile(t, p)); got != data {
			t.Errorf("%s = %q, want %q", rel, got, data)
		}
		if fi, _ := os.Stat(p); !fi.ModTime().Equal(mtime) {
			t.Errorf("%s mtime %v, want %v", rel, fi.ModTime(), mtime)
		}
	}

	e.put("tree", "backup/../../escape.txt", []byte("evil"))
	r = e.tool(1, "cp", "-r", "ks3://tree/backup", filepath.Join(e.dir, "again"))
	contains(t, r, "escape.txt", "1 of 5")
	if _, err := os.Stat(filepath.Join(e.dir, "escape.txt")); err == nil {
		t.Error("a key with .. was written outside the target folder")
	}
	e.tool(0, "cp", "-r", "ks3://tree/backup/sub", "ks3://tree/copy/")
	if got := e.keys("tree", "copy/"); !slices.Equal(got, []string{"copy/b.txt", "copy/deeper/c.txt"}) {
		t.Errorf("server-side copy -r made %q", got)
	}
}

func TestToolCpStdinStdout(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("pipe")
	small := []byte("from stdin\n")
	if r := e.toolIn(small, "cp", "-", "ks3://pipe/small"); r.code != 0 {
		t.Fatal(r)
	}
	if got, obj := e.getObject("pipe", "small"); !bytes.Equal(got, small) || obj.Metadata["md5"] == "" {
		t.Errorf("small stdin stored %q with %v", got, obj.Metadata)
	}
	big := randomBytes(t, 2<<20+333)
	e.srv.ResetStats()
	if r := e.toolIn(big, "cp", "--multipart-threshold", "512KiB", "--part-size", "512KiB", "-", "ks3://pipe/big"); r.code != 0 {
		t.Fatal(r)
	}
	if n := e.srv.Stats().Requests["UploadPart"]; n != 5 {
		t.Errorf("%d parts for a 2 MiB stream in 512 KiB parts, want 5", n)
	}
	if got, _ := e.getObject("pipe", "big"); !bytes.Equal(got, big) {
		t.Error("streamed upload differs")
	}
	if r := e.tool(0, "cp", "ks3://pipe/big", "-"); r.stdout != string(big) {
		t.Error("download to stdout differs")
	}

	key := filepath.Join(e.dir, "key")
	e.tool(0, "keygen", key)
	if r := e.toolIn(big, "cp", "--encrypt-key", key, "--multipart-threshold", "512KiB", "--part-size", "512KiB", "-", "ks3://pipe/enc"); r.code != 0 {
		t.Fatal(r)
	}
	if r := e.tool(0, "cp", "--encrypt-key", key, "ks3://pipe/enc", "-"); r.stdout != string(big) {
		t.Error("encrypted stream round trip differs")
	}
	e.tool(2, "cp", "-", "-")
	e.tool(2, "cp", "-", "ks3://pipe/")
	e.tool(2, "cp", "-r", "ks3://pipe/big", "-")
}

func TestToolCpDestinations(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("dst")
	src := writeFile(t, e.dir, "report.txt", []byte("report"))
	e.tool(0, "cp", src, "ks3://dst/docs/")
	e.tool(0, "cp", src, "ks3://dst")
	e.tool(0, "cp", src, "ks3://dst/renamed.txt")
	if got := e.keys("dst", ""); !slices.Equal(got, []string{"docs/report.txt", "renamed.txt", "report.txt"}) {
		t.Errorf("keys %q", got)
	}
	if err := os.Mkdir(filepath.Join(e.dir, "into"), 0o755); err != nil {
		t.Fatal(err)
	}
	e.tool(0, "cp", "ks3://dst/docs/report.txt", "into")
	e.tool(0, "cp", "ks3://dst/docs/report.txt", "newdir/")
	e.tool(0, "cp", "ks3://dst/docs/report.txt", "named.txt")
	for _, p := range []string{"into/report.txt", "newdir/report.txt", "named.txt"} {
		if got := string(readFile(t, filepath.Join(e.dir, p))); got != "report" {
			t.Errorf("%s = %q", p, got)
		}
	}
	e.tool(2, "cp", "ks3://dst/docs/", "x")
	e.tool(2, "cp", "a", "b")
	e.tool(2, "cp", src, "ks3://BAD/x")
	e.tool(2, "cp", "ks3://dst/report.txt", "out", "--meta", "a=b")
	e.tool(2, "cp", "ks3://dst/report.txt", "ks3://dst/x", "--encrypt-key", "k")
	e.tool(2, "cp", src, "ks3://dst/x", "--meta", "md5=1")
	e.tool(2, "cp", src, "ks3://dst/x", "--callback-url", "http://127.0.0.1:1/")
	contains(t, e.tool(1, "cp", filepath.Join(e.dir, "missing"), "ks3://dst/x"), "missing")
	contains(t, e.tool(1, "cp", "ks3://dst/missing", "out"), "NoSuchKey")
}

func TestToolCpServerSideCopy(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("from")
	e.mkBucket("copy-to")
	src := writeFile(t, e.dir, "page.html", []byte("<p>hi</p>"))
	e.tool(0, "cp", "--meta", "owner=alice", src, "ks3://from/page.html")
	e.tool(0, "cp", "ks3://from/page.html", "ks3://copy-to/")
	info := e.head("copy-to", "page.html")
	if info.Metadata["owner"] != "alice" || !strings.HasPrefix(info.ContentType, "text/html") {
		t.Errorf("COPY lost attributes: %v %q", info.Metadata, info.ContentType)
	}
	e.srv.ResetStats()
	e.tool(0, "cp", "--meta", "owner=bob", "--storage-class", "STANDARD_IA", "ks3://from/page.html", "ks3://copy-to/replaced.html")
	info = e.head("copy-to", "replaced.html")
	if info.Metadata["owner"] != "bob" || info.Metadata["md5"] == "" || info.StorageClass != "STANDARD_IA" {
		t.Errorf("REPLACE copy: %v %s", info.Metadata, info.StorageClass)
	}
	if st := e.srv.Stats(); st.Requests["CopyObject"] != 1 || st.Requests["GetObject"] != 0 || st.Requests["PutObject"] != 0 {
		t.Errorf("a server-side copy moved data: %v", st.Requests)
	}
	e.tool(0, "cp", "--storage-class", "STANDARD_IA", "ks3://from/page.html", "ks3://from/page.html")
	if info := e.head("from", "page.html"); info.StorageClass != "STANDARD_IA" || info.Metadata["owner"] != "alice" {
		t.Errorf("in-place copy: %s %v", info.StorageClass, info.Metadata)
	}
}

func TestToolCpAttributes(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("attrs")
	var mu sync.Mutex
	var callbacks []map[string]string
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]string
		json.NewDecoder(r.Body).Decode(&m)
		mu.Lock()
		callbacks = append(callbacks, m)
		mu.Unlock()
		io.WriteString(w, `{"result":true}`)
	}))
	defer app.Close()
	src := writeFile(t, e.dir, "data.bin", []byte("some data"))
	e.tool(0, "cp", "--storage-class", "STANDARD_IA", "--acl", "public-read", "--meta", "Project=x1",
		"--meta", "team=blue", "--content-type", "application/x-test",
		"--callback-url", app.URL, "--callback-body", "k=${key}&size=${objectSize}&who=${kss-user}",
		"--callback-var", "user=carol", src, "ks3://attrs/data.bin")
	info := e.head("attrs", "data.bin")
	if info.StorageClass != "STANDARD_IA" || info.ContentType != "application/x-test" ||
		info.Metadata["project"] != "x1" || info.Metadata["team"] != "blue" {
		t.Errorf("attributes %s %q %v", info.StorageClass, info.ContentType, info.Metadata)
	}
	resp, err := http.Get(e.srv.URL + "/attrs/data.bin")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("anonymous GET of a public-read object: %v %v", resp, err)
	}
	if resp != nil {
		resp.Body.Close()
	}
	mu.Lock()
	defer mu.Unlock()
	if len(callbacks) != 1 || callbacks[0]["k"] != "data.bin" || callbacks[0]["size"] != "9" || callbacks[0]["who"] != "carol" {
		t.Errorf("callbacks %v", callbacks)
	}
}

func TestToolRm(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("rm-bkt")
	for _, k := range []string{"a", "b", "c", "dir/x", "dir/y", "dirt"} {
		e.put("rm-bkt", k, []byte(k))
	}
	r := e.tool(0, "rm", "ks3://rm-bkt/a", "ks3://rm-bkt/b")
	contains(t, r, "delete: ks3://rm-bkt/a", "delete: ks3://rm-bkt/b")
	e.tool(2, "rm", "ks3://rm-bkt")
	e.tool(2, "rm")
	e.tool(0, "rm", "-r", "ks3://rm-bkt/dir")
	if got := e.keys("rm-bkt", ""); !slices.Equal(got, []string{"c", "dirt"}) {
		t.Errorf("left %q", got)
	}
	putMany(t, e, "rm-bkt", "many/", 1001)
	e.srv.ResetStats()
	if r := e.tool(0, "rm", "-r", "-q", "ks3://rm-bkt/many/"); r.stdout != "" {
		t.Errorf("rm -q printed %q", r.stdout)
	}
	if n := e.srv.Stats().Requests["DeleteObjects"]; n != 2 {
		t.Errorf("%d multi-deletes for 1001 keys, want 2", n)
	}
	if got := e.keys("rm-bkt", ""); !slices.Equal(got, []string{"c", "dirt"}) {
		t.Errorf("left %q", got)
	}
}

func TestToolStat(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("stat")
	src := writeFile(t, e.dir, "s.txt", []byte("stat me"))
	e.tool(0, "cp", "--meta", "color=green", src, "ks3://stat/s.txt")
	r := e.tool(0, "stat", "ks3://stat/s.txt")
	contains(t, r, "Size:", "7", "STANDARD", "x-kss-meta-color:", "green", "x-kss-meta-md5:", "Encrypted:", "no")
	var s struct {
		Key          string
		Size         int64
		StorageClass string `json:"storage_class"`
		Metadata     map[string]string
	}
	if err := json.Unmarshal([]byte(e.tool(0, "stat", "--json", "ks3://stat/s.txt").stdout), &s); err != nil {
		t.Fatal(err)
	}
	if s.Key != "s.txt" || s.Size != 7 || s.StorageClass != "STANDARD" || s.Metadata["color"] != "green" {
		t.Errorf("stat --json: %+v", s)
	}
	contains(t, e.tool(0, "stat", "ks3://stat"), "Location:")
	contains(t, e.tool(1, "stat", "ks3://stat/nope"), "NoSuchKey")
	contains(t, e.tool(1, "stat", "ks3://nobucket/nope"), "NoSuchBucket", "ks3sync mb")
}

func TestToolACL(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("acl")
	e.put("acl", "obj", []byte("o"))
	anonymous := func() int {
		resp, err := http.Get(e.srv.URL + "/acl/obj")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	contains(t, e.tool(0, "acl", "get", "ks3://acl"), "FULL_CONTROL", "CanonicalUser")
	if got := anonymous(); got != http.StatusForbidden {
		t.Errorf("anonymous GET of a private object: %d", got)
	}
	e.tool(0, "acl", "set", "ks3://acl/obj", "public-read")
	contains(t, e.tool(0, "acl", "get", "ks3://acl/obj"), "READ", "Group", ks3.AllUsersURI)
	if got := anonymous(); got != http.StatusOK {
		t.Errorf("anonymous GET of a public-read object: %d", got)
	}
	e.tool(0, "acl", "set", "ks3://acl/obj", "private")
	if got := anonymous(); got != http.StatusForbidden {
		t.Errorf("anonymous GET after acl set private: %d", got)
	}
	var doc struct {
		Grants []struct {
			Permission  string `json:"permission"`
			GranteeType string `json:"grantee_type"`
		} `json:"grants"`
	}
	if err := json.Unmarshal([]byte(e.tool(0, "acl", "get", "--json", "ks3://acl").stdout), &doc); err != nil ||
		len(doc.Grants) == 0 || doc.Grants[0].Permission != "FULL_CONTROL" {
		t.Errorf("acl get --json: %+v %v", doc, err)
	}
	e.tool(0, "acl", "set", "ks3://acl", "public-read")
	contains(t, e.tool(0, "acl", "get", "ks3://acl"), ks3.AllUsersURI)
	e.tool(2, "acl", "set", "ks3://acl/obj", "world-writable")
	e.tool(2, "acl", "get")
	e.tool(2, "acl", "frob", "ks3://acl")
}

func TestToolURL(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("urls")
	key := "a file+name#1.txt"
	e.put("urls", key, []byte("presigned"))
	get := strings.TrimSpace(e.tool(0, "url", "ks3://urls/"+key, "--expires", "1h").stdout)
	resp, err := http.Get(get)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "presigned" {
		t.Errorf("presigned GET: %d %q", resp.StatusCode, body)
	}
	put := strings.TrimSpace(e.tool(0, "url", "ks3://urls/up.txt", "--method", "PUT", "--expires", "10m").stdout)
	req, _ := http.NewRequest(http.MethodPut, put, strings.NewReader("uploaded"))
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got, _ := e.getObject("urls", "up.txt"); resp.StatusCode != http.StatusOK || string(got) != "uploaded" {
		t.Errorf("presigned PUT: %d, stored %q", resp.StatusCode, got)
	}
	past := strconv.FormatInt(time.Now().Add(-time.Minute).Unix(), 10)
	e.tool(2, "url", "ks3://urls/"+key, "--expires-at", past) // the tool refuses a URL that never works
	expired, err := e.client.PresignURL(http.MethodGet, "urls", key, time.Now().Add(-time.Minute), ks3.PresignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if resp, err = http.Get(expired); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("expired URL answered %d", resp.StatusCode)
	}
	if u, err := url.Parse(get); err != nil || u.Query().Get("Expires") == "" || u.Query().Get("Signature") == "" {
		t.Errorf("URL %q lacks Expires/Signature", get)
	}
	e.tool(2, "url", "ks3://urls/"+key)
	e.tool(2, "url", "ks3://urls/"+key, "--expires", "1h", "--expires-at", past)
	e.tool(2, "url", "ks3://urls", "--expires", "1h")
	e.tool(2, "url", "ks3://urls/"+key, "--expires", "1h", "--method", "POST")
}

func TestToolUploads(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.mkBucket("ups")
	part := randomBytes(t, 200<<10)
	var ids []string
	for _, key := range []string{"tmp/one", "tmp/two", "keep/three"} {
		id, err := e.client.InitiateMultipartUpload(ctx, "ups", key, ks3.PutOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for n := 1; n <= 2; n++ {
			if _, err := e.client.UploadPart(ctx, "ups", key, id, n, bytes.NewReader(part), int64(len(part)), nil); err != nil {
				t.Fatal(err)
			}
		}
		ids = append(ids, id)
	}
	r := e.tool(0, "uploads", "ls", "ks3://ups")
	contains(t, r, ids[0], ids[1], ids[2], "ks3://ups/tmp/one", strconv.Itoa(2*len(part)))
	var up struct {
		Key   string
		Parts int
		Size  int64
	}
	ls := lines(e.tool(0, "uploads", "ls", "--json", "ks3://ups/keep/").stdout)
	if len(ls) != 1 || json.Unmarshal([]byte(ls[0]), &up) != nil || up.Key != "keep/three" || up.Parts != 2 || up.Size != int64(2*len(part)) {
		t.Errorf("uploads ls --json = %q", ls)
	}
	e.tool(2, "uploads", "abort", "ks3://ups")
	e.tool(2, "uploads", "abort", "ks3://ups", "--all", "--older-than", "1h")
	e.tool(2, "uploads", "abort", "ks3://ups", "--upload-id", ids[0])
	e.tool(0, "uploads", "abort", "ks3://ups/tmp/one", "--upload-id", ids[0])
	contains(t, e.tool(1, "uploads", "abort", "ks3://ups/tmp/one", "--upload-id", ids[0]), "NoSuchUpload")
	if r := e.tool(0, "uploads", "abort", "ks3://ups", "--older-than", "24h"); strings.Contains(r.stdout, "abort:") {
		t.Errorf("--older-than 24h aborted new uploads:\n%s", r)
	}
	contains(t, e.tool(0, "uploads", "abort", "ks3://ups/tmp/", "--all"), "ks3://ups/tmp/two")
	if r := e.tool(0, "uploads", "ls", "ks3://ups"); strings.Contains(r.stdout, "tmp/") || !strings.Contains(r.stdout, "keep/three") {
		t.Errorf("after abort --all of tmp/:\n%s", r)
	}
}

func TestToolErrors(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("errs")
	r := e.tool(1, "--secret-key", "wrong", "ls", "ks3://errs")
	contains(t, r, "SignatureDoesNotMatch", "request id", "check the secret key")
	if n := strings.Count(strings.TrimSpace(r.stderr), "\n"); n != 0 {
		t.Errorf("error spans %d lines:\n%s", n+1, r.stderr)
	}
	contains(t, e.tool(1, "--access-key", "AKLTUNKNOWN", "ls"), "InvalidAccessKeyId")
	contains(t, e.tool(2, "stat", "s3://errs/x"), "ks3://BUCKET")
	contains(t, e.mustRun(1, "--endpoint", "http://127.0.0.1:1", "ls"), "check --endpoint")
}

// TestToolHelp checks that the help of every tool command shows its usage,
// a description, examples and all of its flags.
func TestToolHelp(t *testing.T) {
	e := newEnv(t)
	for cmd, flags := range map[string][]string{
		"ls":            {"--recursive", "--long", "--json"},
		"mb":            {"--acl", "--location", "--type"},
		"rb":            {"--force", "--yes", "--quiet"},
		"cp":            {"--recursive", "--quiet", "--no-progress", "--storage-class", "--acl", "--content-type", "--meta", "--callback-url", "--callback-body", "--callback-var", "--encrypt-key", "--multipart-threshold", "--part-size"},
		"rm":            {"--recursive", "--quiet"},
		"stat":          {"--json"},
		"acl":           {"get", "set"},
		"acl get":       {"--json"},
		"acl set":       {"public-read"},
		"url":           {"--expires", "--expires-at", "--method", "--content-type", "--response-content-type", "--response-content-disposition"},
		"uploads":       {"ls", "abort", "--older-than"},
		"uploads ls":    {"--json"},
		"uploads abort": {"--upload-id", "--older-than", "--all", "--quiet"},
		"keygen":        {"FILE"},
	} {
		args := append(strings.Fields(cmd), "--help")
		r := e.mustRun(0, args...)
		contains(t, r, append([]string{"Usage:", "Examples:", "ks3sync " + cmd}, flags...)...)
	}
}
