package tool

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/ks3sync/ks3sync/ks3"
	"github.com/ks3sync/ks3sync/localfs"
)

// cpJob is one item of a recursive cp.
type cpJob struct {
	what string // "upload: a -> ks3://b/a", printed when done or failed
	size int64
	run  func(ctx context.Context) error
}

// runJobs runs jobs on t.transfers workers. Each finished job is printed,
// each failed one reported; the others go on. It returns a partial error
// counting the failures (what names the items), or the context's error
// when interrupted.
func (t *copier) runJobs(ctx context.Context, jobs []cpJob, what string) error {
	var total int64
	for _, j := range jobs {
		total += j.size
	}
	t.startBar(total, what)
	var g errgroup.Group
	g.SetLimit(t.transfers)
	for _, j := range jobs {
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if err := j.run(ctx); err != nil {
				if ctx.Err() == nil {
					t.log.fail(j.what, err)
				}
				return nil
			}
			t.log.ok(j.what)
			return nil
		})
	}
	g.Wait()
	t.finishBar()
	if err := ctx.Err(); err != nil {
		return err
	}
	return t.log.result(what)
}

// uploadFolderJobs lists the files under root and returns a job uploading
// each to dst's folder prefix plus its relative path. Symbolic links and
// special files are skipped with a warning; unreadable folders are
// reported as failures.
func (t *copier) uploadFolderJobs(root string, dst ks3URI) ([]cpJob, error) {
	prefix := dst.folderPrefix()
	if root == "" || !os.IsPathSeparator(root[len(root)-1]) {
		root += string(filepath.Separator) // follow root itself if it is a link
	}
	var jobs []cpJob
	local := newLocalNames(root, t.nameRules)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == root {
				return err
			}
			t.log.fail("upload: "+path, err)
			return nil
		}
		switch {
		case d.IsDir():
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			t.log.warn("skipped symbolic link " + path)
			return nil
		case !d.Type().IsRegular():
			t.log.warn("skipped special file " + path)
			return nil
		}
		info, err := d.Info()
		if err != nil {
			t.log.fail("upload: "+path, err)
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		key, err := local.key(rel)
		if err != nil {
			t.log.fail("upload: "+path, err)
			return nil
		}
		target := dst.with(prefix + key)
		jobs = append(jobs, cpJob{what: "upload: " + path + " -> " + target.String(), size: info.Size(),
			run: func(ctx context.Context) error { return t.uploadFile(ctx, path, target) }})
		return nil
	})
	return jobs, err
}

// downloadPrefixJobs lists the objects under src's folder prefix and
// returns a job downloading each to dir plus its key relative to the
// prefix. Keys ending in '/' (folder markers) become folders; keys that
// would land outside dir, or be written through a symbolic link in it
// (dir/link -> elsewhere), are reported as failures.
func (t *copier) downloadPrefixJobs(ctx context.Context, src ks3URI, dir string) ([]cpJob, error) {
	prefix := src.folderPrefix()
	var jobs []cpJob
	local := newLocalNames(dir, t.nameRules)
	for item, err := range t.cl.Walk(ctx, src.Bucket, ks3.ListObjectsOptions{Prefix: prefix}) {
		if err != nil {
			return nil, err
		}
		obj := src.with(item.Object.Key)
		rel := strings.TrimPrefix(obj.Key, prefix)
		if rel == "" {
			continue
		}
		target, err := local.path(strings.TrimSuffix(rel, "/"))
		if err != nil {
			t.log.fail("download: "+obj.String(), err)
			continue
		}
		name, err := filepath.Rel(dir, target) // the local name, with dir's rules
		if err != nil {
			t.log.fail("download: "+obj.String(), err)
			continue
		}
		name = filepath.ToSlash(name)
		if strings.HasSuffix(rel, "/") {
			if err := makeFolder(dir, name); err != nil {
				t.log.fail("download: "+obj.String(), err)
			}
			continue
		}
		jobs = append(jobs, cpJob{what: "download: " + obj.String() + " -> " + target, size: item.Object.Size,
			run: func(ctx context.Context) error {
				// Checked when written, against the folder as it is then.
				p, err := localfs.ResolveWrite(dir, name)
				if err != nil {
					return err
				}
				return t.downloadFile(ctx, obj, p, false)
			}})
	}
	if len(jobs) == 0 {
		t.log.warn("no objects under " + src.with(prefix).String())
	}
	return jobs, os.MkdirAll(dir, 0o755)
}

// makeFolder creates the folder rel under dir (a folder marker), unless a
// symbolic link is in the way: like the files, it is never created through
// one.
func makeFolder(dir, rel string) error {
	p, err := localfs.ResolveFolder(dir, rel)
	if err != nil {
		return err
	}
	return os.MkdirAll(p, 0o755)
}

// copyPrefixJobs lists the objects under src's folder prefix and returns a
// job copying each on the server to dst's folder prefix plus its key
// relative to the source prefix.
func (t *copier) copyPrefixJobs(ctx context.Context, src, dst ks3URI) ([]cpJob, error) {
	prefix, dstPrefix := src.folderPrefix(), dst.folderPrefix()
	var jobs []cpJob
	for item, err := range t.cl.Walk(ctx, src.Bucket, ks3.ListObjectsOptions{Prefix: prefix}) {
		if err != nil {
			return nil, err
		}
		from := src.with(item.Object.Key)
		to := dst.with(dstPrefix + strings.TrimPrefix(from.Key, prefix))
		jobs = append(jobs, cpJob{what: "copy: " + from.String() + " -> " + to.String(),
			run: func(ctx context.Context) error { return t.copyObject(ctx, from, to) }})
	}
	if len(jobs) == 0 {
		t.log.warn("no objects under " + src.with(prefix).String())
	}
	return jobs, nil
}
