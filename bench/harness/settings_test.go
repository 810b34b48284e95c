package harness

import (
	"slices"
	"testing"
)

func TestPlanSettings(t *testing.T) {
	rc := Rclone{Bin: "rclone", Label: "rclone-v1.60"}
	tests := []struct {
		name string
		skip []string
		c    Case
		tool Tool
		rep  int
		want []Setting
	}{
		{name: "ks3sync", c: UploadSmall, tool: KS3Sync{}, rep: 1, want: []Setting{Default, Equal}},
		{name: "rclone upload", c: UploadSmall, tool: rc, rep: 2, want: []Setting{Default, Equal}},
		{name: "rclone no-op first", c: NoopRerun, tool: rc, rep: 1, want: []Setting{Default, Equal, SizeOnly}},
		{name: "rclone no-op later", c: NoopRerun, tool: rc, rep: 2, want: []Setting{SizeOnly}},
		{name: "aws no-op", c: NoopRerun, tool: AWSCLI{}, rep: 3, want: []Setting{Default, Equal}},
		{name: "skip", skip: []string{"rclone-v1.60/default", "aws/equal"}, c: NoopRerun, tool: rc, rep: 1, want: []Setting{Equal, SizeOnly}},
		{name: "skip another tool", skip: []string{"aws/equal"}, c: UploadLarge, tool: KS3Sync{}, rep: 1, want: []Setting{Default, Equal}},
	}
	for _, tt := range tests {
		got := Plan{Skip: tt.skip}.settings(tt.c, tt.tool, tt.rep)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: settings = %v, want %v", tt.name, got, tt.want)
		}
	}
}
