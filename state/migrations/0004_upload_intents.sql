-- 0004: write-ahead records of uploads. Before ks3sync sends an object it
-- records what it is about to write: the key, the plaintext MD5 and the
-- local file's fingerprint. Recording the new base removes the intent in
-- the same transaction. An intent that a killed process left tells the
-- next pass that an object it finds under that key may be its own upload
-- (checked by MD5: then it becomes the base, so that a later deletion or
-- edit of the file is seen as one), and that a multipart upload of that
-- key that no checkpoint names is its own to abort.
CREATE TABLE intents (
    pair        TEXT    NOT NULL,
    path        TEXT    NOT NULL,
    object_key  TEXT    NOT NULL,
    md5         TEXT    NOT NULL,
    local_size  INTEGER NOT NULL,
    local_mtime INTEGER NOT NULL,
    local_ctime INTEGER NOT NULL,
    local_inode INTEGER NOT NULL,
    multipart   INTEGER NOT NULL CHECK (multipart IN (0, 1)),
    created     INTEGER NOT NULL,
    PRIMARY KEY (pair, path)
) STRICT, WITHOUT ROWID;
