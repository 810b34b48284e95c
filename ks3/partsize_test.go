package ks3

import "testing"

func TestPlanParts(t *testing.T) {
	const (
		KiB = 1 << 10
		MiB = 1 << 20
		GiB = 1 << 30
	)
	tests := []struct {
		name      string
		size      int64
		preferred int64
		want      PartPlan
		wantErr   bool
	}{
		{"empty object is one empty part", 0, 0, PartPlan{Size: 0, PartSize: DefaultPartSize, Count: 1}, false},
		{"one byte", 1, 0, PartPlan{Size: 1, PartSize: DefaultPartSize, Count: 1}, false},
		{"exactly one part", 8 * MiB, 8 * MiB, PartPlan{Size: 8 * MiB, PartSize: 8 * MiB, Count: 1}, false},
		{"one byte over one part", 8*MiB + 1, 8 * MiB, PartPlan{Size: 8*MiB + 1, PartSize: 8 * MiB, Count: 2}, false},
		{"64 MiB threshold", 64 * MiB, 0, PartPlan{Size: 64 * MiB, PartSize: 8 * MiB, Count: 8}, false},
		{"minimum part size", 350 * KiB, MinPartSize, PartPlan{Size: 350 * KiB, PartSize: 100 * KiB, Count: 4}, false},
		{"exactly 10000 parts", 10000 * 8 * MiB, 8 * MiB, PartPlan{Size: 10000 * 8 * MiB, PartSize: 8 * MiB, Count: 10000}, false},
		{"10000 parts plus one byte grows by 1 MiB", 10000*8*MiB + 1, 8 * MiB,
			PartPlan{Size: 10000*8*MiB + 1, PartSize: 9 * MiB, Count: 8889}, false},
		{"1 TiB with small parts", 1 << 40, MinPartSize, PartPlan{Size: 1 << 40, PartSize: 105 * MiB, Count: 9987}, false},
		{"48.8 TiB maximum", MaxObjectSize, 0, PartPlan{Size: MaxObjectSize, PartSize: 5 * GiB, Count: 10000}, false},
		{"over the maximum", MaxObjectSize + 1, 0, PartPlan{}, true},
		{"negative size", -1, 0, PartPlan{}, true},
		{"part too small", 1 * MiB, MinPartSize - 1, PartPlan{}, true},
		{"part too large", 1 * MiB, 5*GiB + 1, PartPlan{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PlanParts(tt.size, tt.preferred)
			if (err != nil) != tt.wantErr {
				t.Fatalf("PlanParts(%d, %d) error = %v, want error %v", tt.size, tt.preferred, err, tt.wantErr)
			}
			if got != tt.want {
				t.Fatalf("PlanParts(%d, %d) = %+v, want %+v", tt.size, tt.preferred, got, tt.want)
			}
			if err == nil {
				checkPlanInvariants(t, got)
			}
		})
	}
}

// checkPlanInvariants verifies that the parts tile the object and respect
// the service limits.
func checkPlanInvariants(t *testing.T, p PartPlan) {
	t.Helper()
	if p.Count < 1 || p.Count > MaxParts || p.PartSize > MaxPartSize || p.PartSize < MinPartSize {
		t.Fatalf("plan %+v breaks the limits", p)
	}
	var next int64
	for _, n := range []int{1, 2, p.Count - 1, p.Count} {
		if n < 1 || n > p.Count {
			continue
		}
		off, length := p.Part(n)
		if off != int64(n-1)*p.PartSize {
			t.Errorf("Part(%d) offset = %d", n, off)
		}
		if n < p.Count && length != p.PartSize {
			t.Errorf("Part(%d) length = %d, want %d", n, length, p.PartSize)
		}
		if n == p.Count {
			next = off + length
		}
	}
	if next != p.Size {
		t.Errorf("last part ends at %d, want %d", next, p.Size)
	}
	if _, length := p.Part(p.Count + 1); length != 0 {
		t.Errorf("Part(Count+1) length = %d, want 0", length)
	}
	if _, length := p.Part(0); length != 0 {
		t.Errorf("Part(0) length = %d, want 0", length)
	}
}
