package tool

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"golang.org/x/text/unicode/norm"

	"github.com/ks3sync/ks3sync/localfs"
	"github.com/ks3sync/ks3sync/names"
	"github.com/ks3sync/ks3sync/planner"
)

// localNames maps between keys and the names of one local folder with the
// folder's file name rules, the way sync does (planner.KeyFor and PathFor):
// on Windows "a:b" is written "a：b" and read back as "a:b". Downloads
// also remember the paths they hand out, so that on a case-insensitive
// folder a second key for the same file ("Report.pdf", "report.pdf") is
// refused instead of overwriting the first. Not safe for concurrent use.
type localNames struct {
	dir   string
	rules names.Policy
	taken map[string]string // folded relative path -> the key given it
}

// newLocalNames probes the folder dir, or the nearest folder above it
// that exists, for its rules; force sets them instead (Settings.NameRules).
// A folder that cannot be probed gets the system's usual rules.
func newLocalNames(dir, force string) *localNames {
	probe := dir
	for {
		if _, err := os.Stat(probe); !errors.Is(err, fs.ErrNotExist) {
			break
		}
		parent := filepath.Dir(probe)
		if parent == probe {
			break
		}
		probe = parent
	}
	rules, _ := localfs.NameRules(probe, force)
	return &localNames{dir: dir, rules: rules, taken: map[string]string{}}
}

// key returns the key, relative to an upload's prefix, of the file at rel
// (relative to dir, in the system's form).
func (n *localNames) key(rel string) (string, error) {
	return planner.KeyFor("", filepath.ToSlash(rel), n.rules)
}

// path returns where the key rel (relative to a downloaded prefix) goes
// under dir. Keys that would land outside dir, that no name can hold, or
// whose name the folder already gave another key are refused.
func (n *localNames) path(rel string) (string, error) {
	p, err := planner.PathFor("", rel, n.rules)
	if err != nil {
		return "", fmt.Errorf("refused: %w (not written under %s)", err, n.dir)
	}
	folded := n.rules.Fold(p)
	if other, ok := n.taken[folded]; ok && other != rel {
		return "", fmt.Errorf("refused: key name %q lands on the same file as %q in %s, which does not tell letter case apart", rel, other, n.dir)
	}
	n.taken[folded] = rel
	return filepath.Join(n.dir, filepath.FromSlash(p)), nil
}

// normalizeKey turns a local file name into key form with the rules of
// the system's usual filesystem: Unicode NFC, and on Windows the mapped
// characters back ("a：b" is the key "a:b").
func normalizeKey(name string) string {
	if k, err := planner.KeyFor("", filepath.ToSlash(name), names.ForOS(runtime.GOOS)); err == nil {
		return k
	}
	return norm.NFC.String(name)
}

// localPathFor maps rel, a key relative to a downloaded prefix, to a path
// under dir with dir's name rules. Keys that would land outside dir or
// that no name there can hold are refused.
func localPathFor(dir, rel string) (string, error) {
	return newLocalNames(dir, "").path(rel)
}
