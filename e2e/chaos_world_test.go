//go:build linux

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/localfs"
	"github.com/ks3sync/ks3sync/objmeta"
	"github.com/ks3sync/ks3sync/planner"
)

// world is what a campaign test wrote on either side of a pair, and every
// version it ever wrote, so that any state observed later can be judged:
// a file or object is whole if its content is one of the versions written
// for its path.
type world struct {
	t        *testing.T
	rng      *rand.Rand
	client   *ks3.Client
	bucket   string
	want     tree                       // the latest content of every path
	versions map[string]map[string]bool // path -> MD5s of every content written
}

func newWorld(t *testing.T, rng *rand.Rand, c *ks3.Client, bucket string) *world {
	return &world{t: t, rng: rng, client: c, bucket: bucket, want: tree{}, versions: map[string]map[string]bool{}}
}

// Sizes of the campaign's files: small ones go up in one PUT, big ones in
// parts (the configs set a 256 KiB threshold and 128 KiB parts).
const (
	smallMax = 64 << 10
	bigMin   = 1200 << 10
	bigMax   = 3200 << 10
)

// content returns fresh random bytes for rel, big under "big/" folders.
func (w *world) content(rel string) []byte {
	n := 1 + w.rng.IntN(smallMax)
	if strings.Contains(rel, "big/") {
		n = bigMin + w.rng.IntN(bigMax-bigMin)
	}
	return pseudoRandom(w.rng.Uint64(), n)
}

func (w *world) remember(rel string, data []byte) {
	if w.versions[rel] == nil {
		w.versions[rel] = map[string]bool{}
	}
	w.versions[rel][md5hex(data)] = true
	w.want[rel] = data
}

// writeLocal writes a new version of rel under root.
func (w *world) writeLocal(root, rel string) {
	data := w.content(rel)
	writeFile(w.t, root, rel, data)
	w.remember(rel, data)
}

// writeRemote stores a new version of rel under prefix, with the metadata
// ks3sync writes (MD5 and mtime), in parts when it is big.
func (w *world) writeRemote(prefix, rel string) {
	w.writeRemoteData(prefix, rel, w.content(rel))
}

// writeRemoteData stores data as the new version of rel under prefix.
func (w *world) writeRemoteData(prefix, rel string, data []byte) {
	opts := ks3.UploadOptions{Threshold: 256 << 10, PartSize: 128 << 10, Concurrency: 2}
	opts.Metadata = map[string]string{objmeta.NameMD5: md5hex(data), objmeta.NameMTime: objmeta.FormatMTime(time.Now())}
	if _, err := w.client.Put(context.Background(), w.bucket, prefix+rel, bytes.NewReader(data), int64(len(data)), opts); err != nil {
		w.t.Fatalf("put ks3://%s/%s%s: %v", w.bucket, prefix, rel, err)
	}
	w.remember(rel, data)
}

func (w *world) removeLocal(root, rel string) {
	if err := os.Remove(filepath.Join(root, filepath.FromSlash(rel))); err != nil {
		w.t.Fatal(err)
	}
	delete(w.want, rel)
}

func (w *world) removeRemote(prefix, rel string) {
	if err := w.client.DeleteObject(context.Background(), w.bucket, prefix+rel); err != nil {
		w.t.Fatal(err)
	}
	delete(w.want, rel)
}

// pick returns a random current path under folder (any folder when "").
func (w *world) pick(folder string) (string, bool) {
	var paths []string
	for _, p := range w.want.keys() {
		if strings.HasPrefix(p, folder) {
			paths = append(paths, p)
		}
	}
	if len(paths) == 0 {
		return "", false
	}
	return paths[w.rng.IntN(len(paths))], true
}

// conflictCopy matches the name ks3sync gives the local side of a conflict
// (planner.ConflictName): NAME.conflict-HOST-TIME.EXT.
var conflictCopy = regexp.MustCompile(`\.conflict-[^/]*$`)

// original is the path a conflict copy was made of (the campaign's files
// all have an extension), or rel itself.
func original(rel string) string {
	if !conflictCopy.MatchString(rel) {
		return rel
	}
	dir, base := path.Split(rel)
	stem, _, _ := strings.Cut(base, ".conflict-")
	return dir + stem + path.Ext(base)
}

// side is one place a pair's files live: a local folder, or a bucket
// prefix whose objects may be encrypted.
type side struct {
	name   string
	root   string // local folder; "" for the bucket
	prefix string
	key    *ks3crypto.Key
}

// observed is what a side holds: its files by path, and ks3sync's
// temporary files (local sides only).
type observed struct {
	files tree
	temps []string
	// kept are the versions in the pair's history area (bucket side
	// only), by the key they are kept under; they are not part of the
	// mirror, but each must hold a version written for its original path.
	kept map[string]keptVersion
}

// keptVersion is one object of the history area: the path it was a
// version of, and its content.
type keptVersion struct {
	path string
	data []byte
}

// read returns what s holds now.
func (w *world) read(s side) observed {
	if s.root != "" {
		return w.readLocal(s.root)
	}
	files, kept := w.readRemote(s)
	return observed{files: files, kept: kept}
}

func (w *world) readLocal(root string) observed {
	out := observed{files: tree{}}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if planner.IsReserved(rel) {
			return nil // ks3sync's folder marker: not a file of the pair
		}
		if localfs.IsTemp(d.Name()) {
			out.temps = append(out.temps, rel)
			return nil
		}
		data, err := os.ReadFile(p)
		out.files[rel] = data
		return err
	})
	if err != nil && !os.IsNotExist(err) {
		w.t.Fatalf("read %s: %v", root, err)
	}
	return out
}

// historyArea is where a pair keeps displaced versions, under its prefix:
// historyArea + path + "/" + version name.
const historyArea = ".ks3sync/history/"

// journalArea is where passes that write to the bucket list the names they
// changed, for other devices' polls (README, "Several machines, one
// bucket").
const journalArea = ".ks3sync/journal/"

func (w *world) readRemote(s side) (tree, map[string]keptVersion) {
	ctx := context.Background()
	out, kept := tree{}, map[string]keptVersion{}
	for it, err := range w.client.Walk(ctx, w.bucket, ks3.ListObjectsOptions{Prefix: s.prefix}) {
		if err != nil {
			w.t.Fatalf("list ks3://%s/%s: %v", w.bucket, s.prefix, err)
		}
		if it.Prefix != "" {
			continue
		}
		rel := strings.TrimPrefix(it.Object.Key, s.prefix)
		if strings.HasPrefix(rel, journalArea) {
			continue // names of changes for other devices, not a version
		}
		data := w.getPlain(it.Object.Key, s.key)
		if v, ok := strings.CutPrefix(rel, historyArea); ok {
			i := strings.LastIndexByte(v, '/')
			if i < 0 {
				w.t.Fatalf("history object %s names no path", it.Object.Key)
			}
			kept[rel] = keptVersion{path: v[:i], data: data}
			continue
		}
		out[rel] = data
	}
	return out, kept
}

// getPlain reads an object, decrypted when key is set.
func (w *world) getPlain(key string, k *ks3crypto.Key) []byte {
	obj, err := w.client.GetObject(context.Background(), w.bucket, key, ks3.GetOptions{})
	if err != nil {
		w.t.Fatalf("get ks3://%s/%s: %v", w.bucket, key, err)
	}
	defer obj.Body.Close()
	var body io.Reader = obj.Body
	if k != nil && obj.Size > 0 {
		m, ok, err := ks3crypto.ParseMetadata(obj.Metadata)
		if err != nil || !ok {
			w.t.Fatalf("ks3://%s/%s is not encrypted as the SDK does it: %v", w.bucket, key, err)
		}
		body = ks3crypto.NewDecryptReader(obj.Body, *k, m)
	}
	data, err := io.ReadAll(body)
	if err != nil {
		// A body that does not decrypt is torn: report it as content no
		// version has.
		return []byte(fmt.Sprintf("unreadable: %v", err))
	}
	return data
}

// torn lists the files of o whose content is no version ever written for
// their path (conflict copies are judged by the path they copy).
func (w *world) torn(s side, o observed) []string {
	var bad []string
	for rel, data := range o.files {
		if !w.versions[original(rel)][md5hex(data)] {
			bad = append(bad, fmt.Sprintf("%s: %s holds %d bytes that are no version written", s.name, rel, len(data)))
		}
	}
	for key, v := range o.kept {
		if !w.versions[original(v.path)][md5hex(v.data)] {
			bad = append(bad, fmt.Sprintf("%s: history %s holds %d bytes that are no version written of %s", s.name, key, len(v.data), v.path))
		}
	}
	slices.Sort(bad)
	return bad
}
