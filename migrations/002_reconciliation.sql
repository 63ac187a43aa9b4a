-- Reconciliation (issue #12): every loaded file against the records it carries.

-- A row's source version is <last-modified>|<file name>|<row index>|<checksum>: with the file's
-- modification time kept here, a file load alone says what versions its rows have. ISO-8601 UTC
-- text, as the drop lists it when the load begins.
ALTER TABLE file_loads ADD COLUMN last_modified text;

-- Loads from before this column: the time is in the versions record-sync wrote from the file.
UPDATE file_loads f SET last_modified = (
  SELECT split_part(a.after ->> 'sourceVersion', '|', 1) FROM audit_log a
  WHERE a.file_checksum = f.file_checksum AND split_part(a.after ->> 'sourceVersion', '|', 4) = f.file_checksum
  LIMIT 1
) WHERE f.last_modified IS NULL;
-- A file whose rows only confirmed stored figures left no audit row, but moved the versions.
UPDATE file_loads f SET last_modified = (
  SELECT split_part(r.source_version, '|', 1) FROM performance_records r
  WHERE split_part(r.source_version, '|', 4) = f.file_checksum
  LIMIT 1
) WHERE f.last_modified IS NULL;

-- A record retired as an orphan (a person confirmed it has no source) is deleted; its audit row
-- keeps what it held, so the figures are never lost.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check CHECK (action IN ('insert', 'update', 'delete'));
ALTER TABLE audit_log ALTER COLUMN after DROP NOT NULL;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_after_check CHECK ((action = 'delete') = (after IS NULL));
