package handlers

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ks3sync/ks3sync/ks3server/apierr"
)

// byteRange is the part of an object a GET answers with.
type byteRange struct {
	start, length int64
	partial       bool // from a Range header: answer 206
}

// parseRange interprets a Range header for an object of size bytes. A
// header that is malformed, or asks for several ranges, is ignored (the
// whole object is served, as RFC 9110 allows); a well-formed range that
// lies outside the object is apierr.InvalidRange.
func parseRange(header string, size int64) (byteRange, error) {
	whole := byteRange{length: size}
	spec, ok := strings.CutPrefix(header, "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return whole, nil
	}
	first, last, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return whole, nil
	}
	if first == "" {
		n, err := strconv.ParseInt(last, 10, 64)
		if err != nil || n < 0 {
			return whole, nil
		}
		if n == 0 || size == 0 {
			return whole, apierr.InvalidRange
		}
		n = min(n, size)
		return byteRange{start: size - n, length: n, partial: true}, nil
	}
	start, err := strconv.ParseInt(first, 10, 64)
	if err != nil || start < 0 {
		return whole, nil
	}
	end := size - 1
	if last != "" {
		if end, err = strconv.ParseInt(last, 10, 64); err != nil || end < start {
			return whole, nil
		}
		end = min(end, size-1)
	}
	if start >= size {
		return whole, apierr.InvalidRange
	}
	return byteRange{start: start, length: end - start + 1, partial: true}, nil
}

// contentRange is the Content-Range header of a partial answer.
func (br byteRange) contentRange(size int64) string {
	return fmt.Sprintf("bytes %d-%d/%d", br.start, br.start+br.length-1, size)
}

// copySourceRange reads x-kss-copy-source-range: "bytes=first-last" within
// the source, or the whole source when absent.
func copySourceRange(v string, size int64) (byteRange, error) {
	if v == "" {
		return byteRange{length: size}, nil
	}
	spec, hasUnit := strings.CutPrefix(v, "bytes=")
	first, last, ok := strings.Cut(spec, "-")
	start, err1 := strconv.ParseInt(first, 10, 64)
	end, err2 := strconv.ParseInt(last, 10, 64)
	if !hasUnit || !ok || err1 != nil || err2 != nil || start < 0 || end < start || end >= size {
		return byteRange{}, apierr.InvalidArgument.WithMessage("The x-kss-copy-source-range %q is not valid for an object of %d bytes.", v, size)
	}
	return byteRange{start: start, length: end - start + 1}, nil
}
