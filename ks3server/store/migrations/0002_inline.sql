-- Small objects keep their bytes in the database: an inline segment has no
-- blob file (its blob column is only an id) and its bytes are in data, made
-- durable by the same commit as the object's metadata.
ALTER TABLE segments ADD COLUMN inline INTEGER NOT NULL DEFAULT 0;
ALTER TABLE segments ADD COLUMN data BLOB;
