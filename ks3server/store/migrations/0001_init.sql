-- Buckets, objects and multipart uploads of a ks3server root.
-- Object bytes live in files under objects/, named by blob id; these tables
-- say which blobs make up which object or part.

CREATE TABLE buckets (
    name       TEXT PRIMARY KEY,
    created_ns INTEGER NOT NULL,
    acl        TEXT NOT NULL,
    location   TEXT NOT NULL,
    type       TEXT NOT NULL
);

CREATE TABLE objects (
    id                  INTEGER PRIMARY KEY,
    bucket              TEXT NOT NULL REFERENCES buckets (name),
    key                 TEXT NOT NULL,
    size                INTEGER NOT NULL,
    etag                TEXT NOT NULL,
    modified_ns         INTEGER NOT NULL,
    content_type        TEXT NOT NULL,
    cache_control       TEXT NOT NULL,
    content_disposition TEXT NOT NULL,
    content_encoding    TEXT NOT NULL,
    content_language    TEXT NOT NULL,
    expires             TEXT NOT NULL,
    meta                TEXT NOT NULL, -- JSON object: lower-case name -> value
    acl                 TEXT NOT NULL, -- '' = inherit the bucket's
    storage_class       TEXT NOT NULL,
    UNIQUE (bucket, key)
);

-- The blobs of an object in order: one for a single PUT, one per part for a
-- completed multipart upload.
CREATE TABLE segments (
    object_id INTEGER NOT NULL REFERENCES objects (id) ON DELETE CASCADE,
    seq       INTEGER NOT NULL,
    blob      TEXT NOT NULL UNIQUE,
    size      INTEGER NOT NULL,
    PRIMARY KEY (object_id, seq)
) WITHOUT ROWID;

CREATE TABLE uploads (
    id                  TEXT PRIMARY KEY,
    bucket              TEXT NOT NULL REFERENCES buckets (name),
    key                 TEXT NOT NULL,
    initiated_ns        INTEGER NOT NULL,
    content_type        TEXT NOT NULL,
    cache_control       TEXT NOT NULL,
    content_disposition TEXT NOT NULL,
    content_encoding    TEXT NOT NULL,
    content_language    TEXT NOT NULL,
    expires             TEXT NOT NULL,
    meta                TEXT NOT NULL,
    acl                 TEXT NOT NULL,
    storage_class       TEXT NOT NULL
);

CREATE INDEX uploads_by_key ON uploads (bucket, key, id);

CREATE TABLE parts (
    upload_id   TEXT NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
    number      INTEGER NOT NULL,
    blob        TEXT NOT NULL UNIQUE,
    size        INTEGER NOT NULL,
    etag        TEXT NOT NULL,
    modified_ns INTEGER NOT NULL,
    PRIMARY KEY (upload_id, number)
) WITHOUT ROWID;

-- Blobs no longer referenced whose files may still exist: written in the
-- transaction that drops the reference, cleared once the file is gone, and
-- emptied again on open after a crash.
CREATE TABLE trash (
    blob TEXT PRIMARY KEY
) WITHOUT ROWID;
