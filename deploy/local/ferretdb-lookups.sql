-- Indexes FerretDB can use, for the PostgreSQL cluster under it (run by infra.sh as its superuser, in
-- FerretDB's database, at every start; idempotent).
--
-- FerretDB 1.24 hands a filter's equality on a field to PostgreSQL as jsonb containment:
--   WHERE _jsonb -> '_id' @> '"7c1e..."'
-- The indexes it creates for createIndex, `_id` included, are btree indexes on `_jsonb -> 'field'`,
-- which cannot answer `@>`: every lookup, by `_id` too, read the whole table (1,400 leads: 3.8 ms of
-- PostgreSQL per lookup, growing with the table). A GIN index (jsonb_path_ops) on the same expression
-- answers it (0.1 ms). So each btree index FerretDB creates gets such a twin on its first field, made
-- by an event trigger in the same transaction; tables from before the trigger are caught up below.
-- A dotted first field (`owner.userId`) gets none: FerretDB does not push a dotted equality down.
-- fastupdate off: with a pending list, every lookup in a busy small table (claims) scanned the list.
-- FerretDB keeps its own catalogue of indexes, so it neither lists nor drops the twins; a dropped
-- collection takes them along.

SET client_min_messages = warning;

CREATE OR REPLACE FUNCTION public.crm_lookup_twin(idx regclass) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  tbl regclass;
  field text;
BEGIN
  SELECT i.indrelid INTO tbl
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
   WHERE i.indexrelid = idx AND a.amname = 'btree';
  IF tbl IS NULL OR NOT EXISTS (
    SELECT FROM pg_attribute WHERE attrelid = tbl AND attname = '_jsonb' AND NOT attisdropped
  ) THEN
    RETURN;
  END IF;
  -- FerretDB's key on a top-level field: ((_jsonb -> 'a'::text)); a dotted one has more arrows.
  field := substring(pg_get_indexdef(idx, 1, false) FROM '^\(+_jsonb -> ''([^'']+)''::text\)+$');
  IF field IS NULL THEN
    RETURN;
  END IF;
  EXECUTE format(
    'CREATE INDEX IF NOT EXISTS %I ON %s USING gin ((_jsonb -> %L) jsonb_path_ops) WITH (fastupdate = off)',
    left((SELECT relname FROM pg_class WHERE oid = tbl), 40) || '_' || left(md5(field), 8) || '_eq',
    tbl, field);
END $$;

CREATE OR REPLACE FUNCTION public.crm_lookup_twins() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
  created record;
BEGIN
  FOR created IN SELECT objid FROM pg_event_trigger_ddl_commands() WHERE object_type = 'index' LOOP
    PERFORM public.crm_lookup_twin(created.objid);
  END LOOP;
END $$;

DROP EVENT TRIGGER IF EXISTS crm_lookup_twins;
CREATE EVENT TRIGGER crm_lookup_twins ON ddl_command_end WHEN TAG IN ('CREATE INDEX')
  EXECUTE FUNCTION public.crm_lookup_twins();

DO $$
BEGIN
  PERFORM public.crm_lookup_twin(i.indexrelid)
    FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast';
END $$;
