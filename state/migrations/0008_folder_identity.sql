-- 0008: the identity of each pair's local folder (a device and inode, or
-- a volume and file index), recorded when a pass finds the folder holding
-- files. An empty folder with the same identity was emptied by its user;
-- one with another identity is not the folder synced before, as an empty
-- mount point whose disk is not mounted.
CREATE TABLE folders (
    pair     TEXT    PRIMARY KEY,
    identity TEXT    NOT NULL,
    recorded INTEGER NOT NULL
) STRICT;
