-- 0007: the change journal is written ahead. Before a pass writes to the
-- bucket it records the names it is about to change; once the journal
-- entry listing them is stored, the record goes. A process killed in
-- between leaves the record, and the next pass journals those names, so
-- that other devices hear of every change without waiting for their full
-- rescan.
CREATE TABLE journal_outbox (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    pair    TEXT    NOT NULL,
    names   TEXT    NOT NULL,
    created INTEGER NOT NULL
) STRICT;
CREATE INDEX journal_outbox_by_pair ON journal_outbox (pair, id);
