package tool

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ks3sync/ks3sync/cmd/ks3sync/internal/cli"
	ks3crypto "github.com/ks3sync/ks3sync/crypto"
	"github.com/ks3sync/ks3sync/ks3"
)

func isUsageErr(err error) bool {
	var ee *cli.ExitError
	return errors.As(err, &ee) && ee.Code == cli.ExitUsage
}

func TestClassifyCp(t *testing.T) {
	for _, tc := range []struct {
		src, dst string
		want     cpKind
		usage    bool
	}{
		{"file", "ks3://b/k", cpUpload, false},
		{"-", "ks3://b/k", cpUploadStdin, false},
		{"ks3://b/k", "file", cpDownload, false},
		{"ks3://b/k", "-", cpDownloadStdout, false},
		{"ks3://b/k", "ks3://c/k", cpCopy, false},
		{"-", "-", 0, true},
		{"-", "file", 0, true},
		{"file", "-", 0, true},
		{"a", "b", 0, true},
	} {
		got, err := classifyCp(tc.src, tc.dst)
		if tc.usage != isUsageErr(err) || (!tc.usage && got != tc.want) {
			t.Errorf("classifyCp(%q, %q) = %v, %v", tc.src, tc.dst, got, err)
		}
	}
}

func TestCpFlagsCheck(t *testing.T) {
	for _, tc := range []struct {
		name  string
		f     cpFlags
		kind  cpKind
		usage bool
	}{
		{"upload with everything", cpFlags{storageClass: "STANDARD_IA", acl: "public-read", meta: []string{"a=b"},
			contentType: "text/plain", callbackURL: "http://x/", callbackBody: "k=${key}", callbackVars: []string{"u=1"},
			encryptKey: "k", threshold: "1MiB", partSize: "1MiB"}, cpUpload, false},
		{"copy with attributes", cpFlags{storageClass: "STANDARD_IA", acl: "private", meta: []string{"a=b"}, contentType: "x/y"}, cpCopy, false},
		{"download with key", cpFlags{encryptKey: "k", recursive: true}, cpDownload, false},
		{"download with meta", cpFlags{meta: []string{"a=b"}}, cpDownload, true},
		{"stdout with acl", cpFlags{acl: "private"}, cpDownloadStdout, true},
		{"download with threshold", cpFlags{threshold: "1MiB"}, cpDownload, true},
		{"copy with callback", cpFlags{callbackURL: "http://x/", callbackBody: "b"}, cpCopy, true},
		{"copy with part size", cpFlags{partSize: "1MiB"}, cpCopy, true},
		{"copy with key", cpFlags{encryptKey: "k"}, cpCopy, true},
		{"stdin recursive", cpFlags{recursive: true}, cpUploadStdin, true},
		{"stdout recursive", cpFlags{recursive: true}, cpDownloadStdout, true},
		{"callback url alone", cpFlags{callbackURL: "http://x/"}, cpUpload, true},
		{"callback body alone", cpFlags{callbackBody: "b"}, cpUpload, true},
		{"callback var alone", cpFlags{callbackVars: []string{"a=b"}}, cpUpload, true},
		{"bad acl", cpFlags{acl: "everyone"}, cpUpload, true},
	} {
		err := tc.f.check(tc.kind)
		if isUsageErr(err) != tc.usage || (!tc.usage && err != nil) {
			t.Errorf("%s: check = %v, want usage error %v", tc.name, err, tc.usage)
		}
	}
}

func TestCpFlagsSizes(t *testing.T) {
	tr := &copier{threshold: 0, partSize: 0, transfers: 0}
	if err := (&cpFlags{}).sizes(tr); err != nil || tr.threshold != ks3.DefaultThreshold || tr.transfers != ks3.DefaultConcurrency {
		t.Errorf("defaults: %+v, %v", tr, err)
	}
	tr = &copier{threshold: 64 << 20, partSize: 8 << 20, transfers: 2}
	if err := (&cpFlags{threshold: "1MiB", partSize: "200KiB"}).sizes(tr); err != nil ||
		tr.threshold != 1<<20 || tr.partSize != 200<<10 || tr.transfers != 2 {
		t.Errorf("flags: %+v, %v", tr, err)
	}
	for _, f := range []cpFlags{{threshold: "lots"}, {threshold: "1KiB"}, {partSize: "6GiB"}} {
		if err := f.sizes(&copier{}); !isUsageErr(err) {
			t.Errorf("sizes(%+v) = %v, want a usage error", f, err)
		}
	}
}

func TestUploadKey(t *testing.T) {
	file := filepath.Join("some", "dir", "report.pdf")
	for _, tc := range []struct {
		u    ks3URI
		want string
	}{
		{ks3URI{"b", ""}, "report.pdf"},
		{ks3URI{"b", "docs/"}, "docs/report.pdf"},
		{ks3URI{"b", "docs/renamed.pdf"}, "docs/renamed.pdf"},
		{ks3URI{"b", "docs"}, "docs"},
	} {
		if got := uploadKey(tc.u, file); got != tc.want {
			t.Errorf("uploadKey(%v) = %q, want %q", tc.u, got, tc.want)
		}
	}
	// A decomposed "é" (e + combining acute) becomes the composed form.
	if got := uploadKey(ks3URI{"b", ""}, "cafe\u0301.txt"); got != "caf\u00e9.txt" {
		t.Errorf("uploadKey does not normalise to NFC: %q", got)
	}
}

func TestDownloadPath(t *testing.T) {
	dir := t.TempDir()
	sep := string(filepath.Separator)
	for _, tc := range []struct {
		dst, key, want string
		fails          bool
	}{
		{dir, "a/b/c.txt", filepath.Join(dir, "c.txt"), false},
		{filepath.Join(dir, "new") + sep, "c.txt", filepath.Join(dir, "new", "c.txt"), false},
		{filepath.Join(dir, "file.txt"), "a/c.txt", filepath.Join(dir, "file.txt"), false},
		{dir, "a/..", "", true},
	} {
		got, err := downloadPath(tc.dst, tc.key)
		if (err != nil) != tc.fails || got != tc.want {
			t.Errorf("downloadPath(%q, %q) = %q, %v; want %q", tc.dst, tc.key, got, err, tc.want)
		}
	}
}

func TestLocalPathFor(t *testing.T) {
	dir := t.TempDir()
	for rel, want := range map[string]string{
		"a.txt":     filepath.Join(dir, "a.txt"),
		"sub/b.txt": filepath.Join(dir, "sub", "b.txt"),
		"ünï/😀.txt": filepath.Join(dir, "ünï", "😀.txt"),
	} {
		if got, err := localPathFor(dir, rel); err != nil || got != want {
			t.Errorf("localPathFor(%q) = %q, %v; want %q", rel, got, err, want)
		}
	}
	refused := []string{"", "..", "../x", "a/../../x", "/etc/passwd", "nul\x00byte", "a//b"}
	for _, rel := range refused {
		if got, err := localPathFor(dir, rel); err == nil {
			t.Errorf("localPathFor(%q) = %q, want refused", rel, got)
		}
	}
}

func TestStreamPartSize(t *testing.T) {
	for _, tc := range []struct {
		preferred int64
		n         int
		want      int64
	}{
		{0, 1, ks3.DefaultPartSize},
		{0, 1000, ks3.DefaultPartSize},
		{0, 1001, 2 * ks3.DefaultPartSize},
		{0, 2001, 4 * ks3.DefaultPartSize},
		{100*1024 + 1, 1, 100*1024 + 16},
		{4 << 30, 1001, ks3.MaxPartSize},
		{0, 10000, ks3.DefaultPartSize << 9},
	} {
		if got := streamPartSize(tc.preferred, tc.n); got != tc.want {
			t.Errorf("streamPartSize(%d, %d) = %d, want %d", tc.preferred, tc.n, got, tc.want)
		}
	}
	// With the default part size, a stream may grow to about 7.8 TiB.
	var total int64
	for n := 1; n <= ks3.MaxParts; n++ {
		total += streamPartSize(0, n)
	}
	if total < 7<<40 {
		t.Errorf("a stream can only reach %d bytes", total)
	}
}

func TestNextStreamPart(t *testing.T) {
	tr := &copier{partSize: 100 * 1024}
	size := int(ks3crypto.AlignPartSize(tr.partSize))
	for _, tc := range []struct {
		name  string
		total int
		parts []int
	}{
		{"short", 10, []int{10}},
		{"exactly one part", size, []int{size}},
		{"one and a bit", size + 1, []int{size, 1}},
		{"exactly two parts", 2 * size, []int{size, size}},
	} {
		r := bufio.NewReader(bytes.NewReader(make([]byte, tc.total)))
		var got []int
		for n, last := 1, false; !last; n++ {
			buf, l, err := tr.nextStreamPart(r, n)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			got, last = append(got, len(buf)), l
			if n > len(tc.parts) {
				break
			}
		}
		if !slices.Equal(got, tc.parts) {
			t.Errorf("%s: parts %v, want %v (the last one flagged)", tc.name, got, tc.parts)
		}
	}
	if _, _, err := tr.nextStreamPart(bufio.NewReader(strings.NewReader("x")), ks3.MaxParts+1); err == nil {
		t.Error("part 10001 accepted")
	}
}

func TestCheckUnchanged(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	before, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkUnchanged(p, before); err != nil {
		t.Errorf("unchanged file: %v", err)
	}
	if err := os.WriteFile(p, []byte("three"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := checkUnchanged(p, before); err == nil || !strings.Contains(err.Error(), "changed while") {
		t.Errorf("changed file: %v", err)
	}
}
