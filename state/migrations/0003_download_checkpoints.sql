-- 0003: checkpoints of large downloads. A download writes into a temporary
-- file beside its destination; every so often it syncs the file and
-- records how much of it is on disk, so that after a crash the next run
-- continues from there (with ranged GETs of the same ETag) instead of from
-- byte 0. temp is the temporary file, relative to the pair's root as it is
-- spelled on disk; written counts the plaintext bytes known to be durable.
CREATE TABLE downloads (
    pair       TEXT    NOT NULL,
    path       TEXT    NOT NULL,
    temp       TEXT    NOT NULL,
    object_key TEXT    NOT NULL,
    etag       TEXT    NOT NULL,
    size       INTEGER NOT NULL,
    encrypted  INTEGER NOT NULL CHECK (encrypted IN (0, 1)),
    written    INTEGER NOT NULL CHECK (written >= 0),
    created    INTEGER NOT NULL,
    PRIMARY KEY (pair, path)
) STRICT, WITHOUT ROWID;
