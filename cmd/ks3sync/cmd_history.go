package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/ks3sync/ks3sync/config"
	ks3crypto "github.com/ks3sync/ks3sync/crypto"
	"github.com/ks3sync/ks3sync/history"
	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/localfs"
	"github.com/ks3sync/ks3sync/objmeta"
)

// headConcurrency is how many HEAD requests history sends at once.
const headConcurrency = 8

// timeLayout is how the history commands print times: RFC 3339 with
// milliseconds, in the local zone, which restore --at reads back.
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

type historyFlags struct {
	pair string
	json bool
}

func newHistoryCmd(a *app) *cobra.Command {
	var f historyFlags
	cmd := &cobra.Command{
		Use:   "history --pair NAME [PATH] [--json]",
		Short: "List the versions of a file, or of everything in a folder",
		Long: `history lists the versions the pair's history keeps of a file, or of every
file in a folder (the whole pair without PATH), with the current object: when
each version was written, its size, MD5 and, for kept versions, the device that
displaced it and how (replaced or deleted) and when; "written" marks a copy a
pair in direction both keeps as soon as it uploads a version, so that another
device's write landing right after cannot lose it. PATH is relative to the
pair's folder, or an absolute path inside it. Times are in the form that
restore --at accepts.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.history(cmd.Context(), cmd.OutOrStdout(), f, args)
		},
	}
	cmd.Flags().StringVar(&f.pair, "pair", "", "the pair (required)")
	cmd.Flags().BoolVar(&f.json, "json", false, "print one JSON object per version")
	cmd.MarkFlagRequired("pair")
	return cmd
}

// versionLine is one version as history prints it.
type versionLine struct {
	Path      string     `json:"path"`
	Key       string     `json:"key"`
	Written   time.Time  `json:"written"`
	Size      int64      `json:"size"`
	MD5       string     `json:"md5"`
	Current   bool       `json:"current"`
	Host      string     `json:"host,omitempty"`
	Cause     string     `json:"cause,omitempty"`
	Displaced *time.Time `json:"displaced,omitempty"`
}

func (a *app) history(ctx context.Context, out io.Writer, f historyFlags, args []string) error {
	p, client, err := a.openPair(ctx, f.pair)
	if err != nil {
		return err
	}
	under := ""
	if len(args) == 1 {
		if under, err = pairPath(p, args[0]); err != nil {
			return err
		}
	}
	area := history.Area{Bucket: p.Bucket, Prefix: p.Prefix}
	var versions []history.Version
	for v, err := range history.Current(ctx, client, area, under) {
		if err != nil {
			return err
		}
		versions = append(versions, v)
	}
	for v, err := range history.List(ctx, client, area, history.ListOptions{Under: under}) {
		if err != nil {
			return err
		}
		versions = append(versions, v)
	}
	lines, err := describeVersions(ctx, client, p, versions)
	if err != nil {
		return err
	}
	if len(lines) == 0 && !f.json {
		if under == "" {
			return fmt.Errorf("pair %s has no objects and no kept versions", p.Name)
		}
		return fmt.Errorf("pair %s has no object and no kept version of %s", p.Name, under)
	}
	if f.json {
		enc := json.NewEncoder(out)
		for _, l := range lines {
			if err := enc.Encode(l); err != nil {
				return err
			}
		}
		return nil
	}
	return printVersions(out, lines)
}

// describeVersions turns versions into lines, sorted by path and then time,
// with the plaintext size and MD5 each object records (a HEAD where the
// listing cannot tell: multipart or encrypted objects).
func describeVersions(ctx context.Context, client *ks3.Client, p config.Pair, versions []history.Version) ([]versionLine, error) {
	var id *objmeta.Identity
	if p.Encryption.KeyFile != "" {
		k, err := ks3crypto.LoadKey(p.Encryption.KeyFile)
		if err != nil {
			return nil, usageError("pair %s: encryption.key_file: %v", p.Name, err)
		}
		i := objmeta.NewIdentity(k)
		id = &i
	}
	lines := make([]versionLine, len(versions))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(headConcurrency)
	for i, v := range versions {
		l := versionLine{Path: v.Name, Key: v.Key, Written: v.Written, Size: v.Size, Current: v.Current(), Host: v.Host, Cause: string(v.Cause)}
		if !v.Current() {
			d := v.Displaced
			l.Displaced = &d
		}
		if p.Encryption.KeyFile == "" && objmeta.IsMD5Hex(v.ETag) {
			l.MD5 = strings.ToLower(v.ETag)
			lines[i] = l
			continue
		}
		g.Go(func() error {
			info, err := client.HeadObject(gctx, p.Bucket, v.Key)
			if err != nil {
				return err
			}
			l.MD5, l.Size = recordedPlaintext(info, id)
			lines[i] = l
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	slices.SortFunc(lines, func(x, y versionLine) int {
		if c := strings.Compare(x.Path, y.Path); c != 0 {
			return c
		}
		return x.Written.Compare(y.Written)
	})
	return lines, nil
}

// recordedPlaintext returns the plaintext MD5 and size an object records:
// ks3sync's md5, its sealed md5 opened with the pair's key (id, nil without
// one), the SDK encryption metadata, or a plain object's ETag.
func recordedPlaintext(info *ks3.ObjectInfo, id *objmeta.Identity) (md5 string, size int64) {
	attrs := objmeta.Read(info.Metadata)
	md5, size = attrs.MD5, info.Size
	if md5 == "" && attrs.KeyedMD5 != "" && id != nil {
		md5, _ = id.Open(attrs.KeyedMD5)
	}
	m, enc, err := ks3crypto.ParseMetadata(info.Metadata)
	if enc && err == nil {
		if m.PlainLength >= 0 {
			size = m.PlainLength
		}
		if md5 == "" && m.PlainMD5 != nil {
			md5 = hex.EncodeToString(m.PlainMD5)
		}
	}
	if !enc && md5 == "" && objmeta.IsMD5Hex(info.ETag) {
		md5 = strings.ToLower(info.ETag)
	}
	return md5, size
}

// printVersions prints one line per version: when it was written, its size
// and MD5, then what became of it, and its path.
func printVersions(out io.Writer, lines []versionLine) error {
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "WRITTEN\tSIZE\tMD5\tSTATE\tPATH")
	for _, l := range lines {
		state := "current"
		if !l.Current {
			state = fmt.Sprintf("%s %s by %s", l.Cause, l.Displaced.Local().Format(timeLayout), l.Host)
		}
		md5 := l.MD5
		if md5 == "" {
			md5 = "-"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", l.Written.Local().Format(timeLayout), humanize.IBytes(uint64(l.Size)), md5, state, l.Path)
	}
	return w.Flush()
}

// historyPolicy is a pair's history setting in the history package's terms.
func historyPolicy(p config.Pair) history.Policy {
	return history.Policy{Keep: p.History.KeepFor(), Versions: p.History.Versions}
}

// openPair selects the pair a history, restore, prune or check command
// works on and returns a client. These commands never open the state
// store: they work on a fresh machine with only the config and keys.
func (a *app) openPair(ctx context.Context, name string) (config.Pair, *ks3.Client, error) {
	pairs, err := a.selectPairs(name)
	if err != nil {
		return config.Pair{}, nil, err
	}
	client, err := a.Client(ctx)
	if err != nil {
		return config.Pair{}, nil, err
	}
	if err := a.ensureLocalBucket(ctx, client, pairs[0].Bucket); err != nil {
		return config.Pair{}, nil, err
	}
	return pairs[0], client, nil
}

// pairPath turns a PATH argument into a path of the pair: relative to the
// pair's folder (an absolute path must lie inside it), slash-separated and
// clean; "" is the whole pair.
func pairPath(p config.Pair, arg string) (string, error) {
	rel := arg
	if filepath.IsAbs(arg) {
		r, err := filepath.Rel(p.Local, arg)
		if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
			return "", usageError("%s is not inside the folder of pair %s (%s)", arg, p.Name, p.Local)
		}
		rel = r
	}
	slash := path.Clean(filepath.ToSlash(rel))
	if slash == ".." || strings.HasPrefix(slash, "../") || strings.HasPrefix(slash, "/") {
		return "", usageError("%s is not inside the folder of pair %s", arg, p.Name)
	}
	return localfs.CleanRel(slash), nil
}
