package syncer

import (
	"bytes"
	"cmp"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ks3sync/ks3sync/ks3"
)

// fakeStore is an in-memory objectStore with just enough KS3 behaviour for
// the syncer: objects with metadata, multipart uploads, listing in key order.
type fakeStore struct {
	mu      sync.Mutex
	objects map[string]fakeObject
	uploads map[string]*fakeUpload
	nextID  int
	// failPartAfter makes UploadPart fail once this many parts have been
	// accepted in total (0 = never), simulating a crash mid-upload.
	failPartAfter int
	partsAccepted int
	partCalls     int
	// failPart makes every UploadPart of that part number fail after
	// failPartDelay, while the parts beside it go through (0 = never).
	failPart      int
	failPartDelay time.Duration
	// partsWithMD5 counts the parts that came with a Content-MD5.
	partsWithMD5 int
	// breakBodyAt makes the next GET body fail with a retryable error
	// after this many bytes (0 = never), as a dropped connection does.
	breakBodyAt int
	// getErr, when set, is what every GetObject answers.
	getErr error
	// ranges records the Range of every GetObject ("" for whole objects).
	ranges []string
	// listErr, when set, fails every listing.
	listErr error
	// loseAnswers makes PutObject and InitiateMultipartUpload do their
	// work and then fail, as a process killed before it heard the answer.
	loseAnswers bool
	// afterPut, when set, runs after every PutObject (outside the lock),
	// e.g. to land another device's write right after it.
	afterPut func(key string)
	// beforeCopy and afterCopy, when set, run before and after every Copy
	// (outside the lock).
	beforeCopy, afterCopy func(dst string)
}

type fakeObject struct {
	data []byte
	info ks3.ObjectInfo
}

type fakeUpload struct {
	key       string
	opts      ks3.PutOptions
	parts     map[int][]byte
	initiated time.Time
}

var _ objectStore = (*fakeStore)(nil)

var errCrash = errors.New("simulated crash")

func newFakeStore() *fakeStore {
	return &fakeStore{objects: map[string]fakeObject{}, uploads: map[string]*fakeUpload{}}
}

func etagOf(b []byte) string { s := md5.Sum(b); return hex.EncodeToString(s[:]) }

func (f *fakeStore) HeadObject(_ context.Context, _, key string) (*ks3.ObjectInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.objects[key]
	if !ok {
		return nil, &ks3.Error{StatusCode: 404, Code: "NoSuchKey"}
	}
	info := o.info
	return &info, nil
}

func (f *fakeStore) GetObject(ctx context.Context, b, key string, opts ks3.GetOptions) (*ks3.Object, error) {
	f.mu.Lock()
	f.ranges = append(f.ranges, opts.Range)
	getErr := f.getErr
	f.mu.Unlock()
	if getErr != nil {
		return nil, getErr
	}
	info, err := f.HeadObject(ctx, b, key)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	data := f.objects[key].data
	obj := &ks3.Object{ObjectInfo: *info}
	if opts.Range != "" {
		var from int
		if _, err := fmt.Sscanf(opts.Range, "bytes=%d-", &from); err != nil || from >= len(data) {
			return nil, &ks3.Error{StatusCode: 416, Code: "InvalidRange"}
		}
		obj.ContentRange = fmt.Sprintf("bytes %d-%d/%d", from, len(data)-1, len(data))
		data = data[from:]
	}
	var body io.Reader = bytes.NewReader(data)
	if f.breakBodyAt > 0 && f.breakBodyAt < len(data) {
		body = io.MultiReader(bytes.NewReader(data[:f.breakBodyAt]), errReader{&ks3.Error{StatusCode: 503, Code: "SlowDown"}})
		f.breakBodyAt = 0
	}
	obj.Body, obj.ContentLength = io.NopCloser(body), int64(len(data))
	return obj, nil
}

// errReader fails every read with err.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func (f *fakeStore) store(key string, data []byte, etag string, opts ks3.PutOptions) {
	meta := map[string]string{}
	for k, v := range opts.Metadata {
		meta[strings.ToLower(k)] = v
	}
	sc := opts.StorageClass
	if sc == "" {
		sc = "STANDARD"
	}
	f.objects[key] = fakeObject{data: data, info: ks3.ObjectInfo{
		Key: key, Size: int64(len(data)), ETag: etag, LastModified: time.Now(), StorageClass: sc, Metadata: meta,
	}}
}

func (f *fakeStore) PutObject(_ context.Context, _, key string, body io.ReadSeeker, size int64, opts ks3.PutOptions) (*ks3.PutResult, error) {
	data, err := io.ReadAll(body)
	if err != nil {
		return nil, err
	}
	if int64(len(data)) != size {
		return nil, fmt.Errorf("body %d bytes, declared %d", len(data), size)
	}
	if opts.ContentMD5 != nil {
		if s := md5.Sum(data); !bytes.Equal(s[:], opts.ContentMD5) {
			return nil, &ks3.Error{StatusCode: 400, Code: "BadDigest"}
		}
	}
	f.mu.Lock()
	f.store(key, data, etagOf(data), opts)
	lose, after := f.loseAnswers, f.afterPut
	f.mu.Unlock()
	if after != nil {
		after(key)
	}
	if lose {
		return nil, errCrash
	}
	return &ks3.PutResult{ETag: etagOf(data)}, nil
}

func (f *fakeStore) InitiateMultipartUpload(_ context.Context, _, key string, opts ks3.PutOptions) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	id := fmt.Sprintf("upload-%d", f.nextID)
	f.uploads[id] = &fakeUpload{key: key, opts: opts, parts: map[int][]byte{}, initiated: time.Now()}
	if f.loseAnswers {
		return "", errCrash
	}
	return id, nil
}

func (f *fakeStore) UploadPart(_ context.Context, _, key, id string, n int, body io.ReadSeeker, size int64, sum []byte) (string, error) {
	data, err := io.ReadAll(body)
	if err != nil {
		return "", err
	}
	f.mu.Lock()
	failing, delay := f.failPart == n, f.failPartDelay
	f.mu.Unlock()
	if failing {
		time.Sleep(delay)
		return "", errCrash
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.partCalls++
	if sum != nil {
		// A server refuses a body that does not match its Content-MD5.
		if got := md5.Sum(data); !bytes.Equal(got[:], sum) {
			return "", &ks3.Error{StatusCode: 400, Code: "BadDigest"}
		}
		f.partsWithMD5++
	}
	if f.failPartAfter > 0 && f.partsAccepted >= f.failPartAfter {
		return "", errCrash
	}
	u, ok := f.uploads[id]
	if !ok || u.key != key {
		return "", &ks3.Error{StatusCode: 404, Code: "NoSuchUpload"}
	}
	u.parts[n] = data
	f.partsAccepted++
	return `"` + etagOf(data) + `"`, nil
}

func (f *fakeStore) CompleteMultipartUpload(_ context.Context, _, key, id string, parts []ks3.CompletedPart, _ ks3.CompleteOptions) (*ks3.CompleteResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u, ok := f.uploads[id]
	if !ok {
		return nil, &ks3.Error{StatusCode: 404, Code: "NoSuchUpload"}
	}
	var all, sums []byte
	for i, p := range parts {
		data, ok := u.parts[p.PartNumber]
		if p.PartNumber != i+1 || !ok || etagOf(data) != strings.Trim(p.ETag, `"`) {
			return nil, &ks3.Error{StatusCode: 400, Code: "InvalidPartOrder"}
		}
		all = append(all, data...)
		s := md5.Sum(data)
		sums = append(sums, s[:]...)
	}
	etag := fmt.Sprintf("%s-%d", etagOf(sums), len(parts))
	f.store(key, all, etag, u.opts)
	delete(f.uploads, id)
	return &ks3.CompleteResult{Key: key, ETag: `"` + etag + `"`}, nil
}

func (f *fakeStore) AbortMultipartUpload(_ context.Context, _, _, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.uploads[id]; !ok {
		return &ks3.Error{StatusCode: 404, Code: "NoSuchUpload"}
	}
	delete(f.uploads, id)
	return nil
}

func (f *fakeStore) ListMultipartUploads(_ context.Context, _ string, opts ks3.ListUploadsOptions) iter.Seq2[ks3.Upload, error] {
	f.mu.Lock()
	var ups []ks3.Upload
	for id, u := range f.uploads {
		if strings.HasPrefix(u.key, opts.Prefix) {
			ups = append(ups, ks3.Upload{Key: u.key, UploadID: id, Initiated: u.initiated})
		}
	}
	f.mu.Unlock()
	slices.SortFunc(ups, func(a, b ks3.Upload) int {
		return cmp.Or(strings.Compare(a.Key, b.Key), strings.Compare(a.UploadID, b.UploadID))
	})
	return func(yield func(ks3.Upload, error) bool) {
		for _, u := range ups {
			if !yield(u, nil) {
				return
			}
		}
	}
}

func (f *fakeStore) ListParts(_ context.Context, _, _, id string) iter.Seq2[ks3.Part, error] {
	return func(yield func(ks3.Part, error) bool) {
		f.mu.Lock()
		u, ok := f.uploads[id]
		var parts []ks3.Part
		if ok {
			for n, d := range u.parts {
				parts = append(parts, ks3.Part{PartNumber: n, ETag: etagOf(d), Size: int64(len(d))})
			}
		}
		f.mu.Unlock()
		if !ok {
			yield(ks3.Part{}, &ks3.Error{StatusCode: 404, Code: "NoSuchUpload"})
			return
		}
		sort.Slice(parts, func(i, j int) bool { return parts[i].PartNumber < parts[j].PartNumber })
		for _, p := range parts {
			if !yield(p, nil) {
				return
			}
		}
	}
}

func (f *fakeStore) DeleteObjects(_ context.Context, _ string, keys []string) (*ks3.DeleteResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, k := range keys {
		delete(f.objects, k)
	}
	return &ks3.DeleteResult{Deleted: slices.Clone(keys)}, nil
}

func (f *fakeStore) Walk(_ context.Context, _ string, opts ks3.ListObjectsOptions) iter.Seq2[ks3.ListItem, error] {
	return func(yield func(ks3.ListItem, error) bool) {
		f.mu.Lock()
		if err := f.listErr; err != nil {
			f.mu.Unlock()
			yield(ks3.ListItem{}, err)
			return
		}
		var items []ks3.ObjectInfo
		for k, o := range f.objects {
			if strings.HasPrefix(k, opts.Prefix) && k > opts.Marker {
				items = append(items, o.info)
			}
		}
		f.mu.Unlock()
		sort.Slice(items, func(i, j int) bool { return items[i].Key < items[j].Key })
		seen := map[string]bool{}
		for _, it := range items {
			item := ks3.ListItem{Object: it}
			if opts.Delimiter != "" {
				rest := it.Key[len(opts.Prefix):]
				if i := strings.Index(rest, opts.Delimiter); i >= 0 {
					cp := opts.Prefix + rest[:i+len(opts.Delimiter)]
					if seen[cp] {
						continue
					}
					seen[cp] = true
					item = ks3.ListItem{Prefix: cp}
				}
			}
			if !yield(item, nil) {
				return
			}
		}
	}
}
