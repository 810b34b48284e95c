-- 0006: a pass a safety guard refused is recorded as 'refused' (it was
-- recorded as 'failed', its error saying why). SQLite cannot change a
-- CHECK constraint in place, so the table is rebuilt with its rows.
CREATE TABLE runs_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    pair        TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('run', 'watch-pass', 'reconcile')),
    started     INTEGER NOT NULL,
    ended       INTEGER NOT NULL DEFAULT 0,
    status      TEXT    NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'ok', 'partial', 'failed', 'interrupted', 'refused')),
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

INSERT INTO runs_new (id, pair, kind, started, ended, status, uploaded, downloaded, deleted, skipped,
                      failed, conflicts, bytes, errors, error_count)
SELECT id, pair, kind, started, ended, status, uploaded, downloaded, deleted, skipped,
       failed, conflicts, bytes, errors, error_count FROM runs;

DROP TABLE runs;
ALTER TABLE runs_new RENAME TO runs;
CREATE INDEX runs_by_pair ON runs (pair, id);
