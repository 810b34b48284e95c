package ks3server

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/ks3server/store"
)

// childEnv names the root a child process serves, with the durable
// defaults, when the test binary runs as the server of a crash test or of
// BenchmarkPutCPU.
const childEnv = "KS3SERVER_TEST_CHILD_ROOT"

func TestMain(m *testing.M) {
	if root := os.Getenv(childEnv); root != "" {
		runChild(root)
		return
	}
	os.Exit(m.Run())
}

// runChild serves root with the durable defaults, prints its address and
// serves until killed.
func runChild(root string) {
	r, err := Start(Options{Root: root, Credentials: map[string]string{testAK: testSK}}, "")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Printf("listening %s\n", r.Addr)
	select {}
}

// startChild runs the test binary as a server over root and returns the
// process and its URL; the process is killed when the test ends.
func startChild(tb testing.TB, root string) (*exec.Cmd, string) {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+root)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		tb.Fatalf("child did not report its address: %v", err)
	}
	return cmd, "http://" + strings.TrimSpace(strings.TrimPrefix(line, "listening "))
}

// kill stops a child with SIGKILL and waits for it.
func kill(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
}

// TestCrashMidPut kills the server process in the middle of a PUT and
// checks that, once the root is opened again, the object is neither listed
// nor served, nothing is left behind, and the store works.
func TestCrashMidPut(t *testing.T) {
	root := t.TempDir()
	cmd, url := startChild(t, root)
	c := newClient(t, url)
	mustCreateBucket(t, c, "bkt")
	mustSend(t, c, "PUT", "bkt", "big", []byte("old version"), http.StatusOK)
	pr, pw := io.Pipe()
	go slowPut(t, c, pr)
	pw.Write(bytes.Repeat([]byte("n"), 1<<20))
	waitForTempFile(t, root)
	kill(t, cmd)
	pw.CloseWithError(io.ErrClosedPipe)

	r := startTestServer(t, func(o *Options) { o.Root = root })
	c = newClient(t, r.URL)
	if names, _ := os.ReadDir(filepath.Join(root, "tmp")); len(names) != 0 {
		t.Errorf("temporary files survived reopening: %v", names)
	}
	keys := listKeys(t, c, "bkt")
	if len(keys) != 1 || keys[0] != "big" {
		t.Errorf("listing after the crash: %v", keys)
	}
	if got := string(mustSend(t, c, "GET", "bkt", "big", nil, http.StatusOK)); got != "old version" {
		t.Errorf("after the crash the object is %d bytes, want the old version", len(got))
	}
	mustSend(t, c, "PUT", "bkt", "big", []byte("new version"), http.StatusOK)
	if got := string(mustSend(t, c, "GET", "bkt", "big", nil, http.StatusOK)); got != "new version" {
		t.Errorf("PUT after recovery: %q", got)
	}
}

// slowPut sends a presigned PUT of 8 MiB whose body comes from body until
// it fails.
func slowPut(t *testing.T, c *ks3.Client, body io.Reader) {
	u, err := c.PresignURL("PUT", "bkt", "big", time.Now().Add(time.Hour), ks3.PresignOptions{})
	if err != nil {
		t.Error(err)
		return
	}
	req, err := http.NewRequest("PUT", u, body)
	if err != nil {
		t.Error(err)
		return
	}
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
		if names, _ := os.ReadDir(filepath.Join(root, "tmp")); len(names) > 0 {
			if fi, err := names[0].Info(); err == nil && fi.Size() > 0 {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the server never started writing the upload")
}

// listKeys lists every key of bucket.
func listKeys(t *testing.T, c *ks3.Client, bucket string) []string {
	t.Helper()
	var keys []string
	for item, err := range c.Walk(context.Background(), bucket, ks3.ListObjectsOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, item.Object.Key)
	}
	return keys
}

// crashObject is the content of the i-th object of TestCrashAfterAck:
// inline-sized for most, a blob file for every fifth.
func crashObject(i int) []byte {
	size := 100 + i%2000
	if i%5 == 0 {
		size = store.InlineLimit + 1 + i
	}
	return bytes.Repeat([]byte(fmt.Sprintf("%07d|", i)), size/8+1)[:size]
}

// TestCrashAfterAck kills the server with SIGKILL while concurrent PUTs
// are in flight: every PUT answered 200 before the kill must be intact
// after a restart, and any other object present must be whole.
func TestCrashAfterAck(t *testing.T) {
	root := t.TempDir()
	cmd, url := startChild(t, root)
	c := newClient(t, url)
	mustCreateBucket(t, c, "bkt")
	var (
		next  atomic.Int64
		mu    sync.Mutex
		acked = map[int]bool{}
		wg    sync.WaitGroup
	)
	for range 8 {
		wg.Go(func() {
			for i := int(next.Add(1)); ; i = int(next.Add(1)) {
				resp, _, err := send(t, c, "PUT", "bkt", fmt.Sprint("k", i), crashObject(i))
				if err != nil || resp.StatusCode != http.StatusOK {
					return // the server is gone
				}
				mu.Lock()
				acked[i] = true
				mu.Unlock()
			}
		})
	}
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 300 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	kill(t, cmd)
	wg.Wait()

	r := startTestServer(t, func(o *Options) { o.Root = root })
	c = newClient(t, r.URL)
	present := map[string]bool{}
	for _, k := range listKeys(t, c, "bkt") {
		present[k] = true
		var i int
		fmt.Sscanf(k, "k%d", &i)
		if got := mustSend(t, c, "GET", "bkt", k, nil, http.StatusOK); !bytes.Equal(got, crashObject(i)) {
			t.Errorf("object %s is torn after the crash: %d bytes", k, len(got))
		}
	}
	for i := range acked {
		if !present[fmt.Sprint("k", i)] {
			t.Errorf("object k%d was acknowledged and is lost after the crash", i)
		}
	}
	t.Logf("%d objects acknowledged before the kill, %d present after it", len(acked), len(present))
}
