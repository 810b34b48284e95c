package tool

import (
	"context"
	"errors"

	"github.com/ks3sync/ks3sync/ks3"
)

// deleteBatch is the number of keys per Delete Multiple Objects request.
const deleteBatch = 1000

// objectDeleter deletes the keys of one bucket in batches of deleteBatch,
// logging each deleted key and each key the service refused.
type objectDeleter struct {
	cl     *ks3.Client
	bucket string
	log    *itemLog
	keys   []string
}

func newObjectDeleter(cl *ks3.Client, bucket string, log *itemLog) *objectDeleter {
	return &objectDeleter{cl: cl, bucket: bucket, log: log}
}

// add queues key, sending a batch when one is full.
func (d *objectDeleter) add(ctx context.Context, key string) error {
	d.keys = append(d.keys, key)
	if len(d.keys) < deleteBatch {
		return nil
	}
	return d.flush(ctx)
}

// flush deletes the queued keys. Keys the service refused are logged as
// failures; the error is for a request that failed as a whole.
func (d *objectDeleter) flush(ctx context.Context) error {
	if len(d.keys) == 0 {
		return nil
	}
	res, err := d.cl.DeleteObjects(ctx, d.bucket, d.keys)
	d.keys = d.keys[:0]
	if res != nil {
		for _, k := range res.Deleted {
			d.log.ok("delete: " + ks3URI{Bucket: d.bucket, Key: k}.String())
		}
		for _, e := range res.Errors {
			d.log.fail(ks3URI{Bucket: d.bucket, Key: e.Key}.String(), deleteKeyError(e))
		}
	}
	return err
}

// deleteKeyError describes a key that a multi-delete refused, with the hint
// explainError would give for its code.
func deleteKeyError(e ks3.DeleteError) error {
	msg := e.Code
	switch {
	case msg == "":
		msg = e.Message
	case e.Message != "":
		msg += ": " + e.Message
	}
	if hint := serviceHint(&ks3.Error{Code: e.Code}); hint != "" {
		msg += " (hint: " + hint + ")"
	}
	return errors.New(msg)
}

// deleteUnder deletes every object whose key starts with prefix.
func deleteUnder(ctx context.Context, cl *ks3.Client, bucket, prefix string, log *itemLog) error {
	d := newObjectDeleter(cl, bucket, log)
	for item, err := range cl.Walk(ctx, bucket, ks3.ListObjectsOptions{Prefix: prefix}) {
		if err != nil {
			return err
		}
		if err := d.add(ctx, item.Object.Key); err != nil {
			return err
		}
	}
	return d.flush(ctx)
}

// abortUploads aborts the unfinished multipart uploads whose key starts with
// prefix and for which keep returns false (nil keep aborts all).
func abortUploads(ctx context.Context, cl *ks3.Client, bucket, prefix string, keep func(ks3.Upload) bool, log *itemLog) error {
	var uploads []ks3.Upload
	for up, err := range cl.ListMultipartUploads(ctx, bucket, ks3.ListUploadsOptions{Prefix: prefix}) {
		if err != nil {
			return err
		}
		if up.Prefix == "" && (keep == nil || !keep(up)) {
			uploads = append(uploads, up)
		}
	}
	for _, up := range uploads {
		what := "abort: " + ks3URI{Bucket: bucket, Key: up.Key}.String() + " (upload id " + up.UploadID + ")"
		if err := cl.AbortMultipartUpload(ctx, bucket, up.Key, up.UploadID); err != nil {
			if ctx.Err() != nil {
				return err
			}
			log.fail(what, err)
			continue
		}
		log.ok(what)
	}
	return nil
}
