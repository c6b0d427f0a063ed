-- Whether a chunk is visible to doctor_id and passes the filters: documentation always,
-- a record only when the doctor is listed on it; doctor_id NULL means documentation only.
-- A plain SQL expression, so the planner inlines it and still uses an index on a filter
-- column (patient_id = ...).
CREATE OR REPLACE FUNCTION llm_assistant.chunk_visible(
  chunk_source_kind text,
  chunk_allowed_doctor_ids uuid[],
  chunk_module text,
  chunk_patient_id uuid,
  doctor_id uuid,
  filter_modules text[],
  filter_source_kinds text[],
  filter_patient_id uuid
)
RETURNS boolean
LANGUAGE sql
IMMUTABLE
AS $fn$
  SELECT (chunk_source_kind = 'doc' OR (doctor_id IS NOT NULL AND doctor_id = ANY (chunk_allowed_doctor_ids)))
     AND (filter_modules IS NULL OR chunk_module = ANY (filter_modules))
     AND (filter_source_kinds IS NULL OR chunk_source_kind = ANY (filter_source_kinds))
     AND (filter_patient_id IS NULL OR chunk_patient_id = filter_patient_id);
$fn$;
