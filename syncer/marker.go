package syncer

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"github.com/ks3sync/ks3sync/planner"
)

// The folder marker tells a folder the user emptied from one that is
// missing or not mounted. ks3sync keeps it in the pair's reserved folder
// (planner.ReservedDir, never synced) once the folder held files or the
// pair was new; a folder with no files but with the marker was emptied on
// purpose, so its deletions propagate (pairs in direction both, the
// devices of a shared prefix, keep one, as Syncthing keeps .stfolder),
// while an empty mount point has no marker and never propagates
// deletions. A push pair writes nothing into its folder: emptying it
// entirely is never propagated.
const markerName = "folder"

// markerText is the marker's content, for whoever finds it.
const markerText = "This folder is synced by ks3sync. This file tells ks3sync that the folder is the\n" +
	"synced one even when it holds no files: without it, an empty folder is taken for a\n" +
	"disk that is not mounted and deletions are not propagated from it.\n"

// markerPath is where the folder marker of root is kept.
func markerPath(root string) string {
	return filepath.Join(root, planner.ReservedDir, markerName)
}

// hasMarker reports whether the folder marker is in place (a regular
// file, not a link).
func (s *Syncer) hasMarker() bool {
	fi, err := os.Lstat(markerPath(s.opts.Root))
	return err == nil && fi.Mode().IsRegular()
}

// markFolder puts the folder marker in place after a pass that found the
// folder as it should be: holding files, or new to the pair (the caller
// decides). It is never called for an empty folder of a pair that has
// synced files (that may be an empty mount point). A marker that cannot be
// written leaves the guard as it was, so it is only logged.
func (s *Syncer) markFolder(ctx context.Context) {
	if !s.checksOthers() || s.opts.DryRun || s.hasMarker() || ctx.Err() != nil {
		return
	}
	dir := filepath.Join(s.opts.Root, planner.ReservedDir)
	if fi, err := os.Lstat(dir); err == nil && !fi.IsDir() {
		return // not ours: leave it alone
	} else if errors.Is(err, os.ErrNotExist) {
		if err := os.Mkdir(dir, 0o755); err != nil {
			s.log.Debug().Err(err).Msg("create the folder marker")
			return
		}
	}
	if err := os.WriteFile(markerPath(s.opts.Root), []byte(markerText), 0o644); err != nil {
		s.log.Debug().Err(err).Msg("write the folder marker")
	}
}
