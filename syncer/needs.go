package syncer

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/objmeta"
	"github.com/ks3sync/ks3sync/planner"
)

// complete fills in what the planner asked for: content hashes of local
// files whose fingerprint changed, and metadata of remote objects whose
// listing cannot tell their content.
func (s *Syncer) complete(ctx context.Context, in *planner.Input, opts planner.Options, t *tally) error {
	hash, head := planner.Needs(*in, opts)
	if len(hash) == 0 && len(head) == 0 {
		return nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(2, s.opts.Transfers))
	var mu sync.Mutex
	local := indexLocal(in.Local)
	for _, p := range hash {
		i, ok := local[p]
		if !ok {
			continue
		}
		g.Go(func() error {
			sum, err := hashFile(s.localPath(p))
			if err != nil {
				// Left unhashed: the planner treats it as changed and the
				// upload reports the same error for this item alone.
				s.log.Debug().Err(err).Str("path", p).Msg("hash")
				return nil
			}
			mu.Lock()
			in.Local[i].MD5 = sum
			mu.Unlock()
			return nil
		})
	}
	remote := indexRemote(in.Remote)
	for _, k := range head {
		i, ok := remote[k]
		if !ok {
			continue
		}
		g.Go(func() error {
			info, err := s.store.HeadObject(gctx, s.opts.Bucket, k)
			if err != nil {
				if ks3.IsNotFound(err) {
					return nil
				}
				return fmt.Errorf("head ks3://%s/%s: %w", s.opts.Bucket, k, err)
			}
			mu.Lock()
			applyHead(&in.Remote[i], info)
			mu.Unlock()
			return nil
		})
	}
	return g.Wait()
}

// applyHead takes the plaintext MD5, mtime and encryption flag from an
// object's metadata.
func applyHead(e *planner.RemoteEntry, info *ks3.ObjectInfo) {
	meta := info.Metadata
	if m, ok, _ := ks3crypto.ParseMetadata(meta); ok {
		e.Encrypted = true
		if e.MD5 == "" && m.PlainMD5 != nil {
			e.MD5 = hex.EncodeToString(m.PlainMD5)
		}
	} else {
		e.Encrypted = false
		if objmeta.IsMD5Hex(info.ETag) {
			e.MD5 = strings.ToLower(info.ETag)
		}
	}
	recorded := objmeta.Read(meta)
	if recorded.MD5 != "" {
		e.MD5 = recorded.MD5
	}
	if !recorded.MTime.IsZero() {
		e.MTime = recorded.MTime.UnixNano()
	}
}

func indexLocal(entries []planner.LocalEntry) map[string]int {
	m := make(map[string]int, len(entries))
	for i, e := range entries {
		m[e.Path] = i
	}
	return m
}

func indexRemote(entries []planner.RemoteEntry) map[string]int {
	m := make(map[string]int, len(entries))
	for i, e := range entries {
		m[e.Key] = i
	}
	return m
}

// sortRemote orders entries by key and drops duplicates (overlapping
// listings of a watch pass).
func sortRemote(entries []planner.RemoteEntry) []planner.RemoteEntry {
	slices.SortFunc(entries, func(a, b planner.RemoteEntry) int { return strings.Compare(a.Key, b.Key) })
	return slices.CompactFunc(entries, func(a, b planner.RemoteEntry) bool { return a.Key == b.Key })
}

func dedupePaths(paths []string) []string {
	out := slices.Clone(paths)
	slices.Sort(out)
	return slices.Compact(out)
}

// hashFile returns the hex MD5 of a file's content.
func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := md5.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
