package ks3server

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// crashChildEnv names the root a child process serves when the test binary
// runs as the crash test's server.
const crashChildEnv = "KS3SERVER_TEST_CRASH_CHILD_ROOT"

func TestMain(m *testing.M) {
	if root := os.Getenv(crashChildEnv); root != "" {
		runCrashChild(root)
		return
	}
	if root := os.Getenv(benchChildEnv); root != "" {
		runBenchChild(root)
		return
	}
	os.Exit(m.Run())
}

// runCrashChild serves root, prints its address and waits to be killed.
func runCrashChild(root string) {
	r, err := Start(Options{
		Root:        root,
		Credentials: map[string]string{testAK: testSK},
		Now:         func() time.Time { return testNow },
	}, "")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Printf("listening %s\n", r.Addr)
	select {}
}

// TestCrashMidPut kills the server process in the middle of a PUT and
// checks that, once the root is opened again, the object is neither listed
// nor served, nothing is left behind, and the store works.
func TestCrashMidPut(t *testing.T) {
	root := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+root)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("child did not report its address: %v", err)
	}
	child := &Running{URL: "http://" + strings.TrimSpace(strings.TrimPrefix(line, "listening "))}

	mustSend(t, child, call{method: "PUT", bucket: "bkt"}, http.StatusOK)
	mustSend(t, child, call{method: "PUT", bucket: "bkt", rawKey: "big", body: []byte("old version")}, http.StatusOK)
	pr, pw := io.Pipe()
	go slowPut(t, child.URL, pr)
	pw.Write(bytes.Repeat([]byte("n"), 1<<20))
	waitForTempFile(t, root)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	pw.CloseWithError(io.ErrClosedPipe)

	s := newTestServer(t, func(o *Options) { o.Root = root })
	if names, _ := readDirNames(root, tmpDir); len(names) != 0 {
		t.Errorf("temporary files survived reopening: %v", names)
	}
	var res listBucketResult
	decodeXML(t, mustDo(t, s, call{method: "GET", bucket: "bkt"}, http.StatusOK), &res)
	if len(res.Contents) != 1 || res.Contents[0].Size != int64(len("old version")) {
		t.Errorf("listing after the crash: %+v", res.Contents)
	}
	if got := string(getBody(t, s, "bkt", "big")); got != "old version" {
		t.Errorf("after the crash the object is %d bytes, want the old version", len(got))
	}
	putObject(t, s, "bkt", "big", []byte("new version"), nil)
	if got := string(getBody(t, s, "bkt", "big")); got != "new version" {
		t.Errorf("PUT after recovery: %q", got)
	}
	if n := countBlobs(t, s); n != 1 {
		t.Errorf("%d blob files for one object", n)
	}
}

// slowPut sends a signed PUT whose body comes from body until it fails.
func slowPut(t *testing.T, base string, body io.Reader) {
	signed := call{method: "PUT", bucket: "bkt", rawKey: "big", header: map[string]string{"Content-Length": "8388608"}}.newRequest()
	req, err := http.NewRequest("PUT", base+signed.RequestURI, body)
	if err != nil {
		t.Error(err)
		return
	}
	req.Header = signed.Header
	req.ContentLength = 8 << 20
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Errorf("a PUT whose server was killed got status %d", resp.StatusCode)
	}
}

// waitForTempFile waits until the server is writing a blob under root.
func waitForTempFile(t *testing.T, root string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if names, _ := readDirNames(root, tmpDir); len(names) > 0 {
			if fi, err := os.Stat(filepath.Join(root, tmpDir, names[0])); err == nil && fi.Size() > 0 {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the server never started writing the upload")
}
