/** Versioned SQLite migrations; append only, never edit a released one. */
export const SQLITE_MIGRATIONS: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'requests, steps, audit log',
    sql: `
      CREATE TABLE requests (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        source TEXT NOT NULL,
        requester TEXT NOT NULL,
        target TEXT NOT NULL,
        target_slack_id TEXT,
        systems TEXT NOT NULL,
        slack_scope TEXT NOT NULL,
        selection TEXT,
        reason TEXT NOT NULL,
        origin TEXT,
        thread TEXT,
        summary TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX requests_target ON requests (target_slack_id, created_at);
      CREATE INDEX requests_status ON requests (status);
      CREATE TABLE steps (
        request_id TEXT NOT NULL REFERENCES requests (id),
        system TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        account TEXT,
        result TEXT,
        started_at TEXT,
        finished_at TEXT,
        PRIMARY KEY (request_id, system)
      );
      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        request_id TEXT,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        data TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE
      );
      CREATE INDEX audit_request ON audit_log (request_id);
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    `,
  },
  {
    version: 2,
    name: 'approvals, leases, idempotency, workflow links, step notifications',
    sql: `
      ALTER TABLE requests ADD COLUMN expires_at TEXT;
      ALTER TABLE requests ADD COLUMN approval_card TEXT;
      ALTER TABLE requests ADD COLUMN decided_by TEXT;
      ALTER TABLE requests ADD COLUMN decided_at TEXT;
      ALTER TABLE requests ADD COLUMN decision_note TEXT;
      ALTER TABLE requests ADD COLUMN break_glass INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE requests ADD COLUMN idempotency_key TEXT;
      ALTER TABLE requests ADD COLUMN workflow TEXT;
      ALTER TABLE requests ADD COLUMN lease_owner TEXT;
      ALTER TABLE requests ADD COLUMN lease_until TEXT;
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
      CREATE TABLE replicas (id TEXT PRIMARY KEY, seen_at TEXT NOT NULL);
    `,
  },
  {
    version: 5,
    name: 'fencing tokens: each claim of a request takes the next one, and a run writes only under its own',
    sql: `
      ALTER TABLE requests ADD COLUMN fence INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 6,
    name: 'intake journal: a submitted form, recorded before it is acknowledged',
    sql: `
      CREATE TABLE intake (
        key TEXT PRIMARY KEY,
        actor TEXT NOT NULL,
        form TEXT NOT NULL,
        channel_id TEXT,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        owner TEXT,
        lease_until TEXT,
        request_id TEXT,
        message TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX intake_state ON intake (state, created_at);
    `,
  },
  {
    version: 7,
    name: 'the outbox: every effect of a state change, written with it and delivered at least once',
    sql: `
      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        effect_key TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        request_id TEXT,
        payload TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        not_before TEXT NOT NULL,
        lease_owner TEXT,
        lease_until TEXT,
        progress TEXT,
        last_error TEXT,
        created_at TEXT NOT NULL,
        settled_at TEXT
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
        stream_id TEXT PRIMARY KEY,
        audience TEXT NOT NULL,
        config TEXT NOT NULL,
        status TEXT NOT NULL,
        status_reason TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX ssf_streams_audience ON ssf_streams (audience);
      CREATE TABLE ssf_queue (
        stream_id TEXT NOT NULL,
        jti TEXT NOT NULL,
        set_jwt TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (stream_id, jti)
      );
      CREATE TABLE ssf_inbound (
        issuer TEXT NOT NULL,
        jti TEXT NOT NULL,
        outcome TEXT NOT NULL,
        received_at TEXT NOT NULL,
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
        person TEXT NOT NULL,
        role TEXT NOT NULL,
        request_id TEXT NOT NULL REFERENCES requests (id),
        created_at TEXT NOT NULL,
        PRIMARY KEY (person, role, request_id)
      );
      CREATE INDEX request_people_recent ON request_people (person, role, created_at, request_id);
      INSERT OR IGNORE INTO request_people (person, role, request_id, created_at)
        SELECT 'slack:' || json_extract(p.value, '$.slackUserId'), 'target', r.id, r.created_at
        FROM requests r, json_each(CASE json_type(r.target) WHEN 'array' THEN r.target ELSE json_array(json(r.target)) END) p
        WHERE json_extract(p.value, '$.slackUserId') IS NOT NULL;
      INSERT OR IGNORE INTO request_people (person, role, request_id, created_at)
        SELECT 'email:' || lower(json_extract(p.value, '$.email')), 'target', r.id, r.created_at
        FROM requests r, json_each(CASE json_type(r.target) WHEN 'array' THEN r.target ELSE json_array(json(r.target)) END) p
        WHERE json_extract(p.value, '$.email') IS NOT NULL;
      INSERT OR IGNORE INTO request_people (person, role, request_id, created_at)
        SELECT json_extract(r.requester, '$.kind') || ':' || json_extract(r.requester, '$.id'), 'requester', r.id, r.created_at
        FROM requests r;
      CREATE TABLE request_counts (
        source TEXT NOT NULL,
        status TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (source, status)
      );
      INSERT INTO request_counts (source, status, n) SELECT source, status, COUNT(*) FROM requests GROUP BY source, status;
      CREATE TRIGGER request_counts_insert AFTER INSERT ON requests BEGIN
        INSERT INTO request_counts (source, status, n) VALUES (NEW.source, NEW.status, 1)
          ON CONFLICT (source, status) DO UPDATE SET n = n + 1;
      END;
      CREATE TRIGGER request_counts_status AFTER UPDATE OF status ON requests WHEN OLD.status <> NEW.status BEGIN
        UPDATE request_counts SET n = n - 1 WHERE source = OLD.source AND status = OLD.status;
        INSERT INTO request_counts (source, status, n) VALUES (NEW.source, NEW.status, 1)
          ON CONFLICT (source, status) DO UPDATE SET n = n + 1;
      END;
      CREATE TABLE audit_head (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL
      );
      INSERT INTO audit_head (id, seq, hash)
        SELECT 1, COALESCE(MAX(seq), 0), COALESCE((SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1), '${'0'.repeat(64)}')
        FROM audit_log;
      CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
        BEGIN SELECT RAISE(ABORT, 'audit_head is the chain head: it is never deleted'); END;
    `,
  },
  {
    version: 10,
    name: 'a signing key the app created and keeps (signed evidence), when no key file is given',
    sql: `
      CREATE TABLE signing_keys (
        kid TEXT PRIMARY KEY,
        alg TEXT NOT NULL,
        private_jwk TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 11,
    name: 'where each SIEM sink is in the audit log (audit streaming)',
    sql: `
      CREATE TABLE audit_stream (
        sink TEXT PRIMARY KEY,
        seq INTEGER NOT NULL,
        lease_owner TEXT,
        lease_until TEXT,
        failing_since TEXT,
        last_error TEXT,
        updated_at TEXT NOT NULL
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
