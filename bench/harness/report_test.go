package harness

import (
	"strings"
	"testing"
)

func sample(c Case, tool string, s Setting, wall float64) Sample {
	return Sample{Case: c, Tool: tool, Setting: s, WallSec: wall, CPUSec: wall / 2, RSSMiB: 10, ServerCPUSec: 1}
}

func TestSummarize(t *testing.T) {
	sums := Summarize([]Sample{
		sample(UploadSmall, "ks3sync", Default, 3),
		sample(UploadSmall, "aws", Default, 10),
		sample(UploadSmall, "ks3sync", Default, 1),
		sample(UploadSmall, "ks3sync", Default, 2),
	})
	if len(sums) != 2 {
		t.Fatalf("got %d summaries, want 2", len(sums))
	}
	if s := sums[0]; s.Tool != "ks3sync" || s.Runs != 3 || s.WallSec != 2 || s.CPUSec != 1 {
		t.Errorf("ks3sync summary = %+v", s)
	}
	if s := sums[1]; s.Tool != "aws" || s.Runs != 1 || s.WallSec != 10 {
		t.Errorf("aws summary = %+v", s)
	}
}

func TestWriteRatios(t *testing.T) {
	sums := Summarize([]Sample{
		sample(UploadSmall, "ks3sync", Default, 4),
		sample(UploadSmall, "ks3sync", Equal, 3),
		sample(UploadSmall, "rclone", Default, 16),
		sample(UploadSmall, "rclone", Equal, 10),
		sample(UploadSmall, "aws", Default, 40),
		sample(UploadSmall, "aws", Equal, 30),
		sample(NoopRerun, "ks3sync", Default, 4),
		sample(NoopRerun, "ks3sync", Equal, 4),
		sample(NoopRerun, "rclone", Default, 50),
		sample(NoopRerun, "rclone", SizeOnly, 6),
		sample(DownloadSmall, "ks3sync", Default, 5),
	})
	var b strings.Builder
	WriteRatios(&b, sums, "ks3sync")
	wantLines(t, b.String(),
		"| case | setting | ks3sync/rclone | ks3sync/aws | target | met |",
		"| upload-small | default | 0.25 | 0.10 | | |",
		"| upload-small | equal | 0.30 | 0.10 | | |",
		"| upload-small | best | 0.30 | 0.10 | ≤ 0.5× fastest (0.30) | yes |",
		"| noop-rerun | equal | – | – | | |",
		"| noop-rerun | best | 0.67 | – | ≤ 0.5× fastest (0.67) | no |",
		"| download-small | best | – | – | – | |",
	)
}

func TestWriteMedians(t *testing.T) {
	var b strings.Builder
	WriteMedians(&b, Summarize([]Sample{sample(UploadLarge, "aws", Equal, 6.5)}))
	if want := "| upload-large | aws | equal | 1 | 6.50 | 3.25 | 10 | 1.00 |"; !strings.Contains(b.String(), want) {
		t.Errorf("missing %q in\n%s", want, b.String())
	}
}

func TestSummarizeByServer(t *testing.T) {
	a := sample(UploadSmall, "ks3sync", Default, 2)
	b := sample(UploadSmall, "ks3sync", Default, 8)
	a.Server, b.Server = ServerKS3Sync, ServerVersityGW
	sums := Summarize([]Sample{a, b})
	if len(sums) != 2 {
		t.Fatalf("got %d summaries, want one per server", len(sums))
	}
	got := OfServer(sums, ServerVersityGW)
	if len(got) != 1 || got[0].WallSec != 8 || got[0].Server != ServerVersityGW {
		t.Errorf("OfServer(versitygw) = %+v", got)
	}
}

func TestWriteServerCost(t *testing.T) {
	s := sample(UploadSmall, "ks3sync", Equal, 5)
	s.ServerCPUSec = 2.5
	var b strings.Builder
	WriteServerCost(&b, Summarize([]Sample{s, sample(NoopRerun, "ks3sync", Equal, 1)}), UploadSmall, 10000)
	want := "- upload-small ks3sync equal: server CPU 250 µs per object (2.50 s for 10000)\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func TestWriteEncryptedRate(t *testing.T) {
	sums := Summarize([]Sample{
		sample(UploadLargeEncrypted, "ks3sync", Default, 4),
		sample(UploadLargeEncrypted, "ks3sync", Equal, 2),
		sample(UploadLarge, "ks3sync", Equal, 1.5),
		sample(UploadLarge, "aws", Default, 2.5),
		sample(UploadLarge, "rclone", Equal, 4),
	})
	var b strings.Builder
	WriteEncryptedRate(&b, sums, "ks3sync", 1000<<20, 600)
	wantLines(t, b.String(),
		"encrypted upload of 1000 MiB: best 2.00 s = 524 MB/s, 87% of AES-CBC on one core (600 MB/s); target ≥ 90%: no",
		"encrypted against the fastest plain peer (aws, 2.50 s): 0.80 (target ≤ 0.8×)",
	)
	b.Reset()
	WriteRatios(&b, sums, "ks3sync")
	if strings.Contains(b.String(), string(UploadLargeEncrypted)) {
		t.Errorf("the ratio table lists the encrypted case, which has no peer:\n%s", b.String())
	}
	b.Reset()
	WriteEncryptedRate(&b, Summarize([]Sample{sample(UploadLarge, "aws", Default, 2)}), "ks3sync", 1<<30, 600)
	if b.Len() != 0 {
		t.Errorf("printed %q without an encrypted run", b.String())
	}
}

func TestSupports(t *testing.T) {
	if !Supports(KS3Sync{}, UploadLargeEncrypted) || Supports(AWSCLI{}, UploadLargeEncrypted) || Supports(Rclone{}, UploadLargeEncrypted) {
		t.Error("only ks3sync runs the encrypted case")
	}
	if !Supports(AWSCLI{}, UploadLarge) || !Supports(Rclone{}, DownloadSmall) {
		t.Error("peers run the plain cases")
	}
}

func TestCBCRate(t *testing.T) {
	if r := CBCRate(); r < 10 {
		t.Errorf("CBCRate = %.1f MB/s: not a measurement", r)
	}
}

// wantLines reports each of lines that out does not contain.
func wantLines(t *testing.T, out string, lines ...string) {
	t.Helper()
	for _, want := range lines {
		if !strings.Contains(out, want) {
			t.Errorf("missing line %q in\n%s", want, out)
		}
	}
}
