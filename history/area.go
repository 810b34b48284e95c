package history

import (
	"fmt"
	"strings"
	"time"

	"github.com/ks3sync/ks3sync/planner"
)

// Dir is the history folder inside the pair's reserved folder.
const Dir = "history"

// stampLayout is how a version name writes the time the version was
// written: UTC, fixed width, millisecond precision (the precision of a
// listing's LastModified), so that names sort in time order.
const stampLayout = "20060102T150405.000Z"

// maxHostLen bounds the device name in a version name.
const maxHostLen = 64

// Area is where one pair keeps its history: the keys under
// <Prefix>.ks3sync/history/ in Bucket.
type Area struct {
	Bucket string
	Prefix string // the pair's prefix: "" or ending in "/"
}

// Root returns the key prefix of the history area.
func (a Area) Root() string { return planner.ReservedPrefix(a.Prefix) + Dir + "/" }

// Key returns the key a kept version is stored under:
//
//	<Root><Name>/<written>_<host>_<cause>
//
// for example "laptop/docs/.ks3sync/history/report.docx/20261125T024100.123Z_laptop_replaced".
// The versions of a name are the objects directly under <Root><Name>/, in
// time order; a kept version is found again by name, time, device and
// cause, so keeping the same version twice writes the same key.
func (a Area) Key(v Version) string {
	return a.Root() + v.Name + "/" + v.Written.UTC().Format(stampLayout) + "_" + HostName(v.Host) + "_" + string(v.Cause)
}

// Parse reads a listed key of the history area into the version it holds,
// with size, ETag and LastModified (which is when it was displaced) from the
// listing. ok is false for a key that does not follow the layout of Key:
// such objects are not ks3sync's and are never read or deleted as versions.
func (a Area) Parse(key string, size int64, etag string, modified time.Time) (Version, bool) {
	rest, ok := strings.CutPrefix(key, a.Root())
	i := strings.LastIndexByte(rest, '/')
	if !ok || i <= 0 {
		return Version{}, false
	}
	name, stamp := rest[:i], rest[i+1:]
	parts := strings.Split(stamp, "_")
	if len(parts) != 3 || parts[1] == "" || HostName(parts[1]) != parts[1] {
		return Version{}, false
	}
	written, err := time.Parse(stampLayout, parts[0])
	cause := Cause(parts[2])
	if err != nil || (cause != Replaced && cause != Deleted && cause != JustWritten) {
		return Version{}, false
	}
	return Version{Name: name, Key: key, Size: size, ETag: etag, Written: written,
		Displaced: modified, Host: parts[1], Cause: cause}, true
}

// HostName returns the form of a device name that version names use:
// letters, digits, '.' and '-' (anything else becomes '-'), at most 64
// bytes, and "unknown" for an empty name.
func HostName(host string) string {
	if host == "" {
		return "unknown"
	}
	b := []byte(host)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			b[i] = '-'
		}
	}
	if len(b) > maxHostLen {
		b = b[:maxHostLen]
	}
	return string(b)
}

// checkName refuses a name that cannot be a kept version's: empty, or
// with an empty last segment (a folder marker).
func checkName(name string) error {
	if name == "" || strings.HasSuffix(name, "/") {
		return fmt.Errorf("keep %q: not a file name", name)
	}
	return nil
}
