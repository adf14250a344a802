/**
 * Versioned PostgreSQL migrations; append only, never edit a released one.
 *
 * They mirror the SQLite ones version for version (same tables, same columns,
 * same meaning of each version number), so `rows.ts` maps rows of both stores:
 * JSON stays in TEXT columns and timestamps stay ISO-8601 TEXT. Columns that
 * are compared or sorted use `COLLATE "C"` so their order is the byte order
 * SQLite uses, whatever the database's default collation. Differences:
 * `steps.ord` keeps insertion order (SQLite's rowid), `audit_log.seq` is a
 * BIGINT, and the append-only rule is a PL/pgSQL trigger that also refuses
 * TRUNCATE.
 */
export const POSTGRES_MIGRATIONS: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'requests, steps, audit log',
    sql: `
      CREATE TABLE requests (
        id TEXT COLLATE "C" PRIMARY KEY,
        status TEXT COLLATE "C" NOT NULL,
        source TEXT NOT NULL,
        requester TEXT NOT NULL,
        target TEXT NOT NULL,
        target_slack_id TEXT COLLATE "C",
        systems TEXT NOT NULL,
        slack_scope TEXT NOT NULL,
        selection TEXT,
        reason TEXT NOT NULL,
        origin TEXT,
        thread TEXT,
        summary TEXT,
        created_at TEXT COLLATE "C" NOT NULL,
        updated_at TEXT COLLATE "C" NOT NULL
      );
      CREATE INDEX requests_target ON requests (target_slack_id, created_at);
      CREATE INDEX requests_status ON requests (status);
      CREATE TABLE steps (
        request_id TEXT COLLATE "C" NOT NULL REFERENCES requests (id),
        system TEXT COLLATE "C" NOT NULL,
        ord BIGINT GENERATED ALWAYS AS IDENTITY,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        account TEXT,
        result TEXT,
        started_at TEXT,
        finished_at TEXT,
        PRIMARY KEY (request_id, system)
      );
      CREATE TABLE audit_log (
        seq BIGINT PRIMARY KEY,
        at TEXT COLLATE "C" NOT NULL,
        request_id TEXT COLLATE "C",
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        data TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE
      );
      CREATE INDEX audit_request ON audit_log (request_id);
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN
          RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
        END
      $fn$;
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
    `,
  },
  {
    version: 2,
    name: 'approvals, leases, idempotency, workflow links, step notifications',
    sql: `
      ALTER TABLE requests
        ADD COLUMN expires_at TEXT COLLATE "C",
        ADD COLUMN approval_card TEXT,
        ADD COLUMN decided_by TEXT,
        ADD COLUMN decided_at TEXT,
        ADD COLUMN decision_note TEXT,
        ADD COLUMN break_glass BOOLEAN NOT NULL DEFAULT false,
        ADD COLUMN idempotency_key TEXT COLLATE "C",
        ADD COLUMN workflow TEXT,
        ADD COLUMN lease_owner TEXT COLLATE "C",
        ADD COLUMN lease_until TEXT COLLATE "C";
      CREATE UNIQUE INDEX requests_idempotency ON requests (idempotency_key) WHERE idempotency_key IS NOT NULL;
      CREATE INDEX requests_expiry ON requests (status, expires_at);
      ALTER TABLE steps ADD COLUMN notified_at TEXT;
    `,
  },
  {
    version: 3,
    name: 'the plan stored with a request (chosen sessions as listed, why approval is needed)',
    sql: `
      ALTER TABLE requests ADD COLUMN plan TEXT;
    `,
  },
  {
    version: 4,
    name: 'replicas alive, so each takes its share of the vendor budgets',
    sql: `
      CREATE TABLE replicas (id TEXT PRIMARY KEY COLLATE "C", seen_at TEXT NOT NULL COLLATE "C");
    `,
  },
  {
    version: 5,
    name: 'fencing tokens: each claim of a request takes the next one, and a run writes only under its own',
    sql: `
      ALTER TABLE requests ADD COLUMN fence BIGINT NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 6,
    name: 'intake journal: a submitted form, recorded before it is acknowledged',
    sql: `
      CREATE TABLE intake (
        key TEXT COLLATE "C" PRIMARY KEY,
        actor TEXT NOT NULL,
        form TEXT NOT NULL,
        channel_id TEXT,
        state TEXT COLLATE "C" NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        owner TEXT COLLATE "C",
        lease_until TEXT COLLATE "C",
        request_id TEXT,
        message TEXT,
        created_at TEXT COLLATE "C" NOT NULL,
        updated_at TEXT COLLATE "C" NOT NULL
      );
      CREATE INDEX intake_state ON intake (state, created_at);
    `,
  },
  {
    version: 7,
    name: 'the outbox: every effect of a state change, written with it and delivered at least once',
    sql: `
      CREATE TABLE outbox (
        id BIGSERIAL PRIMARY KEY,
        effect_key TEXT COLLATE "C" NOT NULL UNIQUE,
        kind TEXT COLLATE "C" NOT NULL,
        request_id TEXT COLLATE "C",
        payload TEXT NOT NULL,
        state TEXT COLLATE "C" NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        not_before TEXT COLLATE "C" NOT NULL,
        lease_owner TEXT COLLATE "C",
        lease_until TEXT COLLATE "C",
        progress TEXT,
        last_error TEXT,
        created_at TEXT COLLATE "C" NOT NULL,
        settled_at TEXT COLLATE "C"
      );
      CREATE INDEX outbox_due ON outbox (state, not_before);
      CREATE INDEX outbox_request ON outbox (request_id, id);
    `,
  },
  {
    version: 8,
    name: 'shared signals: streams, the SETs waiting in each, and the inbound jtis seen',
    sql: `
      CREATE TABLE ssf_streams (
        stream_id TEXT COLLATE "C" PRIMARY KEY,
        audience TEXT COLLATE "C" NOT NULL,
        config TEXT NOT NULL,
        status TEXT COLLATE "C" NOT NULL,
        status_reason TEXT,
        created_at TEXT COLLATE "C" NOT NULL,
        updated_at TEXT COLLATE "C" NOT NULL
      );
      CREATE INDEX ssf_streams_audience ON ssf_streams (audience);
      CREATE TABLE ssf_queue (
        stream_id TEXT COLLATE "C" NOT NULL,
        jti TEXT COLLATE "C" NOT NULL,
        set_jwt TEXT NOT NULL,
        created_at TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (stream_id, jti)
      );
      CREATE TABLE ssf_inbound (
        issuer TEXT COLLATE "C" NOT NULL,
        jti TEXT COLLATE "C" NOT NULL,
        outcome TEXT NOT NULL,
        received_at TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (issuer, jti)
      );
      CREATE INDEX ssf_inbound_received ON ssf_inbound (received_at);
    `,
  },
  {
    version: 9,
    name: 'at any size: the people of each request, request counts kept by triggers, the audit chain head',
    sql: `
      CREATE TABLE request_people (
        person TEXT COLLATE "C" NOT NULL,
        role TEXT COLLATE "C" NOT NULL,
        request_id TEXT COLLATE "C" NOT NULL REFERENCES requests (id),
        created_at TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (person, role, request_id)
      );
      CREATE INDEX request_people_recent ON request_people (person, role, created_at, request_id);
      INSERT INTO request_people (person, role, request_id, created_at)
        SELECT DISTINCT 'slack:' || (p ->> 'slackUserId'), 'target', r.id, r.created_at
        FROM requests r, jsonb_array_elements(CASE jsonb_typeof(r.target::jsonb) WHEN 'array' THEN r.target::jsonb
          ELSE jsonb_build_array(r.target::jsonb) END) p
        WHERE p ->> 'slackUserId' IS NOT NULL
        ON CONFLICT DO NOTHING;
      INSERT INTO request_people (person, role, request_id, created_at)
        SELECT DISTINCT 'email:' || translate(p ->> 'email', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'),
          'target', r.id, r.created_at
        FROM requests r, jsonb_array_elements(CASE jsonb_typeof(r.target::jsonb) WHEN 'array' THEN r.target::jsonb
          ELSE jsonb_build_array(r.target::jsonb) END) p
        WHERE p ->> 'email' IS NOT NULL
        ON CONFLICT DO NOTHING;
      INSERT INTO request_people (person, role, request_id, created_at)
        SELECT (r.requester::jsonb ->> 'kind') || ':' || (r.requester::jsonb ->> 'id'), 'requester', r.id, r.created_at
        FROM requests r
        ON CONFLICT DO NOTHING;
      CREATE TABLE request_counts (
        source TEXT COLLATE "C" NOT NULL,
        status TEXT COLLATE "C" NOT NULL,
        n BIGINT NOT NULL,
        PRIMARY KEY (source, status)
      );
      INSERT INTO request_counts (source, status, n) SELECT source, status, COUNT(*) FROM requests GROUP BY source, status;
      CREATE FUNCTION request_counts_track() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN
          IF TG_OP = 'UPDATE' THEN
            IF OLD.status = NEW.status THEN RETURN NULL; END IF;
            UPDATE request_counts SET n = n - 1 WHERE source = OLD.source AND status = OLD.status;
          END IF;
          INSERT INTO request_counts (source, status, n) VALUES (NEW.source, NEW.status, 1)
            ON CONFLICT (source, status) DO UPDATE SET n = request_counts.n + 1;
          RETURN NULL;
        END
      $fn$;
      CREATE TRIGGER request_counts_insert AFTER INSERT ON requests
        FOR EACH ROW EXECUTE FUNCTION request_counts_track();
      CREATE TRIGGER request_counts_status AFTER UPDATE OF status ON requests
        FOR EACH ROW EXECUTE FUNCTION request_counts_track();
      CREATE TABLE audit_head (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq BIGINT NOT NULL,
        hash TEXT NOT NULL
      );
      INSERT INTO audit_head (id, seq, hash)
        SELECT 1, COALESCE(MAX(seq), 0), COALESCE((SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1), '${'0'.repeat(64)}')
        FROM audit_log;
      CREATE TRIGGER audit_head_no_delete BEFORE DELETE OR TRUNCATE ON audit_head
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
    `,
  },
  {
    version: 10,
    name: 'a signing key the app created and keeps (signed evidence), when no key file is given',
    sql: `
      CREATE TABLE signing_keys (
        kid TEXT COLLATE "C" PRIMARY KEY,
        alg TEXT COLLATE "C" NOT NULL,
        private_jwk TEXT NOT NULL,
        created_at TEXT COLLATE "C" NOT NULL
      );
    `,
  },
  {
    version: 11,
    name: 'where each SIEM sink is in the audit log (audit streaming)',
    sql: `
      CREATE TABLE audit_stream (
        sink TEXT COLLATE "C" PRIMARY KEY,
        seq BIGINT NOT NULL,
        lease_owner TEXT COLLATE "C",
        lease_until TEXT COLLATE "C",
        failing_since TEXT COLLATE "C",
        last_error TEXT,
        updated_at TEXT COLLATE "C" NOT NULL
      );
    `,
  },
  {
    version: 12,
    name: 'settled outbox effects found by when they settled (pruned after a retention period); the newest requests of a status (App Home)',
    sql: `
      CREATE INDEX outbox_settled ON outbox (state, settled_at);
      CREATE INDEX requests_status_recent ON requests (status, created_at, id);
    `,
  },
];
