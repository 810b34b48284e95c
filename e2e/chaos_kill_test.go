//go:build linux

package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3server/handlers"
	"github.com/ks3sync/ks3sync/localfs"
	"github.com/ks3sync/ks3sync/state"
)

// TestChaosKill kills `ks3sync run` with SIGKILL at random points of a
// push, a pull, a two-way pair and an encrypted pair (small files and
// multipart files, one of them rewritten between kills), then lets a final
// run finish. After every kill each side holds only whole versions; at the
// end both sides hold exactly the latest files, no temporary file or
// unfinished upload is left, and no part that a checkpoint had recorded
// was sent again.
func TestChaosKill(t *testing.T) {
	for _, m := range pairModes() {
		t.Run(m.name, func(t *testing.T) {
			k := newRig(t, m)
			k.campaign(campaignScale().killPoints)
		})
	}
}

// campaign runs kill cycles until points runs were killed, then settles
// and judges the end state.
func (k *rig) campaign(points int) {
	k.t.Helper()
	start := time.Now()
	for cycle := 1; k.kills < points; cycle++ {
		if cycle > 4*points+10 {
			k.t.Fatalf("only %d of %d runs were killed in %d cycles", k.kills, points, cycle-1)
		}
		k.mode.mutate(k, cycle)
		k.cycle()
	}
	figures.add(k.mode.row, points, 0)
	k.settle()
	if k.verifyFinal() {
		figures.add(k.mode.row, 0, points)
	}
	k.verifyClean(rowKillClean)
	k.verifyResent(true)
	figures.note(k.mode.row, "%d kills in %d runs, %s", k.kills, k.runs, time.Since(start).Round(time.Second))
}

// killPoint says when a run is killed: delay after the binary's at-th
// request; with okOp, when the server is about to answer 200 to the
// okN-th request of okOp (the work is done, the binary has not heard of
// it); with tempIn, once a temporary file of ks3sync in that folder holds
// tempBytes; otherwise delay after the process started.
type killPoint struct {
	at        int
	delay     time.Duration
	okOp      string
	okN       int
	tempIn    string
	tempBytes int64
}

func (k *rig) nextPoint() killPoint {
	if k.rng.IntN(2) == 0 {
		return killPoint{at: 1 + k.rng.IntN(k.maxAt), delay: time.Duration(k.rng.IntN(30)) * time.Millisecond}
	}
	return killPoint{delay: time.Duration(k.rng.Int64N(int64(k.lastRun) + 1))}
}

// cycle runs the binary once with a kill point. A killed run is judged at
// once; a run that finished first must have succeeded, and tunes the next
// kill points to its length.
func (k *rig) cycle() {
	k.t.Helper()
	before := len(k.rec.exchanges())
	started := time.Now()
	r, killed := k.runKilledAt(k.nextPoint())
	k.runs++
	if !killed {
		if r.code != 0 {
			k.t.Fatalf("a run that was not killed failed: %s", r)
		}
		k.maxAt = max(1, len(k.rec.exchanges())-before)
		k.lastRun = time.Since(started)
		return
	}
	k.kills++
	k.rec.setEpoch(k.kills)
	k.recordCheckpoints()
	k.judgeAfterKill()
}

// runKilledAt runs `ks3sync run` and SIGKILLs it at p. It reports whether
// the kill ended the run.
func (k *rig) runKilledAt(p killPoint) (result, bool) {
	k.t.Helper()
	cmd := exec.Command(binPath, "run", "--config", k.cfg, "--no-progress")
	cmd.Dir, cmd.Env = k.e.dir, k.e.campaignEnviron(nil)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	proc := make(chan *os.Process, 1)
	kill := func() {
		pr := <-proc
		proc <- pr
		pr.Signal(syscall.SIGKILL)
		waitDead(pr.Pid)
	}
	switch {
	case p.okOp != "":
		k.rec.armOnOK(p.okOp, p.okN, kill)

	case p.at > 0:
		k.rec.arm(p.at, p.delay, kill)
	}
	if err := cmd.Start(); err != nil {
		k.t.Fatal(err)
	}
	proc <- cmd.Process
	switch {
	case p.tempIn != "":
		stop := make(chan struct{})
		defer close(stop)
		go killOnTemp(p.tempIn, p.tempBytes, kill, stop)
	case p.at == 0 && p.okOp == "":
		defer time.AfterFunc(p.delay, kill).Stop()
	}
	guard := time.AfterFunc(2*time.Minute, kill)
	err := cmd.Wait()
	guard.Stop()
	k.rec.disarm()
	r := result{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		r.code = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			return r, true
		}
	} else if err != nil {
		k.t.Fatal(err)
	}
	return r, false
}

// killOnTemp polls dir until one of ks3sync's temporary files there holds
// n bytes, then calls kill; it gives up when stop is closed.
func killOnTemp(dir string, n int64, kill func(), stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case <-time.After(time.Millisecond):
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if fi, err := e.Info(); err == nil && localfs.IsTemp(e.Name()) && fi.Size() >= n {
				kill()
				return
			}
		}
	}
}

// waitDead waits (up to five seconds) until the process pid has died,
// without reaping it: until /proc shows it as a zombie, or gone.
func waitDead(pid int) {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return
		}
		// The state follows the parenthesised command name.
		if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// judgeAfterKill checks that every side holds only whole versions.
func (k *rig) judgeAfterKill() {
	k.t.Helper()
	var bad []string
	for _, s := range k.sides {
		bad = append(bad, k.torn(s, k.read(s))...)
	}
	passed := 1
	if len(bad) > 0 {
		passed = 0
		k.t.Errorf("after kill %d: torn files:\n%s", k.kills, strings.Join(bad, "\n"))
	}
	figures.add(rowKillTorn, 1, passed)
}

// recordCheckpoints notes the parts the binary's state database had
// recorded when it was killed: from now on none of them may be sent again.
func (k *rig) recordCheckpoints() {
	k.t.Helper()
	db, err := state.Open(k.state)
	if err != nil {
		k.t.Fatalf("open the state database after kill %d: %v", k.kills, err)
	}
	defer db.Close()
	for u, err := range db.Uploads(context.Background()) {
		if err != nil {
			k.t.Fatalf("read checkpoints after kill %d: %v", k.kills, err)
		}
		for _, p := range u.Parts {
			id := partID{u.UploadID, p.Number}
			if _, ok := k.recorded[id]; !ok {
				k.recorded[id] = k.kills
			}
		}
	}
}

// verifyResent checks that no part a checkpoint had recorded at a kill was
// sent again afterwards. Parts the server acknowledged but the binary had
// not recorded yet (in flight at the kill) may be sent again; they are
// counted, in a note of the figures with note.
func (k *rig) verifyResent(note bool) {
	k.t.Helper()
	acked := map[partID]bool{}
	violations := map[partID]bool{}
	sent, again := 0, 0
	inFlight := map[partID]bool{}
	for _, x := range k.rec.exchanges() {
		if x.op != handlers.OpUploadPart {
			continue
		}
		sent++
		id := partID{x.uploadID, x.part}
		if acked[id] {
			if at, ok := k.recorded[id]; ok && at <= x.epoch {
				violations[id] = true
			} else {
				inFlight[id] = true
				again++
			}
		}
		if x.status.Load() == http.StatusOK {
			acked[id] = true
		}
	}
	for id := range violations {
		k.t.Errorf("part %d of upload %s was recorded at kill %d and sent again", id.number, id.upload, k.recorded[id])
	}
	figures.add(rowPartsResent, len(k.recorded), len(k.recorded)-len(violations))
	if !note {
		return
	}
	figures.note(rowPartsResent, "%s: %d part uploads, %d parts recorded at kills; %d parts acknowledged but not yet recorded at a kill were sent again (%d uploads)",
		k.mode.name, sent, len(k.recorded), len(inFlight), again)
}
