package ks3

import "fmt"

// Multipart limits.
const (
	// MinPartSize is the smallest size of every part but the last.
	MinPartSize = 100 << 10
	// MaxPartSize is the largest size of a part.
	MaxPartSize = 5 << 30
	// MaxParts is the largest number of parts of an upload.
	MaxParts = 10000
	// MaxObjectSize is the largest object a multipart upload can build
	// (10000 parts of 5 GiB, about 48.8 TiB).
	MaxObjectSize = MaxParts * MaxPartSize
	// DefaultPartSize is the part size PlanParts starts from when none is
	// preferred.
	DefaultPartSize = 8 << 20
)

// partSizeStep is the granularity by which PlanParts grows the part size.
const partSizeStep = 1 << 20

// PartPlan divides an object of Size bytes into Count parts of PartSize
// bytes; the last part holds the rest. An empty object is one empty part.
type PartPlan struct {
	Size     int64 // total
	PartSize int64
	Count    int
}

// PlanParts plans a multipart upload of size bytes. It uses
// preferredPartSize (0 means DefaultPartSize, otherwise at least
// MinPartSize and at most MaxPartSize) unless that would need more than
// MaxParts parts; then the part size grows to the smallest multiple of
// 1 MiB that fits. It fails for sizes above MaxObjectSize.
func PlanParts(size, preferredPartSize int64) (PartPlan, error) {
	switch {
	case size < 0:
		return PartPlan{}, fmt.Errorf("plan parts: negative size %d", size)
	case size > MaxObjectSize:
		return PartPlan{}, fmt.Errorf("plan parts: size %d exceeds the %d-byte maximum object size", size, int64(MaxObjectSize))
	case preferredPartSize == 0:
		preferredPartSize = DefaultPartSize
	case preferredPartSize < MinPartSize || preferredPartSize > MaxPartSize:
		return PartPlan{}, fmt.Errorf("plan parts: part size %d is outside %d..%d", preferredPartSize, MinPartSize, int64(MaxPartSize))
	}
	partSize := preferredPartSize
	if ceilDiv(size, partSize) > MaxParts {
		partSize = ceilDiv(ceilDiv(size, MaxParts), partSizeStep) * partSizeStep
	}
	return PartPlan{Size: size, PartSize: partSize, Count: int(max(1, ceilDiv(size, partSize)))}, nil
}

// Part returns the byte range of part n (1-based). For n outside 1..Count
// the length is 0.
func (p PartPlan) Part(n int) (offset, length int64) {
	if n < 1 || n > p.Count {
		return 0, 0
	}
	offset = int64(n-1) * p.PartSize
	return offset, min(p.PartSize, p.Size-offset)
}

func ceilDiv(a, b int64) int64 {
	return (a + b - 1) / b
}
