package syncer

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"mime"
	"os"
	"path"
	"strings"
	"time"

	ks3crypto "github.com/ks3sync/ks3sync/crypto"
	"github.com/ks3sync/ks3sync/history"
	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/localfs"
	"github.com/ks3sync/ks3sync/objmeta"
	"github.com/ks3sync/ks3sync/planner"
)

// source is a local file opened for upload, with the fingerprint it had
// when it was opened and its plaintext MD5.
type source struct {
	rel  string
	f    *os.File
	fp   planner.Fingerprint
	md5  string      // hex
	mode fs.FileMode // permission bits when it was opened
	// meta is metadata added to the upload's own (a kept version's).
	meta map[string]string
}

// upload sends one local file and records the new base. It returns the
// number of plaintext bytes sent.
func (s *Syncer) upload(ctx context.Context, a planner.Action) (int64, error) {
	if a.Local == nil {
		return 0, fmt.Errorf("upload %s: no local entry", a.Path)
	}
	src, err := s.openSource(ctx, a)
	if err != nil {
		return 0, err
	}
	defer src.f.Close()
	if err := s.beforeDisplace(ctx, a, history.Replaced); err != nil {
		return 0, err
	}
	multipart := src.fp.Size >= s.opts.MultipartThreshold
	// A file hashed along with its parts has its intent recorded by
	// putMultipart, once the MD5 is known and before the first request.
	if src.md5 != "" {
		if err := s.recordIntent(ctx, a.Key, src, multipart); err != nil {
			return 0, err
		}
	}
	s.emit(Event{Kind: EventStart, Action: string(planner.Upload), Path: a.Path, Key: a.Key, Size: src.fp.Size})
	var r remoteState
	if multipart {
		r, err = s.putMultipart(ctx, a.Key, src)
	} else {
		r, err = s.putSingle(ctx, a.Key, src)
	}
	if err != nil {
		return 0, err
	}
	// A file rewritten during the upload may have been sent half old, half
	// new: the base is not recorded, so the next pass sends it again.
	if err := s.unchanged(a.Path, src.fp); err != nil {
		return 0, err
	}
	if err := s.afterWrite(ctx, a, src, r.etag); err != nil {
		return 0, err
	}
	r.mtime = src.fp.MTime
	if err := s.putBase(ctx, a.Path, src.fp, src.md5, r); err != nil {
		return 0, err
	}
	return src.fp.Size, nil
}

// openSource opens the file, checks that it is still what the scan saw and
// hashes it if the scan did not.
func (s *Syncer) openSource(ctx context.Context, a planner.Action) (*source, error) {
	p, err := s.readPath(a.Path)
	if err != nil {
		return nil, err
	}
	var f *os.File
	err = localfs.RetryLocked(ctx, false, func() (err error) {
		f, err = os.Open(p)
		return err
	})
	if err != nil {
		return nil, err
	}
	fp, err := localfs.Stat(s.opts.Root, a.Path)
	if err != nil {
		f.Close()
		return nil, err
	}
	if fp.Size != a.Local.Size || fp.MTime != a.Local.MTime {
		f.Close()
		return nil, fmt.Errorf("%w: changed since the scan", errRetryLater)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	src := &source{rel: a.Path, f: f, fp: fp, md5: a.Local.MD5, mode: fi.Mode().Perm()}
	if s.hashesWithParts(fp.Size) {
		// putMultipart hashes the file and its parts in one read.
		src.md5 = ""
		return src, nil
	}
	if a.Local.MD5 == "" || fp != a.Local.Fingerprint {
		h := md5.New()
		if _, err := io.Copy(h, io.NewSectionReader(f, 0, fp.Size)); err != nil {
			f.Close()
			return nil, fmt.Errorf("read %s: %w", a.Path, err)
		}
		src.md5 = hex.EncodeToString(h.Sum(nil))
	}
	return src, nil
}

// unchanged fails with errRetryLater when the file's fingerprint moved.
func (s *Syncer) unchanged(rel string, want planner.Fingerprint) error {
	fp, err := localfs.Stat(s.opts.Root, rel)
	if err != nil {
		return fmt.Errorf("%w: %v", errRetryLater, err)
	}
	if fp != want {
		return fmt.Errorf("%w: %s changed while it was being synced", errRetryLater, rel)
	}
	return nil
}

// putOptions are the headers every upload of this pair carries.
func (s *Syncer) putOptions(src *source) ks3.PutOptions {
	ct := mime.TypeByExtension(strings.ToLower(path.Ext(src.rel)))
	if ct == "" {
		ct = "application/octet-stream"
	}
	o := ks3.PutOptions{
		ContentType:  ct,
		StorageClass: s.opts.StorageClass,
		ACL:          s.opts.ACL,
		Metadata:     s.metadata(src),
	}
	maps.Copy(o.Metadata, src.meta)
	return o
}

// metadata is the user metadata of an upload of src: ks3sync's attributes,
// and with keep_mode the file's permission bits.
func (s *Syncer) metadata(src *source) map[string]string {
	m := s.attrs(src).Metadata()
	if s.opts.KeepMode {
		m[objmeta.NameMode] = objmeta.FormatMode(src.mode)
	}
	return m
}

// attrs are ks3sync's metadata for an upload of src: its mtime, and its
// MD5, keyed (md5-sealed) when the object is encrypted so that the bucket
// does not tell what it holds. Empty files are never encrypted (as in the
// SDK), so they keep a plain md5.
func (s *Syncer) attrs(src *source) objmeta.Attrs {
	a := objmeta.Attrs{MTime: time.Unix(0, src.fp.MTime)}
	if s.opts.Key != nil && src.fp.Size > 0 {
		a.KeyedMD5 = objmeta.NewIdentity(*s.opts.Key).Of(src.md5)
	} else {
		a.MD5 = src.md5
	}
	return a
}

// putSingle sends the file with one PUT: Content-MD5 for plain files; for
// encrypted files the returned ETag is checked against the MD5 of the
// ciphertext that was sent.
func (s *Syncer) putSingle(ctx context.Context, key string, src *source) (remoteState, error) {
	opts := s.putOptions(src)
	encrypt := s.opts.Key != nil && src.fp.Size > 0
	section := io.NewSectionReader(src.f, 0, src.fp.Size)
	if encrypt {
		// Content-MD5 cannot cover the plaintext of an encrypted body; the
		// plaintext is checked as it is read instead, so a file rewritten
		// mid-upload fails the request rather than storing a torn object.
		want, _ := hex.DecodeString(src.md5)
		section = io.NewSectionReader(&verifiedReaderAt{r: src.f, size: src.fp.Size, want: want, h: md5.New()}, 0, src.fp.Size)
	}
	var (
		body io.ReadSeeker = section
		size               = src.fp.Size
	)
	if encrypt {
		iv, err := ks3crypto.NewIV(rand.Reader)
		if err != nil {
			return remoteState{}, err
		}
		// No plaintext MD5 in clear (the SDK writes one, but never reads
		// it): it would confirm a guessed file. ks3sync's own identity
		// is keyed (objmeta md5-sealed).
		for k, v := range ks3crypto.SinglePutMetadata(*s.opts.Key, iv, src.fp.Size, nil) {
			opts.Metadata[k] = v
		}
		pr, err := ks3crypto.EncryptPart(*s.opts.Key, iv, true, true, section)
		if err != nil {
			return remoteState{}, err
		}
		body, size = pr, pr.Size()
	} else {
		opts.ContentMD5, _ = hex.DecodeString(src.md5)
	}
	body = s.throttle(ctx, body, src.rel)
	var hb *hashingBody
	if encrypt {
		// Plain bodies carry Content-MD5; the server checks those itself.
		hb = newHashingBody(body)
		body = hb
	}
	res, err := s.store.PutObject(ctx, s.opts.Bucket, key, body, size, opts)
	if err != nil {
		return remoteState{}, fmt.Errorf("put ks3://%s/%s: %w", s.opts.Bucket, key, err)
	}
	if hb != nil && objmeta.IsMD5Hex(res.ETag) && !strings.EqualFold(res.ETag, hb.sum()) {
		return remoteState{}, fmt.Errorf("put ks3://%s/%s: the server stored different bytes (ETag %s, sent %s)", s.opts.Bucket, key, res.ETag, hb.sum())
	}
	return remoteState{key: key, size: size, etag: res.ETag, storageClass: s.opts.StorageClass, encrypted: encrypt}, nil
}

// hashingBody hashes what is read through it; seeking back to the start
// (a retry) starts the hash over, so the sum is of the last attempt.
type hashingBody struct {
	r io.ReadSeeker
	h hashState
}

type hashState interface {
	io.Writer
	Sum([]byte) []byte
	Reset()
}

func newHashingBody(r io.ReadSeeker) *hashingBody { return &hashingBody{r: r, h: md5.New()} }

func (b *hashingBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.h.Write(p[:n])
	return n, err
}

func (b *hashingBody) Seek(off int64, whence int) (int64, error) {
	pos, err := b.r.Seek(off, whence)
	if err == nil && pos == 0 {
		b.h.Reset()
	}
	return pos, err
}

func (b *hashingBody) sum() string { return hex.EncodeToString(b.h.Sum(nil)) }

// verifiedReaderAt hashes a file as it is read from start to end and fails
// the read that reaches the end when the content is not the one hashed
// before (the file changed in between). Reading from offset 0 again starts
// over, as a retried request does.
type verifiedReaderAt struct {
	r    io.ReaderAt
	size int64
	want []byte
	h    hashState
	next int64
}

func (v *verifiedReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off == 0 {
		v.h.Reset()
		v.next = 0
	}
	n, err := v.r.ReadAt(p, off)
	if off != v.next {
		return n, err
	}
	v.h.Write(p[:n])
	v.next += int64(n)
	if v.next == v.size && !bytes.Equal(v.h.Sum(nil), v.want) {
		return n, fmt.Errorf("%w: the file changed while it was being uploaded", errRetryLater)
	}
	return n, err
}
