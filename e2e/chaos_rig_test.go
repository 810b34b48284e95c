//go:build linux

package e2e

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3server/handlers"
)

// rig runs one pair mode of the campaign (kill -9 points or injected
// faults) against a recorded server, and judges what the binary left.
type rig struct {
	*world
	t      *testing.T
	e      *env
	rec    *recorder
	mode   pairMode
	cfg    string
	extra  string // top-level config lines before the shared ones
	state  string // the binary's state database
	sides  []side // judged after every kill and at the end
	src    string // the local source folder, if any
	prefix string // the remote source prefix, if any

	kills, runs int
	maxAt       int            // request-count kill points are drawn from 1..maxAt
	lastRun     time.Duration  // time kill points are drawn from 0..lastRun
	recorded    map[partID]int // parts recorded by a checkpoint -> the kill that found them
}

// partID names one part of one multipart upload.
type partID struct {
	upload string
	number int
}

func newRig(t *testing.T, m pairMode) *rig { return newRigWith(t, m, "") }

// newRigWith is newRig with extra top-level config lines.
func newRigWith(t *testing.T, m pairMode, extra string) *rig {
	e, rec := newRecordedEnv(t)
	e.mkBucket("bkt")
	k := &rig{
		world: newWorld(t, testRand(t), e.client, "bkt"),
		t:     t, e: e, rec: rec, mode: m, extra: extra,
		maxAt: 40, lastRun: time.Second, recorded: map[partID]int{},
	}
	m.build(k)
	return k
}

func (k *rig) writeConfig(pairs string) {
	k.cfg = k.e.writeConfig("kill.yaml", k.extra+rigConfig+pairs)
	k.state = filepath.Join(k.e.dir, "kill.yaml.state.db")
}

// transferOps are the operations that move or change data.
var transferOps = []string{
	handlers.OpPutObject, handlers.OpUploadPart, handlers.OpGetObject, handlers.OpInitiateMultipartUpload,
	handlers.OpCompleteMultipartUpload, handlers.OpDeleteObject, handlers.OpDeleteObjects, handlers.OpCopyObject,
}

// settle runs the binary until a run succeeds and transfers nothing (a
// two-way pair may need a run to upload the copies its conflicts kept).
func (k *rig) settle() {
	k.t.Helper()
	for range 3 {
		before := len(k.rec.exchanges())
		r := k.e.invoke(invocation{args: []string{"run", "--config", k.cfg, "--no-progress"}})
		k.runs++
		if r.code != 0 {
			k.t.Fatalf("final run after %d kills: %s", k.kills, r)
		}
		moved := 0
		for _, x := range k.rec.since(before) {
			for _, op := range transferOps {
				if x.op == op {
					moved++
				}
			}
		}
		if moved == 0 {
			return
		}
	}
	k.t.Errorf("three runs after the last kill still transferred data")
}
