package ks3server

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"
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
func (s *Server) listObjectsV2(w http.ResponseWriter, r *http.Request, req *request) error {
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
	page, err := s.store.listObjects(r.Context(), req.bucket, prefix, delim, marker, max)
	if err != nil {
		return err
	}
	enc := listEncoder(q)
	res := listBucketResultV2{
		NS: s3Namespace, Name: req.bucket, Prefix: enc(prefix), MaxKeys: max, Delimiter: enc(delim),
		EncodingType: q.Get("encoding-type"), IsTruncated: page.truncated, ContinuationToken: token,
		StartAfter: enc(startAfter), KeyCount: len(page.entries) + len(page.prefixes),
	}
	if page.truncated {
		res.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(page.next))
	}
	fetchOwner := q.Get("fetch-owner") == "true"
	for _, o := range page.entries {
		e := objectEntryV2{Key: enc(o.key), LastModified: isoTime(o.modified), ETag: quoteETag(o.etag),
			Size: o.size, StorageClass: o.storageClass}
		if fetchOwner {
			e.Owner = &serverOwner
		}
		res.Contents = append(res.Contents, e)
	}
	res.CommonPrefixes = commonPrefixes(page.prefixes, enc)
	writeXML(w, http.StatusOK, res)
	return nil
}

// decodeContinuationToken returns the marker a continuation token stands
// for.
func decodeContinuationToken(token string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || token == "" {
		return "", errInvalidArgument.withMessage("The continuation token provided is incorrect.")
	}
	return string(b), nil
}
