package harness

import (
	"strings"
	"testing"
)

const timeReport = `	Command being timed: "ks3sync run --config x.yaml"
	User time (seconds): 3.21
	System time (seconds): 0.79
	Percent of CPU this job got: 143%
	Elapsed (wall clock) time (h:mm:ss or m:ss): 0:02.79
	Maximum resident set size (kbytes): 81234
	Exit status: 0
`

func TestParseTimeV(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Usage
		wantErr bool
	}{
		{name: "complete", in: timeReport, want: Usage{UserSec: 3.21, SysSec: 0.79, MaxRSSKiB: 81234}},
		{name: "failed command", in: "Command exited with non-zero status 1\n" + strings.Replace(timeReport, "Exit status: 0", "Exit status: 1", 1),
			want: Usage{UserSec: 3.21, SysSec: 0.79, MaxRSSKiB: 81234, ExitStatus: 1}},
		{name: "killed", in: "Command terminated by signal 9\n" + timeReport,
			want: Usage{UserSec: 3.21, SysSec: 0.79, MaxRSSKiB: 81234, ExitStatus: 137}},
		{name: "missing rss", in: strings.Replace(timeReport, "Maximum resident", "Average resident", 1), wantErr: true},
		{name: "bad number", in: strings.Replace(timeReport, "3.21", "3,21", 1), wantErr: true},
		{name: "empty", in: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTimeV(strings.NewReader(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err == nil && got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestUsageCPUSec(t *testing.T) {
	if got := (Usage{UserSec: 1.5, SysSec: 0.25}).CPUSec(); got != 1.75 {
		t.Errorf("CPUSec = %v, want 1.75", got)
	}
}
