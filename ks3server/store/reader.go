package store

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

// segmentReader reads a range of an object's segments, opening each blob
// file only when the read reaches it.
type segmentReader struct {
	s         *Store
	segs      []segment
	skip      int64 // bytes still to skip before the range
	remaining int64 // bytes of the range still to read
	cur       io.Reader
	file      *os.File // the open blob file behind cur, if any
	curLeft   int64
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
	if seg.inline {
		r.cur, r.curLeft, r.skip = bytes.NewReader(seg.data[r.skip:]), seg.size-r.skip, 0
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
	r.cur, r.file, r.curLeft, r.skip = f, f, seg.size-r.skip, 0
	return nil
}

func (r *segmentReader) closeCurrent() {
	if r.file != nil {
		r.file.Close()
		r.file = nil
	}
	r.cur = nil
}

// Close closes the open blob file.
func (r *segmentReader) Close() error {
	r.closeCurrent()
	return nil
}
