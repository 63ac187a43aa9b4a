-- Vendor performance files: the records they carry, who changed what (lineage), the per-file
-- reconciliation of vendor against computed returns, and each file's load.

-- One row per vendor, account and period, as the newest source version left it. The lineage
-- columns name the load that last changed its content.
CREATE TABLE performance_records (
  vendor text NOT NULL CHECK (vendor <> ''),
  account_id text NOT NULL CHECK (account_id <> ''),
  period_start date NOT NULL,
  period_end date NOT NULL,
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  -- [{begin, end, flow}] as decimal strings, cut at each external cash flow.
  sub_periods jsonb NOT NULL CHECK (jsonb_typeof(sub_periods) = 'array' AND jsonb_array_length(sub_periods) > 0),
  begin_value numeric NOT NULL,
  end_value numeric NOT NULL,
  net_flows numeric NOT NULL,
  -- Returns as fractions: 0.0123 is 1.23 %.
  reported_return numeric NOT NULL,
  computed_return numeric NOT NULL,
  -- Sortable position of the source row (time|file|row); a lower one never replaces a higher one.
  source_version text NOT NULL,
  content_hash text NOT NULL,
  pipeline text NOT NULL,
  run_id text NOT NULL,
  file_key text NOT NULL,
  file_checksum text NOT NULL,
  row_number int NOT NULL CHECK (row_number > 0),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (vendor, account_id, period_start, period_end),
  CHECK (period_end > period_start)
);

-- reconcileFile reads a file's records.
CREATE INDEX performance_records_file ON performance_records (file_checksum);

-- Written once per real change, in the change's transaction.
CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  changed_at timestamptz NOT NULL DEFAULT now(),
  pipeline text NOT NULL,
  run_id text NOT NULL,
  file_key text NOT NULL,
  file_checksum text NOT NULL,
  row_number int NOT NULL,
  vendor text NOT NULL,
  account_id text NOT NULL,
  period_start date NOT NULL,
  period_end date NOT NULL,
  action text NOT NULL CHECK (action IN ('insert', 'update')),
  before jsonb,
  after jsonb NOT NULL,
  CHECK ((action = 'insert') = (before IS NULL))
);

CREATE INDEX audit_log_record ON audit_log (vendor, account_id, period_start, period_end);
CREATE INDEX audit_log_file ON audit_log (file_checksum);
CREATE INDEX audit_log_pipeline ON audit_log (pipeline);

-- The latest check of each account a file carried; running it again rewrites the same rows.
CREATE TABLE reconciliation_results (
  file_checksum text NOT NULL,
  file_key text NOT NULL,
  vendor text NOT NULL,
  account_id text NOT NULL,
  period_start date NOT NULL,
  period_end date NOT NULL,
  vendor_return numeric NOT NULL,
  computed_return numeric NOT NULL,
  -- (vendor - computed) in basis points; the sign says who is higher.
  difference_bps numeric NOT NULL,
  tolerance_bps numeric NOT NULL CHECK (tolerance_bps >= 0),
  status text NOT NULL CHECK (status IN ('PASSED', 'FAILED')),
  checked_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (file_checksum, vendor, account_id, period_start, period_end)
);

-- The status command's latest failures.
CREATE INDEX reconciliation_results_failed ON reconciliation_results (checked_at DESC) WHERE status = 'FAILED';

-- One row per file content: a file seen again under any name has the same checksum.
CREATE TABLE file_loads (
  file_checksum text PRIMARY KEY,
  file_key text NOT NULL,
  vendor text NOT NULL,
  -- Unset when the caller did not say; the status command filters on it.
  pipeline text,
  status text NOT NULL CHECK (status IN ('LOADING', 'LOADED', 'QUARANTINED', 'DUPLICATE')),
  rows_read int CHECK (rows_read >= 0),
  reason text,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  CHECK ((status = 'LOADING') = (finished_at IS NULL))
);

CREATE INDEX file_loads_started ON file_loads (started_at DESC);
