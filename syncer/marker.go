package syncer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ks3sync/ks3sync/localfs"
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
// entirely is never propagated (a warning says so). Its folder's identity
// (device and inode, or volume and file index) is recorded in the state
// store instead: an empty folder with another identity, as
// an empty mount point whose disk is not mounted has, fails a push pass
// (ErrFolderReplaced), since a backup of it cannot do its job.
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

// emptiedOnPurpose tells, for a pass that found the local folder empty
// while the pair has synced files, whether the user emptied it (true: its
// deletions propagate) or it may be a disk that is not mounted (false).
// For a push pair whose folder has another identity than the one
// recorded, it returns ErrFolderReplaced.
func (s *Syncer) emptiedOnPurpose(ctx context.Context) (bool, error) {
	if s.hasMarker() {
		return true, nil
	}
	if s.opts.Direction != planner.Push {
		return false, nil
	}
	recorded := s.recordedFolder(ctx)
	if recorded == "" {
		return false, nil
	}
	if current, err := localfs.FolderIdentity(s.opts.Root); err == nil && current != "" && current != recorded {
		return false, fmt.Errorf("%s: %w (%s, was %s): is its disk not mounted? Nothing was synced; mount it. "+
			"If the folder was replaced on purpose, put its files in it (the next pass records the new folder)",
			s.opts.Root, ErrFolderReplaced, current, recorded)
	}
	return false, nil
}

// recordedFolder returns the identity recorded for the local folder, ""
// when none is (or the state store cannot say).
func (s *Syncer) recordedFolder(ctx context.Context) string {
	if s.folderID != "" || s.db == nil {
		return s.folderID
	}
	id, _, err := s.db.FolderIdentity(ctx, s.opts.Pair)
	if err != nil {
		s.log.Debug().Err(err).Msg("read the folder's identity")
	}
	s.folderID = id
	return id
}

// markFolder records, after a pass that found the folder as it should be
// (holding files, or new to the pair: the caller decides), the folder's
// identity (push pairs), and for a both pair puts the folder marker in place. It is
// never called for an empty folder of a pair that has synced files (that
// may be an empty mount point). What cannot be recorded leaves the guard
// as it was, so it is only logged.
func (s *Syncer) markFolder(ctx context.Context) {
	if s.opts.DryRun || ctx.Err() != nil {
		return
	}
	s.recordFolder(ctx)
	if !s.checksOthers() || s.hasMarker() {
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

// recordFolder records the local folder's identity when it is not the one
// recorded already.
func (s *Syncer) recordFolder(ctx context.Context) {
	if s.db == nil || s.opts.Direction != planner.Push { // only a push pass reads it
		return
	}
	id, err := localfs.FolderIdentity(s.opts.Root)
	if err != nil || id == "" || id == s.recordedFolder(ctx) {
		return
	}
	if err := s.db.SetFolderIdentity(ctx, s.opts.Pair, id, time.Now()); err != nil {
		s.log.Debug().Err(err).Msg("record the folder's identity")
		return
	}
	s.folderID = id
}
