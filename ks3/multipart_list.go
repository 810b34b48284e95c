package ks3

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// maxListParts and maxListUploads are the page sizes of the multipart
// listings.
const (
	maxListParts   = 1000
	maxListUploads = 1000
)

// Part is an uploaded part, as listed by ListParts.
type Part struct {
	PartNumber   int
	ETag         string // without quotes
	Size         int64
	LastModified time.Time
}

type listPartsResult struct {
	Bucket               string    `xml:"Bucket"`
	Key                  string    `xml:"Key"`
	UploadID             string    `xml:"UploadId"`
	NextPartNumberMarker int       `xml:"NextPartNumberMarker"`
	IsTruncated          bool      `xml:"IsTruncated"`
	Parts                []xmlPart `xml:"Part"`
}

type xmlPart struct {
	PartNumber   int     `xml:"PartNumber"`
	LastModified xmlTime `xml:"LastModified"`
	ETag         string  `xml:"ETag"`
	Size         int64   `xml:"Size"`
}

// ListParts lists the uploaded parts of a multipart upload in part-number
// order, walking all pages. The sequence stops after yielding an error; an
// unknown upload id is an error with Code "NoSuchUpload".
func (c *Client) ListParts(ctx context.Context, bucket, key, uploadID string) iter.Seq2[Part, error] {
	return func(yield func(Part, error) bool) {
		marker := 0
		for {
			page, err := c.listPartsPage(ctx, bucket, key, uploadID, marker)
			if err != nil {
				yield(Part{}, fmt.Errorf("list parts %q: %w", objectName(bucket, key), err))
				return
			}
			for _, p := range page.Parts {
				part := Part{PartNumber: p.PartNumber, ETag: trimETag(p.ETag), Size: p.Size, LastModified: p.LastModified.Time}
				if !yield(part, nil) {
					return
				}
			}
			if !page.IsTruncated {
				return
			}
			next := page.NextPartNumberMarker
			if n := len(page.Parts); next == 0 && n > 0 {
				next = page.Parts[n-1].PartNumber
			}
			if next <= marker {
				yield(Part{}, fmt.Errorf("list parts %q after part %d: %w", objectName(bucket, key), marker, errNoProgress))
				return
			}
			marker = next
		}
	}
}

func (c *Client) listPartsPage(ctx context.Context, bucket, key, uploadID string, marker int) (*listPartsResult, error) {
	q := url.Values{"uploadId": {uploadID}, "max-parts": {strconv.Itoa(maxListParts)}}
	if marker > 0 {
		q.Set("part-number-marker", strconv.Itoa(marker))
	}
	r := &request{method: http.MethodGet, bucket: bucket, key: key, query: q, notFoundCode: "NoSuchUpload"}
	var out listPartsResult
	if err := c.do(ctx, r, decodeInto(&out)); err != nil {
		return nil, err
	}
	return &out, nil
}

// Upload is an unfinished multipart upload, as listed by
// ListMultipartUploads. With a Delimiter, a common prefix comes as an
// Upload with only Prefix set.
type Upload struct {
	Key, UploadID, StorageClass string
	Initiated                   time.Time
	Prefix                      string
}

// ListUploadsOptions select the uploads of ListMultipartUploads.
type ListUploadsOptions struct {
	Prefix, Delimiter string
	// KeyMarker and UploadIDMarker list uploads after this key (and, for
	// that key, after this upload id).
	KeyMarker, UploadIDMarker string
	// MaxUploads is the page size; 0 or more than 1000 means 1000.
	MaxUploads int
}

type listUploadsResult struct {
	EncodingType       string            `xml:"EncodingType"`
	IsTruncated        bool              `xml:"IsTruncated"`
	NextKeyMarker      string            `xml:"NextKeyMarker"`
	NextUploadIDMarker string            `xml:"NextUploadIdMarker"`
	Uploads            []xmlUpload       `xml:"Upload"`
	CommonPrefixes     []xmlCommonPrefix `xml:"CommonPrefixes"`
}

type xmlUpload struct {
	Key          string  `xml:"Key"`
	UploadID     string  `xml:"UploadId"`
	StorageClass string  `xml:"StorageClass"`
	Initiated    xmlTime `xml:"Initiated"`
}

// ListMultipartUploads lists the unfinished multipart uploads of bucket,
// walking all pages. Uploads come in key order, then in the service's order
// for one key; common prefixes are yielded after the uploads of their page.
// The sequence stops after yielding an error.
func (c *Client) ListMultipartUploads(ctx context.Context, bucket string, opts ListUploadsOptions) iter.Seq2[Upload, error] {
	return func(yield func(Upload, error) bool) {
		for {
			page, err := c.listUploadsPage(ctx, bucket, opts)
			if err != nil {
				yield(Upload{}, fmt.Errorf("list multipart uploads %q: %w", objectName(bucket, opts.Prefix), err))
				return
			}
			if !yieldUploads(page, yield) || !page.IsTruncated {
				return
			}
			key, id := page.nextMarkers()
			if key == opts.KeyMarker && id == opts.UploadIDMarker {
				yield(Upload{}, fmt.Errorf("list multipart uploads %q after %q: %w", objectName(bucket, opts.Prefix), opts.KeyMarker, errNoProgress))
				return
			}
			opts.KeyMarker, opts.UploadIDMarker = key, id
		}
	}
}

// nextMarkers returns the markers of the page after l: the service's, or
// else those of the last upload (or the last common prefix, if greater).
func (l *listUploadsResult) nextMarkers() (key, uploadID string) {
	if l.NextKeyMarker != "" || l.NextUploadIDMarker != "" {
		return l.NextKeyMarker, l.NextUploadIDMarker
	}
	if n := len(l.Uploads); n > 0 {
		key, uploadID = l.Uploads[n-1].Key, l.Uploads[n-1].UploadID
	}
	if n := len(l.CommonPrefixes); n > 0 && l.CommonPrefixes[n-1].Prefix > key {
		key, uploadID = l.CommonPrefixes[n-1].Prefix, ""
	}
	return key, uploadID
}

// yieldUploads yields the uploads and prefixes of page; it returns false
// when the consumer stopped.
func yieldUploads(page *listUploadsResult, yield func(Upload, error) bool) bool {
	for _, u := range page.Uploads {
		up := Upload{Key: u.Key, UploadID: u.UploadID, StorageClass: u.StorageClass, Initiated: u.Initiated.Time}
		if up.StorageClass == "" {
			up.StorageClass = storageClassDefault
		}
		if !yield(up, nil) {
			return false
		}
	}
	for _, p := range page.CommonPrefixes {
		if !yield(Upload{Prefix: p.Prefix}, nil) {
			return false
		}
	}
	return true
}

func (c *Client) listUploadsPage(ctx context.Context, bucket string, opts ListUploadsOptions) (*listUploadsResult, error) {
	maxUploads := opts.MaxUploads
	if maxUploads <= 0 || maxUploads > maxListUploads {
		maxUploads = maxListUploads
	}
	q := url.Values{"uploads": {""}, "max-uploads": {strconv.Itoa(maxUploads)}, "encoding-type": {"url"}}
	for name, v := range map[string]string{"prefix": opts.Prefix, "delimiter": opts.Delimiter,
		"key-marker": opts.KeyMarker, "upload-id-marker": opts.UploadIDMarker} {
		if v != "" {
			q.Set(name, v)
		}
	}
	r := &request{method: http.MethodGet, bucket: bucket, query: q, notFoundCode: "NoSuchBucket"}
	var out listUploadsResult
	if err := c.do(ctx, r, decodeInto(&out)); err != nil {
		return nil, err
	}
	if err := out.decodeNames(); err != nil {
		return nil, err
	}
	return &out, nil
}

// decodeNames decodes the keys, common prefixes and next key marker of a
// page the service percent-encoded (encoding-type=url).
func (l *listUploadsResult) decodeNames() error {
	names := []*string{&l.NextKeyMarker}
	for i := range l.Uploads {
		names = append(names, &l.Uploads[i].Key)
	}
	for i := range l.CommonPrefixes {
		names = append(names, &l.CommonPrefixes[i].Prefix)
	}
	return decodeListingNames(l.EncodingType, names...)
}
