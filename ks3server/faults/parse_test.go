package faults

import (
	"fmt"
	"strings"
	"testing"
)

var testOps = []string{"GetObject", "PutObject", "UploadPart"}

// describe renders faults for comparison.
func describe(fs []Fault) string {
	var parts []string
	for _, f := range fs {
		var kinds []string
		for _, k := range f.Kinds {
			kinds = append(kinds, k.String())
		}
		parts = append(parts, fmt.Sprintf("ops=%v count=%d rate=%g kinds=%v", f.Ops, f.Count, f.Fraction, kinds))
	}
	return strings.Join(parts, "; ")
}

func TestParse(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"kinds=500", "ops=[] count=0 rate=0 kinds=[500:InternalError]"},
		{"rate=0.1,kinds=500,503,reset:4096,slow,hang",
			"ops=[] count=0 rate=0.1 kinds=[500:InternalError 503:SlowDown reset:4096 slow:65536 hang]"},
		{" ops=GetObject , PutObject ,count=3, kinds=502:BadGateway,slow:100 ",
			"ops=[GetObject PutObject] count=3 rate=0 kinds=[502:BadGateway slow:100]"},
		{"rate=1,kinds=reset;ops=UploadPart,kinds=hang,count=1",
			"ops=[] count=0 rate=1 kinds=[reset:0]; ops=[UploadPart] count=1 rate=0 kinds=[hang]"},
		{"count=2", "ops=[] count=2 rate=0 kinds=[]"},
		{"kinds=429,404", "ops=[] count=0 rate=0 kinds=[429:SlowDown 404:InvalidRequest]"},
	} {
		got, err := Parse(tc.spec, testOps)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.spec, err)
			continue
		}
		if d := describe(got); d != tc.want {
			t.Errorf("Parse(%q) =\n  %s\nwant\n  %s", tc.spec, d, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"", "rule 1 is empty"},
		{"kinds=500;", "rule 2 is empty"},
		{"rate=0,kinds=500", "rate=0: want a number above 0 and at most 1"},
		{"rate=1.5", "rate=1.5"},
		{"rate=x", "rate=x"},
		{"count=0", "count=0: want a whole number"},
		{"ops=GetObjekt", `unknown operation "GetObjekt"`},
		{"kinds=600", `unknown kind "600"`},
		{"kinds=302", `unknown kind "302"`},
		{"kinds=reset:-1", `reset: "-1" is not a byte count`},
		{"kinds=slow:fast", `slow: "fast" is not a byte count`},
		{"kinds=hang:1", "hang takes no argument"},
		{"kinds=500:", "empty error code"},
		{"rat=0.1", `unknown setting "rat"`},
		{"500", `"500" is not name=value`},
		{"rate=0.1,0.2", `"0.2" is not name=value`},
		{"kinds=500,count=1,kinds=503", "kinds is given twice"},
		{"kinds=500;rate=0.5,bogus", `rule 2 ("rate=0.5,bogus")`},
	} {
		_, err := Parse(tc.spec, testOps)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want an error containing %q", tc.spec, err, tc.want)
		}
	}
}
