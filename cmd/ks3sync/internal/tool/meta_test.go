package tool

import (
	"errors"
	"maps"
	"testing"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/cli"
)

func TestParseUserMeta(t *testing.T) {
	got, err := parseUserMeta([]string{"Owner=alice", "note=a=b", "empty="})
	want := map[string]string{"owner": "alice", "note": "a=b", "empty": ""}
	if err != nil || !maps.Equal(got, want) {
		t.Errorf("parseUserMeta = %v, %v; want %v", got, err, want)
	}
	if got, err := parseUserMeta(nil); got != nil || err != nil {
		t.Errorf("parseUserMeta(nil) = %v, %v", got, err)
	}
	for _, bad := range [][]string{{"novalue"}, {"=x"}, {"a=1", "A=2"}, {"md5=x"}, {"MTime=1"}, {"iv=x"}, {"unencrypted-content-md5=x"}} {
		_, err := parseUserMeta(bad)
		var ee *cli.ExitError
		if !errors.As(err, &ee) || ee.Code != cli.ExitUsage {
			t.Errorf("parseUserMeta(%q) = %v, want a usage error", bad, err)
		}
	}
}

func TestReplacedMeta(t *testing.T) {
	source := map[string]string{"owner": "alice", "md5": "m", "mtime": "1.0", "iv": "i", "key": "k"}
	if got := replacedMeta(source, nil); !maps.Equal(got, source) {
		t.Errorf("without --meta: %v", got)
	}
	got := replacedMeta(source, map[string]string{"team": "blue"})
	want := map[string]string{"team": "blue", "md5": "m", "mtime": "1.0", "iv": "i", "key": "k"}
	if !maps.Equal(got, want) {
		t.Errorf("with --meta: %v, want %v", got, want)
	}
	got["x"] = "y"
	if _, ok := source["x"]; ok {
		t.Error("replacedMeta shares the source map")
	}
}
