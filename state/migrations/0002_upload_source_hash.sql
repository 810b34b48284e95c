-- A checkpoint also records the source's ctime and the plaintext MD5 that
-- went into the object's metadata at initiation, so an in-place rewrite
-- that keeps size and mtime (cp -p, touch -r, an archive extract) is never
-- resumed onto the old parts.
ALTER TABLE uploads ADD COLUMN ctime INTEGER NOT NULL DEFAULT 0;
ALTER TABLE uploads ADD COLUMN md5 TEXT NOT NULL DEFAULT '';
