package handlers

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"

	"github.com/ks3sync/ks3sync/ks3server/apierr"
	"github.com/ks3sync/ks3sync/ks3server/store"
)

// listBucketResultV2 is the ListObjectsV2 answer. Owners appear only with
// fetch-owner=true.
type listBucketResultV2 struct {
	XMLName               xml.Name        `xml:"ListBucketResult"`
	NS                    string          `xml:"xmlns,attr"`
	Name                  string          `xml:"Name"`
	Prefix                string          `xml:"Prefix"`
	KeyCount              int             `xml:"KeyCount"`
	MaxKeys               int             `xml:"MaxKeys"`
	Delimiter             string          `xml:"Delimiter,omitempty"`
	EncodingType          string          `xml:"EncodingType,omitempty"`
	IsTruncated           bool            `xml:"IsTruncated"`
	ContinuationToken     string          `xml:"ContinuationToken,omitempty"`
	NextContinuationToken string          `xml:"NextContinuationToken,omitempty"`
	StartAfter            string          `xml:"StartAfter,omitempty"`
	Contents              []objectEntryV2 `xml:"Contents"`
	CommonPrefixes        []commonPrefix  `xml:"CommonPrefixes"`
}

type objectEntryV2 struct {
	Key          string `xml:"Key"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	Owner        *owner `xml:"Owner,omitempty"`
	StorageClass string `xml:"StorageClass"`
}

// listObjectsV2 answers GET /bucket?list-type=2: the listing of
// listObjects, paged by an opaque continuation token (the last key or
// common prefix returned) instead of a marker, starting after start-after
// on the first page, and counting what it returns in KeyCount.
func (h *Handler) listObjectsV2(w http.ResponseWriter, r *http.Request, req *request) error {
	q := req.query
	prefix, delim, startAfter := q.Get("prefix"), q.Get("delimiter"), q.Get("start-after")
	max, err := listPageSize(q)
	if err != nil {
		return err
	}
	marker := startAfter
	token := q.Get("continuation-token")
	if q.Has("continuation-token") {
		if marker, err = decodeContinuationToken(token); err != nil {
			return err
		}
	}
	page, err := h.store.ListObjects(r.Context(), req.bucket, store.ListQuery{Prefix: prefix, Delimiter: delim, Marker: marker, Max: max})
	if err != nil {
		return err
	}
	enc := listEncoder(q)
	res := listBucketResultV2{
		NS: s3Namespace, Name: req.bucket, Prefix: enc(prefix), MaxKeys: max, Delimiter: enc(delim),
		EncodingType: q.Get("encoding-type"), IsTruncated: page.Truncated, ContinuationToken: token,
		StartAfter: enc(startAfter), KeyCount: len(page.Entries) + len(page.Prefixes),
	}
	if page.Truncated {
		res.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(page.Next))
	}
	fetchOwner := q.Get("fetch-owner") == "true"
	for _, o := range page.Entries {
		e := objectEntryV2{Key: enc(o.Key), LastModified: isoTime(o.Modified), ETag: quoteETag(o.ETag),
			Size: o.Size, StorageClass: o.StorageClass}
		if fetchOwner {
			e.Owner = &serverOwner
		}
		res.Contents = append(res.Contents, e)
	}
	res.CommonPrefixes = commonPrefixes(page.Prefixes, enc)
	writeXML(w, http.StatusOK, res)
	return nil
}

// decodeContinuationToken returns the marker a continuation token stands
// for.
func decodeContinuationToken(token string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || token == "" {
		return "", apierr.InvalidArgument.WithMessage("The continuation token provided is incorrect.")
	}
	return string(b), nil
}
