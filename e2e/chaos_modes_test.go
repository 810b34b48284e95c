//go:build linux

package e2e

import (
	"fmt"
	"path/filepath"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
)

// pairMode is one pair layout of the campaign: the kill -9 and the fault
// tests run each.
type pairMode struct {
	name string
	row  string
	// build writes the first files and the config, and sets the sides.
	build func(k *rig)
	// mutate changes the sources between two runs.
	mutate func(k *rig, cycle int)
}

func pairModes() []pairMode {
	return []pairMode{
		{name: "push", row: rowKillPush, build: buildPush, mutate: mutateLocal},
		{name: "pull", row: rowKillPull, build: buildPull, mutate: mutateRemote},
		{name: "both", row: rowKillBoth, build: buildBoth, mutate: mutateBoth},
		{name: "encrypted", row: rowKillEncrypted, build: buildEncrypted, mutate: mutateLocal},
	}
}

func pushMode() pairMode      { return pairModes()[0] }
func pullMode() pairMode      { return pairModes()[1] }
func encryptedMode() pairMode { return pairModes()[3] }

// rigConfig is the shared part of the campaign's configs: small parts so
// that files of a few MB go up in a dozen parts, and a bandwidth limit so
// that transfers last long enough to be cut.
const rigConfig = `transfers: 4
multipart_threshold: 256KiB
part_size: 128KiB
bandwidth: 16MiB
pairs:
`

// rigPair is one pair of a campaign config.
func rigPair(name, local, prefix, direction, extra string) string {
	return fmt.Sprintf(`  - name: %s
    local: %s
    bucket: bkt
    prefix: %s
    direction: %s
    delete: propagate
    max_delete: 100%%
%s`, name, local, prefix, direction, extra)
}

// seedNames are the first files of a source: ten small, three multipart.
func seedNames(folder string) []string {
	var names []string
	for i := range 10 {
		names = append(names, fmt.Sprintf("%ss/f%02d.txt", folder, i))
	}
	for i := range 3 {
		names = append(names, fmt.Sprintf("%sbig/b%d.bin", folder, i))
	}
	return names
}

func buildPush(k *rig) {
	src := filepath.Join(k.e.dir, "src")
	for _, rel := range seedNames("") {
		k.writeLocal(src, rel)
	}
	k.src = src
	k.writeConfig(rigPair("push", src, "k/", "push", ""))
	k.sides = []side{{name: "local", root: src}, {name: "bucket", prefix: "k/"}}
}

func buildPull(k *rig) {
	dst := filepath.Join(k.e.dir, "dst")
	for _, rel := range seedNames("") {
		k.writeRemote("k/", rel)
	}
	k.prefix = "k/"
	k.writeConfig(rigPair("pull", dst, "k/", "pull", ""))
	k.sides = []side{{name: "bucket", prefix: "k/"}, {name: "local", root: dst}}
}

func buildBoth(k *rig) {
	root := filepath.Join(k.e.dir, "both")
	for _, rel := range seedNames("l/") {
		k.writeLocal(root, rel)
	}
	for _, rel := range seedNames("r/") {
		k.writeRemote("k/", rel)
	}
	k.src, k.prefix = root, "k/"
	k.writeConfig(rigPair("both", root, "k/", "both", ""))
	k.sides = []side{{name: "local", root: root}, {name: "bucket", prefix: "k/"}}
}

func buildEncrypted(k *rig) {
	keyFile := filepath.Join(k.e.dir, "sync.key")
	k.e.mustRun(0, "keygen", keyFile)
	key, err := ks3crypto.LoadKey(keyFile)
	if err != nil {
		k.t.Fatal(err)
	}
	src, dst := filepath.Join(k.e.dir, "src"), filepath.Join(k.e.dir, "dst")
	for _, rel := range seedNames("") {
		k.writeLocal(src, rel)
	}
	k.src = src
	enc := fmt.Sprintf("    encryption:\n      key_file: %s\n", keyFile)
	k.writeConfig(rigPair("up", src, "e/", "push", enc) + rigPair("down", dst, "e/", "pull", enc))
	k.sides = []side{{name: "local source", root: src}, {name: "bucket", prefix: "e/", key: &key}, {name: "local copy", root: dst}}
}

// mutateLocal rewrites a file of the local source, and now and then adds
// or deletes one.
func mutateLocal(k *rig, cycle int) {
	if rel, ok := k.pick(""); ok {
		k.writeLocal(k.src, rel)
	}
	if cycle%4 == 0 {
		k.writeLocal(k.src, fmt.Sprintf("n/c%03d.txt", cycle))
	}
	if rel, ok := k.pick("s/"); ok && cycle%5 == 0 {
		k.removeLocal(k.src, rel)
	}
}

// mutateRemote does what mutateLocal does, in the bucket.
func mutateRemote(k *rig, cycle int) {
	if rel, ok := k.pick(""); ok {
		k.writeRemote(k.prefix, rel)
	}
	if cycle%4 == 0 {
		k.writeRemote(k.prefix, fmt.Sprintf("n/c%03d.txt", cycle))
	}
	if rel, ok := k.pick("s/"); ok && cycle%5 == 0 {
		k.removeRemote(k.prefix, rel)
	}
}

// mutateBoth rewrites a file on each side of a two-way pair: local files
// under l/, objects under r/, so that only a kill can make a conflict.
func mutateBoth(k *rig, cycle int) {
	if rel, ok := k.pick("l/"); ok {
		k.writeLocal(k.src, rel)
	}
	if rel, ok := k.pick("r/"); ok {
		k.writeRemote(k.prefix, rel)
	}
	if cycle%4 == 0 {
		k.writeLocal(k.src, fmt.Sprintf("l/n/c%03d.txt", cycle))
	}
	if cycle%6 == 0 {
		k.writeRemote(k.prefix, fmt.Sprintf("r/n/c%03d.txt", cycle))
	}
}
