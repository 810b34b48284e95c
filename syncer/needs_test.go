package syncer

import (
	"testing"
	"time"

	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/planner"
)

// TestRecordedAttrs checks that sync reads an object's mtime and md5 the
// way cp does (through objmeta): values written by rclone count, malformed
// ones are ignored.
func TestRecordedAttrs(t *testing.T) {
	const sum = "0123456789abcdef0123456789abcdef"
	lm := time.Unix(1600000000, 0)
	for _, tc := range []struct {
		meta      map[string]string
		wantMTime time.Time // from HEAD; zero: unknown
		wantMD5   string
	}{
		{map[string]string{"mtime": "1700000000.000000001", "md5": sum}, time.Unix(1700000000, 1), sum},
		{map[string]string{"mtime": "1700000000.5"}, time.Unix(1700000000, 5e8), ""},
		{map[string]string{"mtime": "-1.5", "md5": "0123456789ABCDEF0123456789ABCDEF"}, time.Unix(-2, 5e8), sum},
		{map[string]string{"mtime": "12.", "md5": sum + "-2"}, time.Time{}, ""},
		{map[string]string{"mtime": " 1700000000"}, time.Time{}, ""},
	} {
		var e planner.RemoteEntry
		applyHead(&e, &ks3.ObjectInfo{ETag: "abc-2", Metadata: tc.meta})
		if want := mtimeNanos(tc.wantMTime); e.MTime != want || e.MD5 != tc.wantMD5 {
			t.Errorf("head %v: mtime %d, md5 %q; want %d, %q", tc.meta, e.MTime, e.MD5, want, tc.wantMD5)
		}
		obj := &ks3.Object{ObjectInfo: ks3.ObjectInfo{LastModified: lm, Metadata: tc.meta}}
		want := tc.wantMTime
		if want.IsZero() {
			want = lm
		}
		if got := mtimeOf(obj); !got.Equal(want) {
			t.Errorf("download %v: mtime %v, want %v", tc.meta, got, want)
		}
	}
}

func mtimeNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}
