package ks3server

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// byteRange is the part of an object a GET answers with.
type byteRange struct {
	start, length int64
	partial       bool // from a Range header: answer 206
}

// parseRange interprets a Range header for an object of size bytes. A
// header that is malformed, or asks for several ranges, is ignored (the
// whole object is served, as RFC 9110 allows); a well-formed range that
// lies outside the object is errInvalidRange.
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
			return whole, errInvalidRange
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
		return whole, errInvalidRange
	}
	return byteRange{start: start, length: end - start + 1, partial: true}, nil
}

// contentRange is the Content-Range header of a partial answer.
func (br byteRange) contentRange(size int64) string {
	return fmt.Sprintf("bytes %d-%d/%d", br.start, br.start+br.length-1, size)
}

// segmentReader reads a range of an object's segments, opening each blob
// file only when the read reaches it.
type segmentReader struct {
	s         *store
	segs      []segment
	skip      int64 // bytes still to skip before the range
	remaining int64 // bytes of the range still to read
	cur       *os.File
	curLeft   int64
}

func (s *store) newSegmentReader(segs []segment, br byteRange) *segmentReader {
	return &segmentReader{s: s, segs: segs, skip: br.start, remaining: br.length}
}

func (r *segmentReader) Read(p []byte) (int, error) {
	if r.remaining == 0 {
		return 0, io.EOF
	}
	for r.curLeft == 0 {
		if len(r.segs) == 0 {
			return 0, fmt.Errorf("read object: %w", io.ErrUnexpectedEOF)
		}
		if err := r.next(); err != nil {
			return 0, err
		}
	}
	p = p[:min(int64(len(p)), r.curLeft, r.remaining)]
	n, err := r.cur.Read(p)
	r.curLeft -= int64(n)
	r.remaining -= int64(n)
	if err == io.EOF {
		if r.curLeft > 0 {
			return n, fmt.Errorf("read blob: %w", io.ErrUnexpectedEOF)
		}
		err = nil
	}
	return n, err
}

// next opens the next segment that holds bytes of the range.
func (r *segmentReader) next() error {
	r.closeCurrent()
	seg := r.segs[0]
	r.segs = r.segs[1:]
	if r.skip >= seg.size {
		r.skip -= seg.size
		return nil
	}
	f, err := os.Open(r.s.blobPath(seg.blob))
	if err != nil {
		return fmt.Errorf("open blob: %w", err)
	}
	if r.skip > 0 {
		if _, err := f.Seek(r.skip, io.SeekStart); err != nil {
			f.Close()
			return fmt.Errorf("seek blob: %w", err)
		}
	}
	r.cur, r.curLeft, r.skip = f, seg.size-r.skip, 0
	return nil
}

func (r *segmentReader) closeCurrent() {
	if r.cur != nil {
		r.cur.Close()
		r.cur = nil
	}
}

// Close closes the open blob file.
func (r *segmentReader) Close() error {
	r.closeCurrent()
	return nil
}
