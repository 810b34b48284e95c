//go:build linux

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ks3sync/ks3sync/ks3"
)

// verifyFinal checks that every side holds exactly the latest version of
// every path. In a two-way pair a kill between an upload and its record
// can turn the next change into a conflict: then the latest version must be
// in the conflict copy, the other at the name, and both sides alike.
func (k *rig) verifyFinal() bool {
	k.t.Helper()
	first := k.read(k.sides[0]).files
	ok := true
	for _, s := range k.sides[1:] {
		if diff := treeDiff(first, k.read(s).files); len(diff) > 0 {
			ok = false
			k.t.Errorf("%s and %s differ after the final run:\n%s", k.sides[0].name, s.name, strings.Join(diff, "\n"))
		}
	}
	conflicts := 0
	for rel, want := range k.want {
		got, present := first[rel]
		switch {
		case present && bytes.Equal(got, want):
		case present && k.versions[rel][md5hex(got)] && k.keptAsConflict(first, rel, want):
			conflicts++
		default:
			ok = false
			k.t.Errorf("%s: the final state lost the latest version (%d bytes; present %v with %d bytes)", rel, len(want), present, len(got))
		}
	}
	for rel := range first {
		if _, wanted := k.want[rel]; !wanted && !conflictCopy.MatchString(rel) {
			ok = false
			k.t.Errorf("%s: present after the final run but deleted or never written", rel)
		}
	}
	if conflicts > 0 {
		figures.note(k.mode.row, "%d conflict copies made by kills between an upload and its record", conflicts)
	}
	return ok
}

// keptAsConflict reports whether files hold a conflict copy of rel with
// content want.
func (k *rig) keptAsConflict(files tree, rel string, want []byte) bool {
	for name, data := range files {
		if name != rel && original(name) == rel && bytes.Equal(data, want) {
			return true
		}
	}
	return false
}

// treeDiff describes how two trees differ.
func treeDiff(a, b tree) []string {
	var diff []string
	for rel, data := range a {
		if other, ok := b[rel]; !ok {
			diff = append(diff, "only in the first: "+rel)
		} else if !bytes.Equal(data, other) {
			diff = append(diff, fmt.Sprintf("different: %s (%d and %d bytes)", rel, len(data), len(other)))
		}
	}
	for rel := range b {
		if _, ok := a[rel]; !ok {
			diff = append(diff, "only in the second: "+rel)
		}
	}
	slices.Sort(diff)
	return diff
}

// verifyClean checks that no temporary file is left in a local folder and
// no multipart upload is left unfinished on the server, and counts the
// check in row.
func (k *rig) verifyClean(row string) {
	k.t.Helper()
	var left []string
	for _, s := range k.sides {
		if s.root != "" {
			for _, tmp := range k.read(s).temps {
				left = append(left, s.name+": "+tmp)
			}
		}
	}
	for u, err := range k.client.ListMultipartUploads(context.Background(), "bkt", ks3.ListUploadsOptions{}) {
		if err != nil {
			k.t.Fatal(err)
		}
		left = append(left, fmt.Sprintf("unfinished upload of %s (%s)", u.Key, u.UploadID))
	}
	passed := 1
	if len(left) > 0 {
		passed = 0
		k.t.Errorf("left behind after the final run:\n%s", strings.Join(left, "\n"))
	}
	figures.add(row, 1, passed)
}

// sidesEqualWant reports whether every side holds exactly the latest
// version of every path, and nothing else.
func (k *rig) sidesEqualWant() bool {
	for _, s := range k.sides {
		if len(treeDiff(k.want, k.read(s).files)) > 0 {
			return false
		}
	}
	return true
}
