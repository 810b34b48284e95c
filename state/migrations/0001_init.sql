-- 0001: the initial ks3sync state schema.
--
-- Times are Unix nanoseconds (0 = unknown). Inodes are stored as the int64
-- bit pattern of the uint64 inode number. Paths are slash-separated, relative
-- and NFC; they sort in byte order (the BINARY collation).

-- base: what each path looked like, on both sides, when it was last synced.
CREATE TABLE base (
    pair          TEXT    NOT NULL,
    path          TEXT    NOT NULL,
    local_size    INTEGER NOT NULL,
    local_mtime   INTEGER NOT NULL,
    local_ctime   INTEGER NOT NULL,
    local_inode   INTEGER NOT NULL,
    md5           TEXT    NOT NULL,
    remote_key    TEXT    NOT NULL,
    remote_size   INTEGER NOT NULL,
    etag          TEXT    NOT NULL,
    storage_class TEXT    NOT NULL,
    encrypted     INTEGER NOT NULL CHECK (encrypted IN (0, 1)),
    remote_mtime  INTEGER NOT NULL,
    synced_at     INTEGER NOT NULL,
    PRIMARY KEY (pair, path)
) STRICT, WITHOUT ROWID;

-- dirty: paths reported changed and not yet synced, with retry bookkeeping.
-- seq grows on every mark, so a consumer can clear exactly the mark it handled.
CREATE TABLE dirty (
    pair         TEXT    NOT NULL,
    path         TEXT    NOT NULL,
    first_seen   INTEGER NOT NULL,
    next_attempt INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT    NOT NULL DEFAULT '',
    seq          INTEGER NOT NULL,
    PRIMARY KEY (pair, path)
) STRICT, WITHOUT ROWID;

CREATE INDEX dirty_by_age ON dirty (pair, first_seen);

-- dirty_seq: the single counter behind dirty.seq.
CREATE TABLE dirty_seq (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
) STRICT;

INSERT INTO dirty_seq (id, value) VALUES (1, 0);

-- uploads: multipart uploads in flight, with the source fingerprint taken
-- when they started.
CREATE TABLE uploads (
    upload_id  TEXT    PRIMARY KEY,
    pair       TEXT    NOT NULL,
    path       TEXT    NOT NULL,
    bucket     TEXT    NOT NULL,
    object_key TEXT    NOT NULL,
    size       INTEGER NOT NULL,
    mtime      INTEGER NOT NULL,
    inode      INTEGER NOT NULL,
    part_size  INTEGER NOT NULL,
    encrypted  INTEGER NOT NULL CHECK (encrypted IN (0, 1)),
    iv         BLOB,
    created    INTEGER NOT NULL
) STRICT;

CREATE INDEX uploads_by_path ON uploads (pair, path, created);

-- upload_parts: parts the server has acknowledged; chain is the CBC chain
-- value after the part (encrypted uploads only).
CREATE TABLE upload_parts (
    upload_id TEXT    NOT NULL REFERENCES uploads (upload_id) ON DELETE CASCADE,
    number    INTEGER NOT NULL CHECK (number BETWEEN 1 AND 10000),
    size      INTEGER NOT NULL,
    etag      TEXT    NOT NULL,
    chain     BLOB,
    PRIMARY KEY (upload_id, number)
) STRICT, WITHOUT ROWID;

-- runs: history of sync passes for `ks3sync status`. errors is a JSON array
-- of at most 50 messages; error_count is how many there were in all.
CREATE TABLE runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    pair        TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('run', 'watch-pass', 'reconcile')),
    started     INTEGER NOT NULL,
    ended       INTEGER NOT NULL DEFAULT 0,
    status      TEXT    NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'ok', 'partial', 'failed', 'interrupted')),
    uploaded    INTEGER NOT NULL DEFAULT 0,
    downloaded  INTEGER NOT NULL DEFAULT 0,
    deleted     INTEGER NOT NULL DEFAULT 0,
    skipped     INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0,
    conflicts   INTEGER NOT NULL DEFAULT 0,
    bytes       INTEGER NOT NULL DEFAULT 0,
    errors      TEXT    NOT NULL DEFAULT '[]',
    error_count INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX runs_by_pair ON runs (pair, id);
