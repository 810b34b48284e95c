//go:build linux

package e2e

import (
	"os"
	"path/filepath"
	"strings"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
)

// keyFileCase is a pair whose key file is bad: exit 2 naming the file.
func keyFileCase(name string, write func(path string), want ...string) badCase {
	return badCase{name: "key file: " + name, exit: 2, want: append([]string{"{dir}/sync.key"}, want...), setup: func(c *caseRig) {
		c.file("a.txt", []byte("a"))
		write(filepath.Join(c.dir, "sync.key"))
		c.pairConfig("push", keyFileLines(filepath.Join(c.dir, "sync.key"))...)
	}}
}

// keyFileLines are the pair lines of an encryption key file, in block
// style: a flow map would split a path that holds a comma.
func keyFileLines(path string) []string {
	return []string{"encryption:", "  key_file: " + path}
}

// encrypted stores objects encrypted with a fresh key, as ks3sync does,
// and returns the key file's path.
func encrypted(c *caseRig, files tree) string {
	c.t.Helper()
	key := filepath.Join(c.dir, "right.key")
	c.prepare("keygen", key)
	src := filepath.Join(c.dir, "up")
	files.write(c.t, src)
	c.rawConfig(strings.Replace(goodConfig, "local: {root}", "local: "+src, 1) + "    encryption:\n      key_file: " + key + "\n")
	c.prepare("run", "--config", c.cfg)
	os.RemoveAll(src)
	os.RemoveAll(filepath.Join(c.dir, "state"))
	return key
}

// wantNoPlaintextWritten fails the case if a non-empty file appeared in
// the folder.
func wantNoPlaintextWritten(c *caseRig, _ result) {
	c.t.Helper()
	for rel, kind := range treeKinds(c.t, c.root, nil) {
		if kind != "dir" && kind != "file:"+md5hex(nil) {
			c.t.Errorf("%s was written", rel)
		}
	}
}

// badEncryptionMeta is SDK encryption metadata that does not parse.
var badEncryptionMeta = map[string]string{ks3crypto.MetaIV: "not base64 of sixteen bytes", ks3crypto.MetaKey: "Zm9v"}

func keyCases() []badCase {
	return []badCase{
		keyFileCase("missing", func(string) {}),
		keyFileCase("15 bytes", func(p string) { os.WriteFile(p, []byte("0123456789abcde"), 0o600) }, "16"),
		keyFileCase("17 bytes", func(p string) { os.WriteFile(p, []byte("0123456789abcdefg"), 0o600) }, "16"),
		keyFileCase("empty", func(p string) { os.WriteFile(p, nil, 0o600) }),
		keyFileCase("a folder", func(p string) { os.Mkdir(p, 0o700) }),
		{name: "key file: unreadable", exit: 2, nobody: true, want: []string{"{dir}/sync.key", "permission denied"}, setup: func(c *caseRig) {
			c.file("a.txt", []byte("a"))
			key := filepath.Join(c.dir, "sync.key")
			os.WriteFile(key, []byte("0123456789abcdef"), 0o000)
			c.pairConfig("push", keyFileLines(key)...)
		}},
		{name: "key file: readable by others", exit: 0, want: []string{"{dir}/sync.key", "readable"}, setup: func(c *caseRig) {
			c.file("a.txt", []byte("a"))
			key := filepath.Join(c.dir, "sync.key")
			c.prepare("keygen", key)
			os.Chmod(key, 0o644)
			c.pairConfig("push", keyFileLines(key)...)
		}},
		{name: "key: wrong key on pull", exit: 1, pull: true, want: []string{"p/secret.txt"}, check: wantNoPlaintextWritten, setup: func(c *caseRig) {
			encrypted(c, tree{"secret.txt": []byte("plain secret"), "big/secret.bin": pseudoRandom(7, 400<<10)})
			c.prepare("keygen", filepath.Join(c.dir, "wrong.key"))
			c.pairConfig("pull", keyFileLines(filepath.Join(c.dir, "wrong.key"))...)
		}},
		{name: "key: no key on pull of encrypted objects", exit: 1, pull: true, want: []string{"p/secret.txt"}, check: wantNoPlaintextWritten, setup: func(c *caseRig) {
			encrypted(c, tree{"secret.txt": []byte("plain secret")})
			c.pairConfig("pull")
		}},
		{name: "key: wrong key on cp", exit: 1, want: []string{"p/secret.txt"}, check: wantNoPlaintextWritten, setup: func(c *caseRig) {
			encrypted(c, tree{"secret.txt": []byte("plain secret")})
			c.prepare("keygen", filepath.Join(c.dir, "wrong.key"))
			os.MkdirAll(c.root, 0o755)
			c.args = []string{"--endpoint", c.e.srv.URL, "cp", "--encrypt-key", filepath.Join(c.dir, "wrong.key"), "ks3://" + c.bucket + "/p/secret.txt", filepath.Join(c.root, "secret.txt")}
		}},
		{name: "key: malformed encryption metadata, no key", exit: 1, pull: true, want: []string{"p/odd.bin"}, check: wantNoPlaintextWritten, setup: func(c *caseRig) {
			c.put("odd.bin", pseudoRandom(3, 4096), badEncryptionMeta)
			c.pairConfig("pull")
		}},
		{name: "key: malformed encryption metadata, with key", exit: 1, pull: true, want: []string{"p/odd.bin"}, check: wantNoPlaintextWritten, setup: func(c *caseRig) {
			c.put("odd.bin", pseudoRandom(3, 4096), badEncryptionMeta)
			c.prepare("keygen", filepath.Join(c.dir, "sync.key"))
			c.pairConfig("pull", keyFileLines(filepath.Join(c.dir, "sync.key"))...)
		}},
		{name: "key: keygen over an existing key", exit: 2, want: []string{"already exists"}, setup: func(c *caseRig) {
			c.prepare("keygen", filepath.Join(c.dir, "sync.key"))
			c.args = []string{"keygen", filepath.Join(c.dir, "sync.key")}
		}},
		{name: "key: cp with a missing key file", exit: 2, want: []string{"{dir}/nokey"}, setup: func(c *caseRig) {
			c.file("a.txt", []byte("a"))
			c.args = []string{"--endpoint", c.e.srv.URL, "cp", "--encrypt-key", filepath.Join(c.dir, "nokey"), filepath.Join(c.root, "a.txt"), "ks3://" + c.bucket + "/a.txt"}
		}},
		{name: "credentials: wrong secret key", exit: exitAnyFailure, want: []string{"ks3://{bucket}/", "SignatureDoesNotMatch"}, setup: func(c *caseRig) {
			c.file("a.txt", []byte("a"))
			c.pairConfig("push")
			c.env = []string{"KS3_SECRET_KEY=not-the-secret-key"}
		}},
		{name: "credentials: unknown access key", exit: exitAnyFailure, want: []string{"ks3://{bucket}/", "InvalidAccessKeyId"}, setup: func(c *caseRig) {
			c.file("a.txt", []byte("a"))
			c.pairConfig("push")
			c.env = []string{"KS3_ACCESS_KEY=AKLTNOBODYATALL00001"}
		}},
	}
}
