-- 0005: downloads are written ahead too. Before ks3sync renames a
-- downloaded file into place it records what it is placing: the object's
-- key, ETag, size and storage class, the plaintext MD5 and the fingerprint
-- of the file being placed. A process killed between the rename and the
-- base entry leaves that record, and the next pass recognises the file by
-- its fingerprint as the object's copy (not as a local file nobody synced,
-- which a pull would keep as a conflict copy and never delete).
ALTER TABLE intents ADD COLUMN download INTEGER NOT NULL DEFAULT 0 CHECK (download IN (0, 1));
ALTER TABLE intents ADD COLUMN etag TEXT NOT NULL DEFAULT '';
ALTER TABLE intents ADD COLUMN remote_size INTEGER NOT NULL DEFAULT 0;
ALTER TABLE intents ADD COLUMN storage_class TEXT NOT NULL DEFAULT '';
ALTER TABLE intents ADD COLUMN encrypted INTEGER NOT NULL DEFAULT 0 CHECK (encrypted IN (0, 1));
