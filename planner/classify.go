package planner

import (
	"fmt"
	"strings"
)

// state is how one side of a path stands relative to the base.
type state uint8

const (
	absent    state = iota // no file and no base
	added                  // a file and no base ("new")
	unchanged              // same as the base
	touched                // metadata differs from the base, content does not
	modified               // content differs from the base ("changed")
	deleted                // a base and no file
)

var stateNames = [...]string{"absent", "new", "unchanged", "touched", "changed", "deleted"}

func (s state) String() string { return stateNames[s] }

// same is the outcome of comparing the content of the two sides.
type same uint8

const (
	sameUnknown same = iota // not enough information: treated as different
	sameYes
	sameNo
)

// paths holds the entries of one path on each side; nil means absent.
type paths struct {
	l *LocalEntry
	r *RemoteEntry
	b *BaseEntry
}

// localState classifies the local side and, when it changed, says how.
func localState(l *LocalEntry, b *BaseEntry) (state, string) {
	switch {
	case l == nil && b == nil:
		return absent, ""
	case l == nil:
		return deleted, ""
	case b == nil:
		return added, ""
	case l.Fingerprint == b.Local:
		return unchanged, ""
	case l.Size != b.Local.Size:
		return modified, fmt.Sprintf("size %d -> %d", b.Local.Size, l.Size)
	case l.MD5 == "" || b.MD5 == "":
		return modified, "modified, not hashed"
	case strings.EqualFold(l.MD5, b.MD5):
		return touched, ""
	}
	return modified, "content differs, same size"
}

// remoteState classifies the remote side and, when it changed, says how.
func remoteState(r *RemoteEntry, b *BaseEntry) (state, string) {
	switch {
	case r == nil && b == nil:
		return absent, ""
	case r == nil:
		return deleted, ""
	case b == nil:
		return added, ""
	case r.Key == b.RemoteKey && r.ETag == b.ETag && r.Size == b.RemoteSize:
		return unchanged, ""
	}
	if md5 := remoteMD5(r); md5 != "" && b.MD5 != "" && strings.EqualFold(md5, b.MD5) {
		return touched, ""
	}
	switch {
	case r.Key != b.RemoteKey:
		return modified, fmt.Sprintf("key %q -> %q", b.RemoteKey, r.Key)
	case r.Size != b.RemoteSize:
		return modified, fmt.Sprintf("size %d -> %d", b.RemoteSize, r.Size)
	}
	return modified, "etag changed"
}

// remoteMD5 returns the plaintext MD5 of r when the listing or a HEAD tells
// it: the MD5 field, or an unencrypted object's ETag when that is a plain MD5
// (a multipart ETag has a "-N" suffix; an encrypted object's ETag is the MD5
// of the ciphertext).
func remoteMD5(r *RemoteEntry) string {
	if r.MD5 != "" {
		return r.MD5
	}
	if !r.Encrypted && isHexMD5(r.ETag) {
		return r.ETag
	}
	return ""
}

// isHexMD5 reports whether s is 32 hex digits.
func isHexMD5(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20 // lower case for letters
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// localMD5 returns the MD5 of the local content when known: hashed now, or
// unchanged since the base recorded it.
func localMD5(l *LocalEntry, b *BaseEntry) string {
	if l.MD5 != "" {
		return l.MD5
	}
	if b != nil && l.Fingerprint == b.Local {
		return b.MD5
	}
	return ""
}

// sameContent compares the content of the local file and the remote object.
func sameContent(l *LocalEntry, r *RemoteEntry, b *BaseEntry) same {
	lm, rm := localMD5(l, b), remoteMD5(r)
	switch {
	case lm != "" && rm != "":
		if strings.EqualFold(lm, rm) {
			return sameYes
		}
		return sameNo
	case !r.Encrypted && l.Size != r.Size:
		return sameNo
	}
	return sameUnknown
}
