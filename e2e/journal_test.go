package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestPullFollowsPushByJournal: a push pair writes the change journal by
// default, so a pull pair on another device watching the same prefix gets
// a new file at its next remote_poll, long before its full rescan; with
// journal: false it is left to the rescan.
func TestPullFollowsPushByJournal(t *testing.T) {
	e := newEnv(t)
	e.mkBucket("bkt")
	laptop, server := filepath.Join(e.dir, "laptop"), filepath.Join(e.dir, "server")
	writeFile(t, laptop, "first.txt", []byte("first"))
	push := func(extra string) string {
		return e.writeConfig("laptop.yaml", fmt.Sprintf(`device: laptop
pairs:
  - name: docs
    local: %s
    bucket: bkt
    prefix: docs/
%s`, laptop, extra))
	}
	e.mustRun(0, "run", "--config", push(""))
	os.MkdirAll(server, 0o755)
	e.startWatch(e.writeConfig("server.yaml", fmt.Sprintf(`device: server
pairs:
  - name: docs
    local: %s
    bucket: bkt
    prefix: docs/
    direction: pull
    remote_poll: 1s
    watch: {delay: 200ms, max_delay: 1s, rescan: 1h}
`, server)))
	arrives := func(name, want string) {
		t.Helper()
		waitFor(t, 20*time.Second, name+" on the pulling device", func() (bool, string) {
			got, err := os.ReadFile(filepath.Join(server, name))
			return err == nil && string(got) == want, fmt.Sprint(string(got), err)
		})
	}
	arrives("first.txt", "first") // the first full reconcile

	writeFile(t, laptop, "second.txt", []byte("second"))
	e.mustRun(0, "run", "--config", push(""))
	arrives("second.txt", "second") // the journal, within a few polls

	writeFile(t, laptop, "quiet.txt", []byte("unjournaled"))
	e.mustRun(0, "run", "--config", push("    journal: false\n"))
	time.Sleep(4 * time.Second) // four polls
	if _, err := os.Stat(filepath.Join(server, "quiet.txt")); err == nil {
		t.Error("a change that no journal lists arrived before the rescan: the poll is not reading the journal")
	}
}
