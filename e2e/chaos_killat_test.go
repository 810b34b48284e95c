//go:build linux

package e2e

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/ks3sync/ks3sync/ks3server/handlers"
)

// TestChaosKillAtAnswer kills `ks3sync run` at the worst moments of a push
// with delete: propagate: when the server has done a piece of work and is
// about to say so, so that the binary never hears of it. The local side
// then changes, and a final run must still leave the bucket equal to the
// folder, with no unfinished upload and no recorded part sent again.
func TestChaosKillAtAnswer(t *testing.T) {
	cases := []struct {
		name   string
		mode   pairMode
		before func(k *rig) // the change the killed run syncs
		op     string       // the answer the kill cuts off
		n      int          // the n-th such answer
		after  func(k *rig) // the change made after the kill
	}{
		{"new file stored, then deleted", pushMode(), addFile("n/new.txt"), handlers.OpPutObject, 1, removeFile("n/new.txt")},
		{"new version stored, then deleted", pushMode(), rewrite("s/f03.txt"), handlers.OpPutObject, 1, removeFile("s/f03.txt")},
		{"new version stored, then rewritten", pushMode(), rewrite("s/f04.txt"), handlers.OpPutObject, 1, rewrite("s/f04.txt")},
		{"upload started", pushMode(), rewrite("big/b0.bin"), handlers.OpInitiateMultipartUpload, 1, noChange},
		{"upload started, then the file rewritten", pushMode(), rewrite("big/b0.bin"), handlers.OpInitiateMultipartUpload, 1, rewrite("big/b0.bin")},
		{"third part stored", pushMode(), rewrite("big/b1.bin"), handlers.OpUploadPart, 3, noChange},
		{"multipart object completed, then deleted", pushMode(), rewrite("big/b2.bin"), handlers.OpCompleteMultipartUpload, 1, removeFile("big/b2.bin")},
		{"objects deleted", pushMode(), removeFile("s/f05.txt"), handlers.OpDeleteObjects, 1, noChange},
		{"third part of an encrypted upload stored", encryptedMode(), rewrite("big/b1.bin"), handlers.OpUploadPart, 3, noChange},
		{"encrypted upload completed, then rewritten", encryptedMode(), rewrite("big/b2.bin"), handlers.OpCompleteMultipartUpload, 1, rewrite("big/b2.bin")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			figures.count(t, rowKillAtAnswer)
			k := newRig(t, c.mode)
			k.settle()
			c.before(k)
			if _, killed := k.runKilledAt(killPoint{okOp: c.op, okN: c.n}); !killed {
				t.Fatalf("the run was not killed at the answer to %s #%d", c.op, c.n)
			}
			k.kills++
			k.rec.setEpoch(k.kills)
			k.recordCheckpoints()
			k.judgeAfterKill()
			c.after(k)
			k.settle()
			k.verifyFinal()
			k.verifyClean(rowKillClean)
			k.verifyResent(false)
		})
	}
}

func addFile(rel string) func(k *rig)    { return func(k *rig) { k.writeLocal(k.src, rel) } }
func rewrite(rel string) func(k *rig)    { return func(k *rig) { k.writeLocal(k.src, rel) } }
func removeFile(rel string) func(k *rig) { return func(k *rig) { k.removeLocal(k.src, rel) } }
func noChange(*rig)                      {}

// TestChaosKillMidDownload kills a pull, and an encrypted pull, once a
// megabyte of a 3 MB object is in the download's temporary file: the next run must continue
// the download with a ranged GET (for an encrypted object, from a cipher
// block boundary) instead of fetching it again from the first byte, and
// converge with nothing left behind.
func TestChaosKillMidDownload(t *testing.T) {
	for _, m := range []pairMode{pullMode(), encryptedMode()} {
		t.Run(m.name, func(t *testing.T) {
			figures.count(t, rowKillAtAnswer)
			k := newRig(t, m)
			k.settle()
			const rel, size = "big/resumed.bin", 3 << 20
			data := pseudoRandom(k.rng.Uint64(), size)
			if m.name == "pull" {
				k.writeRemoteData(k.prefix, rel, data)
			} else {
				writeFile(t, k.src, rel, data)
				k.remember(rel, data)
			}
			dst := k.sides[len(k.sides)-1].root
			if _, killed := k.runKilledAt(killPoint{tempIn: filepath.Join(dst, "big"), tempBytes: 1 << 20}); !killed {
				t.Fatal("the run was not killed during the download")
			}
			k.kills++
			k.rec.setEpoch(k.kills)
			k.judgeAfterKill()
			before := len(k.rec.exchanges())
			k.settle()
			k.verifyFinal()
			k.verifyClean(rowKillClean)
			var served int64
			var ranges []string
			for _, x := range k.rec.since(before) {
				if x.op == handlers.OpGetObject && strings.HasSuffix(x.resource, "/"+rel) {
					served += x.sent.Load()
					ranges = append(ranges, x.rangeHdr)
				}
			}
			if len(ranges) == 0 || !strings.HasPrefix(ranges[0], "bytes=") || strings.HasPrefix(ranges[0], "bytes=0-") {
				t.Errorf("the download started over: the next GETs of %s asked for ranges %q", rel, ranges)
			}
			if served >= size {
				t.Errorf("the next run fetched %d bytes of a %d-byte object that was a third downloaded", served, size)
			}
		})
	}
}
