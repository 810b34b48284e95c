package objmeta

import (
	"maps"
	"testing"
	"time"
)

func TestHistoryAttrsWireForm(t *testing.T) {
	h := HistoryAttrs{
		Key:       "laptop/docs/Größe 100%+x.txt",
		Written:   time.Date(2026, 11, 25, 2, 41, 0, 123e6, time.FixedZone("CST", 8*3600)),
		Displaced: time.Date(2026, 11, 26, 10, 15, 0, 0, time.UTC),
		Host:      "laptop",
		Cause:     "deleted",
	}
	want := map[string]string{
		"ks3sync-key":       "laptop/docs/Gr%C3%B6%C3%9Fe%20100%25+x.txt",
		"ks3sync-written":   "2026-11-24T18:41:00.123Z",
		"ks3sync-displaced": "2026-11-26T10:15:00Z",
		"ks3sync-host":      "laptop",
		"ks3sync-cause":     "deleted",
	}
	if got := h.Metadata(); !maps.Equal(got, want) {
		t.Errorf("Metadata() = %v, want %v", got, want)
	}
	back := ReadHistory(want)
	if back.Key != h.Key || !back.Written.Equal(h.Written) || !back.Displaced.Equal(h.Displaced) || back.Host != h.Host || back.Cause != h.Cause {
		t.Errorf("ReadHistory = %+v, want %+v", back, h)
	}
	if got := (HistoryAttrs{}).Metadata(); len(got) != 0 {
		t.Errorf("unknown attributes wrote %v", got)
	}
	bad := ReadHistory(map[string]string{"ks3sync-key": "%zz", "ks3sync-written": "yesterday"})
	if bad.Key != "" || !bad.Written.IsZero() {
		t.Errorf("malformed values read as %+v, want zero", bad)
	}
	for _, name := range []string{"ks3sync-key", "KS3SYNC-CAUSE", "ks3sync-written"} {
		if !IsReserved(name) {
			t.Errorf("%s is not reserved", name)
		}
	}
}
