package ks3

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
)

// listBucketResultV2 is a ListObjectsV2 page: the fields of a V1 page
// (Marker and NextMarker stay empty) and the continuation token.
type listBucketResultV2 struct {
	listBucketResult
	NextContinuationToken string `xml:"NextContinuationToken"`
}

func (l *listBucketResultV2) decodeFast(body []byte) bool {
	var page listBucketResultV2
	if !parseListing(body, &page.listBucketResult, map[string]*string{"NextContinuationToken": &page.NextContinuationToken}) {
		return false
	}
	*l = page
	return true
}

// walkV2 is Walk over ListObjectsV2 (GET ?list-type=2), which clients with
// SigV4 use: S3-compatible services page it with opaque continuation
// tokens, while some of them answer ListObjects (V1) with a NextMarker that
// is no key. opts.Marker becomes start-after on the first page.
func (c *Client) walkV2(ctx context.Context, bucket string, opts ListObjectsOptions) iter.Seq2[ListItem, error] {
	return func(yield func(ListItem, error) bool) {
		token := ""
		for {
			page, next, err := c.listObjectsV2(ctx, bucket, opts, token)
			if err != nil {
				yield(ListItem{}, fmt.Errorf("list objects %q: %w", objectName(bucket, opts.Prefix), err))
				return
			}
			if !yieldPage(page, yield) || !page.IsTruncated {
				return
			}
			if next == "" || next == token {
				yield(ListItem{}, fmt.Errorf("list objects %q: continuation token %q: %w", objectName(bucket, opts.Prefix), next, errNoProgress))
				return
			}
			token = next
		}
	}
}

// listObjectsV2 returns one ListObjectsV2 page: after token when it is not
// empty, else after opts.Marker. It also returns the next token.
func (c *Client) listObjectsV2(ctx context.Context, bucket string, opts ListObjectsOptions, token string) (*ListObjectsResult, string, error) {
	limit := maxListKeys
	if opts.Delimiter != "" {
		limit = maxListKeysDelimited
	}
	maxKeys := opts.MaxKeys
	if maxKeys <= 0 || maxKeys > limit {
		maxKeys = limit
	}
	q := url.Values{"list-type": {"2"}, "max-keys": {strconv.Itoa(maxKeys)}, "encoding-type": {"url"}}
	for name, v := range map[string]string{"prefix": opts.Prefix, "delimiter": opts.Delimiter, "continuation-token": token} {
		if v != "" {
			q.Set(name, v)
		}
	}
	if token == "" && opts.Marker != "" {
		q.Set("start-after", opts.Marker)
	}
	var out listBucketResultV2
	r := &request{method: http.MethodGet, bucket: bucket, query: q, notFoundCode: "NoSuchBucket"}
	if err := c.do(ctx, r, decodeInto(&out)); err != nil {
		return nil, "", err
	}
	if err := out.decodeNames(); err != nil {
		return nil, "", err
	}
	return out.result(), out.NextContinuationToken, nil
}
