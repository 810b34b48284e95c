package ks3

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
)

// Listing limits: at most 1000 keys per page, 100 when a delimiter is used.
const (
	maxListKeys          = 1000
	maxListKeysDelimited = 100
)

// ListObjectsOptions select the objects of a listing.
type ListObjectsOptions struct {
	Prefix    string
	Delimiter string
	// Marker lists keys after this one.
	Marker string
	// MaxKeys is the page size: 0 or more than the limit means the limit,
	// 1000, or 100 with a Delimiter.
	MaxKeys int
}

// ListObjectsResult is one page of a listing.
type ListObjectsResult struct {
	Objects        []ObjectInfo
	CommonPrefixes []string
	IsTruncated    bool
	// NextMarker is the marker for the next page when IsTruncated: the
	// service's NextMarker, or else the greater of the last key and the
	// last common prefix.
	NextMarker string
}

type listBucketResult struct {
	Name           string            `xml:"Name"`
	Prefix         string            `xml:"Prefix"`
	Marker         string            `xml:"Marker"`
	MaxKeys        int               `xml:"MaxKeys"`
	Delimiter      string            `xml:"Delimiter"`
	EncodingType   string            `xml:"EncodingType"`
	IsTruncated    bool              `xml:"IsTruncated"`
	NextMarker     string            `xml:"NextMarker"`
	Contents       []xmlObject       `xml:"Contents"`
	CommonPrefixes []xmlCommonPrefix `xml:"CommonPrefixes"`
}

type xmlObject struct {
	Key          string  `xml:"Key"`
	LastModified xmlTime `xml:"LastModified"`
	ETag         string  `xml:"ETag"`
	Size         int64   `xml:"Size"`
	Owner        Owner   `xml:"Owner"`
	StorageClass string  `xml:"StorageClass"`
}

type xmlCommonPrefix struct {
	Prefix string `xml:"Prefix"`
}

func (l *listBucketResult) decodeFast(body []byte) bool {
	var page listBucketResult
	if !parseListing(body, &page, nil) {
		return false
	}
	*l = page
	return true
}

// ListObjects returns one page of the objects of bucket, in key order.
func (c *Client) ListObjects(ctx context.Context, bucket string, opts ListObjectsOptions) (*ListObjectsResult, error) {
	res, err := c.listObjects(ctx, bucket, opts)
	if err != nil {
		return nil, fmt.Errorf("list objects %q: %w", objectName(bucket, opts.Prefix), err)
	}
	return res, nil
}

func (c *Client) listObjects(ctx context.Context, bucket string, opts ListObjectsOptions) (*ListObjectsResult, error) {
	limit := maxListKeys
	if opts.Delimiter != "" {
		limit = maxListKeysDelimited
	}
	maxKeys := opts.MaxKeys
	if maxKeys <= 0 || maxKeys > limit {
		maxKeys = limit
	}
	q := url.Values{"max-keys": {strconv.Itoa(maxKeys)}, "encoding-type": {"url"}}
	for name, v := range map[string]string{"prefix": opts.Prefix, "delimiter": opts.Delimiter, "marker": opts.Marker} {
		if v != "" {
			q.Set(name, v)
		}
	}
	var out listBucketResult
	r := &request{method: http.MethodGet, bucket: bucket, query: q, notFoundCode: "NoSuchBucket"}
	if err := c.do(ctx, r, decodeInto(&out)); err != nil {
		return nil, err
	}
	if err := out.decodeNames(); err != nil {
		return nil, err
	}
	return out.result(), nil
}

// decodeNames decodes the keys, common prefixes and next marker of a page
// the service percent-encoded (encoding-type=url, which the client asks
// for so that keys with characters XML cannot carry list intact).
func (l *listBucketResult) decodeNames() error {
	names := []*string{&l.NextMarker}
	for i := range l.Contents {
		names = append(names, &l.Contents[i].Key)
	}
	for i := range l.CommonPrefixes {
		names = append(names, &l.CommonPrefixes[i].Prefix)
	}
	return decodeListingNames(l.EncodingType, names...)
}

// result converts the XML page, computing NextMarker when the service did
// not send one.
func (l *listBucketResult) result() *ListObjectsResult {
	res := &ListObjectsResult{IsTruncated: l.IsTruncated, NextMarker: l.NextMarker}
	res.Objects = make([]ObjectInfo, len(l.Contents))
	for i, o := range l.Contents {
		res.Objects[i] = o.info()
	}
	for _, p := range l.CommonPrefixes {
		res.CommonPrefixes = append(res.CommonPrefixes, p.Prefix)
	}
	if res.IsTruncated && res.NextMarker == "" {
		if n := len(res.Objects); n > 0 {
			res.NextMarker = res.Objects[n-1].Key
		}
		if n := len(res.CommonPrefixes); n > 0 {
			res.NextMarker = max(res.NextMarker, res.CommonPrefixes[n-1])
		}
	}
	return res
}

func (o xmlObject) info() ObjectInfo {
	sc := o.StorageClass
	if sc == "" {
		sc = storageClassDefault
	}
	return ObjectInfo{Key: o.Key, Size: o.Size, ETag: trimETag(o.ETag), LastModified: o.LastModified.Time,
		StorageClass: sc, Owner: o.Owner}
}

// ListItem is one entry of Walk: an object, or a common prefix when Prefix
// is set (Object is then zero).
type ListItem struct {
	Object ObjectInfo
	Prefix string
}

// errNoProgress reports a listing page whose marker does not advance.
var errNoProgress = errors.New("truncated listing did not advance the marker")

// Walk lists all the objects (and, with a Delimiter, common prefixes) of
// bucket in key order, page by page. opts.MaxKeys is the page size. The
// sequence stops after yielding an error. With SigV4 it pages with
// ListObjectsV2.
func (c *Client) Walk(ctx context.Context, bucket string, opts ListObjectsOptions) iter.Seq2[ListItem, error] {
	if c.listV2 {
		return c.walkV2(ctx, bucket, opts)
	}
	return func(yield func(ListItem, error) bool) {
		for {
			page, err := c.listObjects(ctx, bucket, opts)
			if err != nil {
				yield(ListItem{}, fmt.Errorf("list objects %q: %w", objectName(bucket, opts.Prefix), err))
				return
			}
			if !yieldPage(page, yield) || !page.IsTruncated {
				return
			}
			if page.NextMarker <= opts.Marker {
				yield(ListItem{}, fmt.Errorf("list objects %q after %q: %w", objectName(bucket, opts.Prefix), opts.Marker, errNoProgress))
				return
			}
			opts.Marker = page.NextMarker
		}
	}
}

// yieldPage yields the objects and prefixes of page merged in key order. It
// returns false when the consumer stopped.
func yieldPage(page *ListObjectsResult, yield func(ListItem, error) bool) bool {
	objs, prefixes := page.Objects, page.CommonPrefixes
	for len(objs) > 0 || len(prefixes) > 0 {
		var item ListItem
		if len(prefixes) == 0 || len(objs) > 0 && objs[0].Key < prefixes[0] {
			item.Object, objs = objs[0], objs[1:]
		} else {
			item.Prefix, prefixes = prefixes[0], prefixes[1:]
		}
		if !yield(item, nil) {
			return false
		}
	}
	return true
}
