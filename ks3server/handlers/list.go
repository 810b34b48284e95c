package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ks3sync/ks3sync/ks3server/apierr"
	"github.com/ks3sync/ks3sync/ks3server/store"
)

// maxKeysWithDelimiter caps a listing that has a delimiter, as KS3 does.
const maxKeysWithDelimiter = 100

func (h *Handler) listObjects(w http.ResponseWriter, r *http.Request, req *request) error {
	q := req.query
	prefix, delim, marker := q.Get("prefix"), q.Get("delimiter"), q.Get("marker")
	max, err := listPageSize(q)
	if err != nil {
		return err
	}
	page, err := h.store.ListObjects(r.Context(), req.bucket, store.ListQuery{Prefix: prefix, Delimiter: delim, Marker: marker, Max: max})
	if err != nil {
		return err
	}
	enc := listEncoder(q)
	res := listBucketResult{
		NS: s3Namespace, Name: req.bucket, Prefix: enc(prefix), Marker: enc(marker), MaxKeys: max,
		Delimiter: enc(delim), EncodingType: q.Get("encoding-type"), IsTruncated: page.Truncated,
	}
	if page.Truncated && delim != "" {
		res.NextMarker = enc(page.Next)
	}
	for _, o := range page.Entries {
		res.Contents = append(res.Contents, objectEntry{
			Key: enc(o.Key), LastModified: isoTime(o.Modified), ETag: quoteETag(o.ETag),
			Size: o.Size, Owner: serverOwner, StorageClass: o.StorageClass,
		})
	}
	res.CommonPrefixes = commonPrefixes(page.Prefixes, enc)
	writeXML(w, http.StatusOK, res)
	return nil
}

// listPageSize validates the parameters both listing versions share and
// returns the page size: max-keys, capped at 1000, or 100 with a delimiter.
func listPageSize(q url.Values) (int, error) {
	limit := defaultListLimit
	if q.Get("delimiter") != "" {
		limit = maxKeysWithDelimiter
	}
	max, err := parseMax(q, "max-keys", limit)
	if err != nil {
		return 0, err
	}
	return max, checkEncodingType(q)
}

// commonPrefixes renders a page's common prefixes.
func commonPrefixes(prefixes []string, enc func(string) string) []commonPrefix {
	out := make([]commonPrefix, 0, len(prefixes))
	for _, p := range prefixes {
		out = append(out, commonPrefix{Prefix: enc(p)})
	}
	return out
}

// parseMax reads a max-keys style parameter: absent means limit, larger
// values are capped at limit, anything but a non-negative integer is
// InvalidArgument.
func parseMax(q url.Values, name string, limit int) (int, error) {
	v := q.Get(name)
	if v == "" {
		return limit, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, apierr.InvalidArgument.WithMessage("%s must be a non-negative integer.", name)
	}
	return min(n, limit), nil
}

// checkEncodingType accepts only the "url" encoding type.
func checkEncodingType(q url.Values) error {
	if v := q.Get("encoding-type"); v != "" && v != "url" {
		return apierr.InvalidArgument.WithMessage("Invalid Encoding Method specified in Request.")
	}
	return nil
}

// listEncoder returns how keys, prefixes and markers appear in a listing:
// unchanged, or percent-encoded with encoding-type=url.
func listEncoder(q url.Values) func(string) string {
	if q.Get("encoding-type") != "url" {
		return func(s string) string { return s }
	}
	return urlEncodeKey
}

// urlEncodeKey percent-encodes every byte except A-Z a-z 0-9 - _ . ~ and
// '/', so that a space is %20 and a '+' is %2B: unambiguous for both path
// and form decoders.
func urlEncodeKey(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-_.~/", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
