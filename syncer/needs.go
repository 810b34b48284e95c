package syncer

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
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
// listing cannot tell their content. It returns the objects whose
// encryption metadata turned out to be malformed, by key, for refuse.
func (s *Syncer) complete(ctx context.Context, in *planner.Input, opts planner.Options, t *tally) (map[string]error, error) {
	hash, head := planner.Needs(*in, opts)
	if len(hash) == 0 && len(head) == 0 {
		return nil, nil
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
			sum, err := s.hashLocal(p)
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
	keyed := make(map[string]string)
	malformed := make(map[string]error)
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
			defer mu.Unlock()
			if err := applyHead(&in.Remote[i], info); err != nil {
				malformed[k] = err
			} else if v := objmeta.Read(info.Metadata).KeyedMD5; v != "" {
				keyed[k] = v
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	s.resolveKeyed(in, keyed)
	return malformed, nil
}

// hashLocal returns the hex MD5 of the content of the local file rel.
func (s *Syncer) hashLocal(rel string) (string, error) {
	p, err := s.readPath(rel)
	if err != nil {
		return "", err
	}
	return hashFile(p)
}

// applyHead takes the plaintext MD5, mtime and encryption flag from an
// object's metadata. Encryption metadata that is present but malformed is
// an error: the object is neither plaintext nor readable, and nothing may
// be decided from it.
func applyHead(e *planner.RemoteEntry, info *ks3.ObjectInfo) error {
	meta := info.Metadata
	m, encrypted, err := ks3crypto.ParseMetadata(meta)
	switch {
	case err != nil:
		e.Encrypted, e.MD5 = true, ""
		return err
	case encrypted:
		e.Encrypted = true
		if e.MD5 == "" && m.PlainMD5 != nil {
			e.MD5 = hex.EncodeToString(m.PlainMD5)
		}
	default:
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
	return nil
}

// recordsMD5 reports whether the object info describes records sum (hex)
// as the MD5 of its plaintext: in clear, in the SDK's metadata, as a plain
// single-PUT ETag, or keyed (md5-sealed, with the pair's key). Malformed
// encryption metadata is an error.
func (s *Syncer) recordsMD5(info *ks3.ObjectInfo, sum string) (bool, error) {
	var e planner.RemoteEntry
	if err := applyHead(&e, info); err != nil {
		return false, err
	}
	if e.MD5 != "" {
		return strings.EqualFold(e.MD5, sum), nil
	}
	keyed := objmeta.Read(info.Metadata).KeyedMD5
	return keyed != "" && s.opts.Key != nil && objmeta.NewIdentity(*s.opts.Key).Matches(sum, keyed), nil
}

// resolveKeyed gives remote entries whose plaintext MD5 is recorded only
// in keyed form (md5-sealed) the MD5 it stands for, when it is the MD5 of
// the local file or of the base at the same path: the planner compares
// MD5s. An entry that matches neither keeps an unknown MD5, which the
// planner takes for different content, as it is.
func (s *Syncer) resolveKeyed(in *planner.Input, keyed map[string]string) {
	if len(keyed) == 0 || s.opts.Key == nil {
		return
	}
	id := objmeta.NewIdentity(*s.opts.Key)
	candidates := make(map[string][]string)
	for _, l := range in.Local {
		if l.MD5 != "" {
			candidates[l.Path] = append(candidates[l.Path], l.MD5)
		}
	}
	for _, b := range in.Base {
		if b.MD5 != "" {
			candidates[b.Path] = append(candidates[b.Path], b.MD5)
		}
	}
	for i := range in.Remote {
		e := &in.Remote[i]
		v, ok := keyed[e.Key]
		if !ok || e.MD5 != "" {
			continue
		}
		p, err := s.pathFor(e.Key)
		if err != nil {
			continue
		}
		for _, c := range candidates[p] {
			if id.Matches(c, v) {
				e.MD5 = strings.ToLower(c)
				break
			}
		}
	}
}

// refuse turns every action on an object whose encryption metadata is
// malformed into an Error action for its key, and adds one where the plan
// left the object alone: such an object is neither plaintext nor readable,
// so it is never compared, overwritten, deleted or taken as the base.
func (s *Syncer) refuse(plan *planner.Result, malformed map[string]error) {
	for i, a := range plan.Actions {
		key := a.Key
		if a.Remote != nil {
			key = a.Remote.Key
		}
		err, bad := malformed[key]
		if !bad {
			continue
		}
		plan.Counts[a.Kind]--
		plan.Actions[i] = malformedAction(a.Path, key, s.opts.Bucket, err)
		plan.Counts[planner.Error]++
		delete(malformed, key)
	}
	for _, key := range slices.Sorted(maps.Keys(malformed)) {
		p, _ := s.pathFor(key)
		plan.Actions = append(plan.Actions, malformedAction(p, key, s.opts.Bucket, malformed[key]))
		plan.Counts[planner.Error]++
		if plan.Counts[planner.Nothing] > 0 {
			plan.Counts[planner.Nothing]--
		}
	}
}

func malformedAction(path, key, bucket string, err error) planner.Action {
	return planner.Action{
		Kind: planner.Error, Path: path, Key: key, Reason: "malformed encryption metadata",
		Err: fmt.Errorf("object ks3://%s/%s has encryption metadata that cannot be read, so it is left alone: %w", bucket, key, err),
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
