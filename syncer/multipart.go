package syncer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/objmeta"
	"github.com/ks3sync/ks3sync/state"
)

// upload is one multipart upload in progress: its checkpoint and the parts
// the server has acknowledged.
type upload struct {
	cp   state.Upload
	plan ks3.PartPlan
	mu   sync.Mutex
	done map[int]state.UploadPart
}

// putMultipart uploads a large file in parts, resuming from the state
// store's checkpoint when the same file was interrupted before. Every
// acknowledged part is checkpointed at once in its own transaction.
func (s *Syncer) putMultipart(ctx context.Context, key string, src *source) (remoteState, error) {
	encrypt := s.opts.Key != nil
	plan, err := ks3.PlanParts(src.fp.Size, s.partSize(encrypt))
	if err != nil {
		return remoteState{}, err
	}
	var sums partSums
	if s.hashesWithParts(src.fp.Size) {
		if sums, err = hashParts(ctx, src.f, src.fp.Size, plan); err != nil {
			return remoteState{}, fmt.Errorf("hash %s: %w", src.rel, err)
		}
		src.md5 = sums.whole
		// The intent was recorded before the file was hashed: record the
		// MD5 before the first request, so that an object completed by a
		// killed run is still recognised.
		if err := s.recordIntent(ctx, key, src, true); err != nil {
			return remoteState{}, err
		}
	}
	up, err := s.resumeOrStart(ctx, key, src, plan, encrypt)
	if err != nil {
		return remoteState{}, err
	}
	s.emit(Event{Kind: EventParts, Path: src.rel, Key: key, Parts: len(up.done), PartCount: plan.Count})
	if encrypt {
		err = s.sendEncryptedParts(ctx, up, src)
	} else {
		err = s.sendParts(ctx, up, src, sums.parts)
	}
	if err != nil {
		return remoteState{}, err
	}
	// Completing would publish the object: a file rewritten while its parts
	// went up must not become a torn object in the bucket.
	if err := s.unchanged(src.rel, src.fp); err != nil {
		s.abandon(ctx, &up.cp)
		return remoteState{}, err
	}
	res, err := s.store.CompleteMultipartUpload(ctx, s.opts.Bucket, key, up.cp.UploadID, up.completed(), ks3.CompleteOptions{})
	if err != nil {
		if ks3.IsNotFound(err) {
			s.dropCheckpoint(ctx, up.cp.UploadID)
		}
		return remoteState{}, fmt.Errorf("complete upload of ks3://%s/%s: %w", s.opts.Bucket, key, err)
	}
	s.dropCheckpoint(ctx, up.cp.UploadID)
	size := src.fp.Size
	if encrypt {
		size = ks3crypto.EncryptedSize(size)
	}
	return remoteState{key: key, size: size, etag: strings.Trim(res.ETag, `"`), storageClass: s.opts.StorageClass, encrypted: encrypt}, nil
}

// partSize is the preferred part size; encrypted parts must be whole AES
// blocks.
func (s *Syncer) partSize(encrypt bool) int64 {
	if encrypt {
		return ks3crypto.AlignPartSize(s.opts.PartSize)
	}
	return s.opts.PartSize
}

// resumeOrStart returns the checkpointed upload of this file if it still
// matches the file and the server still has it, or starts a new one.
func (s *Syncer) resumeOrStart(ctx context.Context, key string, src *source, plan ks3.PartPlan, encrypt bool) (*upload, error) {
	cp, err := s.db.UploadFor(ctx, s.opts.Pair, src.rel)
	if err != nil {
		return nil, err
	}
	if cp != nil {
		up, err := s.resume(ctx, cp, key, src, plan, encrypt)
		if err != nil || up != nil {
			return up, err
		}
	}
	return s.start(ctx, key, src, plan, encrypt)
}

// resume returns the checkpointed upload with the parts the server still
// has, or nil when it cannot be resumed (then it is aborted). An error
// means the server could not be asked; the checkpoint is kept for later.
func (s *Syncer) resume(ctx context.Context, cp *state.Upload, key string, src *source, plan ks3.PartPlan, encrypt bool) (*upload, error) {
	// The content hash as well as the fingerprint: an in-place rewrite that
	// keeps size and mtime must not be spliced onto the old parts.
	same := cp.Key == key && cp.Bucket == s.opts.Bucket && cp.Size == src.fp.Size && cp.MTime == src.fp.MTime &&
		cp.CTime == src.fp.CTime && cp.Inode == src.fp.Inode && cp.MD5 == src.md5 &&
		cp.PartSize == plan.PartSize && cp.Encrypted == encrypt
	if !same {
		s.log.Info().Str("path", src.rel).Msg("source changed since the interrupted upload; starting over")
		s.abandon(ctx, cp)
		return nil, nil
	}
	server, err := s.listedParts(ctx, cp)
	if ks3.IsNotFound(err) {
		s.log.Info().Str("path", src.rel).Msg("interrupted upload is gone from the server; starting over")
		s.dropCheckpoint(ctx, cp.UploadID)
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list parts of the interrupted upload of ks3://%s/%s: %w", cp.Bucket, cp.Key, err)
	}
	up := &upload{cp: *cp, plan: plan, done: make(map[int]state.UploadPart)}
	for _, p := range cp.Parts {
		if sp, ok := server[p.Number]; ok && sp.ETag == p.ETag && sp.Size == p.Size {
			up.done[p.Number] = p
		}
	}
	s.log.Info().Str("path", src.rel).Int("parts_done", len(up.done)).Int("parts", plan.Count).Msg("resuming upload")
	s.emit(Event{Kind: EventResumed, Action: "upload", Path: src.rel, Key: key, Parts: len(up.done)})
	return up, nil
}

// listedParts asks the server which parts of a checkpointed upload it has.
func (s *Syncer) listedParts(ctx context.Context, cp *state.Upload) (map[int]ks3.Part, error) {
	parts := make(map[int]ks3.Part)
	for p, err := range s.store.ListParts(ctx, cp.Bucket, cp.Key, cp.UploadID) {
		if err != nil {
			return nil, err
		}
		p.ETag = strings.Trim(p.ETag, `"`)
		parts[p.PartNumber] = p
	}
	return parts, nil
}

// abandon aborts an upload that can no longer be resumed and forgets it.
func (s *Syncer) abandon(ctx context.Context, cp *state.Upload) {
	if err := s.store.AbortMultipartUpload(ctx, cp.Bucket, cp.Key, cp.UploadID); err != nil && !ks3.IsNotFound(err) {
		s.log.Warn().Err(err).Str("upload_id", cp.UploadID).Msg("abort stale upload")
	}
	s.dropCheckpoint(ctx, cp.UploadID)
}

func (s *Syncer) dropCheckpoint(ctx context.Context, uploadID string) {
	if err := s.db.DeleteUpload(context.WithoutCancel(ctx), uploadID); err != nil {
		s.log.Warn().Err(err).Str("upload_id", uploadID).Msg("forget upload checkpoint")
	}
}

func (s *Syncer) start(ctx context.Context, key string, src *source, plan ks3.PartPlan, encrypt bool) (*upload, error) {
	opts := s.putOptions(src)
	cp := state.Upload{
		Pair: s.opts.Pair, Path: src.rel, Key: key, Bucket: s.opts.Bucket,
		Size: src.fp.Size, MTime: src.fp.MTime, CTime: src.fp.CTime, Inode: src.fp.Inode, MD5: src.md5,
		PartSize: plan.PartSize, Encrypted: encrypt, Created: s.opts.Now(),
	}
	if encrypt {
		iv, err := ks3crypto.NewIV(rand.Reader)
		if err != nil {
			return nil, err
		}
		cp.IV = iv[:]
		for k, v := range ks3crypto.MultipartMetadata(*s.opts.Key, iv) {
			opts.Metadata[k] = v
		}
	}
	id, err := s.store.InitiateMultipartUpload(ctx, s.opts.Bucket, key, opts)
	if err != nil {
		return nil, fmt.Errorf("initiate upload of ks3://%s/%s: %w", s.opts.Bucket, key, err)
	}
	cp.UploadID = id
	if err := s.db.SaveUpload(context.WithoutCancel(ctx), cp); err != nil {
		// Without a checkpoint nobody could find this upload again.
		if aerr := s.store.AbortMultipartUpload(ctx, s.opts.Bucket, key, id); aerr != nil {
			s.log.Warn().Err(aerr).Str("upload_id", id).Msg("abort upload")
		}
		return nil, err
	}
	return &upload{cp: cp, plan: plan, done: make(map[int]state.UploadPart)}, nil
}

// hashesWithParts reports whether a file of size bytes goes up as a plain
// multipart upload, whose whole-file MD5 is computed in the same read as
// its parts' (see hashParts) rather than before.
func (s *Syncer) hashesWithParts(size int64) bool {
	return s.opts.Key == nil && size >= s.opts.MultipartThreshold
}

// sendParts uploads the missing parts of a plain file in parallel, each
// with its Content-MD5 from sums.
func (s *Syncer) sendParts(ctx context.Context, up *upload, src *source, sums [][16]byte) error {
	if len(sums) != up.plan.Count {
		return fmt.Errorf("upload ks3://%s/%s: %d part hashes for %d parts", up.cp.Bucket, up.cp.Key, len(sums), up.plan.Count)
	}
	// The missing parts are listed before any worker starts: workers add
	// to up.done as parts finish.
	var missing []int
	for n := 1; n <= up.plan.Count; n++ {
		if _, ok := up.done[n]; !ok {
			missing = append(missing, n)
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.opts.Transfers)
	for _, n := range missing {
		g.Go(func() error {
			off, length := up.plan.Part(n)
			body := io.NewSectionReader(src.f, off, length)
			return s.sendPart(gctx, up, src.rel, n, body, length, sums[n-1][:], nil)
		})
	}
	return g.Wait()
}

// chain returns the CBC chain of an encrypted upload, resumed after the
// first parts that the checkpoint holds in order with their chain values.
func (up *upload) chain(key ks3crypto.Key) (*ks3crypto.Chain, error) {
	var value [ks3crypto.BlockSize]byte
	n := 0
	for ; n < up.plan.Count; n++ {
		p, ok := up.done[n+1]
		if !ok || len(p.Chain) != len(value) {
			break
		}
		copy(value[:], p.Chain)
	}
	if n > 0 {
		return ks3crypto.ResumeChain(key, n, value)
	}
	if len(up.cp.IV) != len(value) {
		return nil, fmt.Errorf("resume upload of ks3://%s/%s: the checkpoint holds a %d-byte IV", up.cp.Bucket, up.cp.Key, len(up.cp.IV))
	}
	return ks3crypto.NewChain(key, [ks3crypto.BlockSize]byte(up.cp.IV)), nil
}

// sendPart uploads one part, checks the returned ETag against the MD5 of
// the bytes sent, and checkpoints it. With sum (the part's MD5, known
// before) the part carries it as Content-MD5 and is not hashed again;
// without, the bytes are hashed as they are sent.
func (s *Syncer) sendPart(ctx context.Context, up *upload, rel string, n int, body io.ReadSeeker, size int64, sum []byte, chain func() ([16]byte, error)) error {
	body = s.throttle(ctx, body, rel)
	var hb *hashingBody
	if sum == nil {
		hb = newHashingBody(body)
		body = hb
	}
	etag, err := s.store.UploadPart(ctx, up.cp.Bucket, up.cp.Key, up.cp.UploadID, n, body, size, sum)
	if err != nil {
		return fmt.Errorf("upload part %d of ks3://%s/%s: %w", n, up.cp.Bucket, up.cp.Key, err)
	}
	etag = strings.Trim(etag, `"`)
	sent := hex.EncodeToString(sum)
	if hb != nil {
		sent = hb.sum()
	}
	if objmeta.IsMD5Hex(etag) && !strings.EqualFold(etag, sent) {
		return fmt.Errorf("upload part %d of ks3://%s/%s: the server stored different bytes", n, up.cp.Bucket, up.cp.Key)
	}
	part := state.UploadPart{Number: n, Size: size, ETag: etag}
	if chain != nil {
		c, err := chain()
		if err != nil {
			return err
		}
		part.Chain = c[:]
	}
	if err := s.db.AddPart(context.WithoutCancel(ctx), up.cp.UploadID, part); err != nil {
		return err
	}
	up.mu.Lock()
	up.done[n] = part
	done := len(up.done)
	up.mu.Unlock()
	s.emit(Event{Kind: EventParts, Path: rel, Key: up.cp.Key, Parts: done, PartCount: up.plan.Count})
	return nil
}

func (up *upload) completed() []ks3.CompletedPart {
	parts := make([]ks3.CompletedPart, 0, len(up.done))
	for _, p := range up.done {
		parts = append(parts, ks3.CompletedPart{PartNumber: p.Number, ETag: p.ETag})
	}
	slices.SortFunc(parts, func(a, b ks3.CompletedPart) int { return a.PartNumber - b.PartNumber })
	return parts
}
