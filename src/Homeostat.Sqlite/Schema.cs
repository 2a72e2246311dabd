namespace Homeostat.Sqlite;

/// <summary>
/// The store's schema as numbered migrations. A store records the last one applied in <c>schema_info</c>; opening it
/// applies the newer ones in one transaction each, and a store newer than this binary is refused.
/// </summary>
internal static class Schema
{
    public static readonly IReadOnlyList<(int Version, string Sql)> Migrations = [(1, V1), (2, V2), (3, V3), (4, V4)];

    public static int Latest => Migrations[^1].Version;

    // The audit table refuses UPDATE and DELETE at the SQL level; only INSERT is possible through any client that keeps the triggers.
    // Version 1 is what the first release created (it never filled schema_info).
    private const string V1 = """
        CREATE TABLE IF NOT EXISTS schema_info (version INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS audit (
            seq         INTEGER PRIMARY KEY,
            id          TEXT NOT NULL UNIQUE,
            at          TEXT NOT NULL,
            incident_id TEXT,
            service     TEXT,
            type        TEXT NOT NULL,
            actor       TEXT NOT NULL,
            summary     TEXT NOT NULL,
            payload     TEXT NOT NULL,
            prev_hash   TEXT NOT NULL,
            hash        TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS audit_incident ON audit (incident_id, seq);
        CREATE INDEX IF NOT EXISTS audit_service_at ON audit (service, at);
        CREATE INDEX IF NOT EXISTS audit_type_service_at ON audit (type, service, at);
        CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
            BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: records cannot be updated'); END;
        CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
            BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: records cannot be deleted'); END;

        CREATE TABLE IF NOT EXISTS incidents (
            id           TEXT PRIMARY KEY,
            fingerprint  TEXT NOT NULL,
            delivery_key TEXT NOT NULL,
            service      TEXT NOT NULL,
            state        TEXT NOT NULL,
            closed       INTEGER NOT NULL,
            in_flight    INTEGER NOT NULL,
            next_due_at  TEXT,
            claim_owner  TEXT,
            claim_until  TEXT,
            created_at   TEXT NOT NULL,
            updated_at   TEXT NOT NULL,
            version      INTEGER NOT NULL,
            body         TEXT NOT NULL
        );
        CREATE UNIQUE INDEX IF NOT EXISTS incidents_one_active_per_fingerprint ON incidents (fingerprint) WHERE closed = 0;
        CREATE INDEX IF NOT EXISTS incidents_delivery ON incidents (delivery_key);
        CREATE INDEX IF NOT EXISTS incidents_due ON incidents (next_due_at) WHERE next_due_at IS NOT NULL;
        CREATE INDEX IF NOT EXISTS incidents_service ON incidents (service, created_at);

        CREATE TABLE IF NOT EXISTS suspensions (
            id          INTEGER PRIMARY KEY,
            service     TEXT NOT NULL,
            class       TEXT NOT NULL,
            action      TEXT NOT NULL,
            reason      TEXT NOT NULL,
            created_at  TEXT NOT NULL,
            incident_id TEXT,
            resumed_at  TEXT,
            resumed_by  TEXT
        );
        CREATE UNIQUE INDEX IF NOT EXISTS suspensions_one_active ON suspensions (service, class) WHERE resumed_at IS NULL;

        CREATE TABLE IF NOT EXISTS shadows (
            class         TEXT NOT NULL,
            spec_hash     TEXT NOT NULL,
            first_seen_at TEXT NOT NULL,
            promoted_at   TEXT,
            promoted_by   TEXT,
            PRIMARY KEY (class, spec_hash)
        );
        """;

    // Version 2: the facts queries need as real columns (filled from the payloads already written, with the
    // append-only trigger lifted for this migration only), and one outbox entry per notifier per notification
    // (a pending notification kept on an incident by version 1 becomes an entry for every notifier, '*').
    private const string V2 = """
        ALTER TABLE audit ADD COLUMN action TEXT;
        ALTER TABLE audit ADD COLUMN dry_run INTEGER;
        ALTER TABLE audit ADD COLUMN class TEXT;
        ALTER TABLE audit ADD COLUMN decision TEXT;
        DROP TRIGGER audit_no_update;
        UPDATE audit SET
            action = json_extract(payload, '$.action'),
            dry_run = CASE WHEN json_type(payload, '$.dryRun') IN ('true', 'false') THEN json_extract(payload, '$.dryRun') END,
            class = CASE type
                WHEN 'classified' THEN json_extract(payload, '$.class')
                WHEN 'decided' THEN json_extract(payload, '$.remediation')
                WHEN 'suspended' THEN json_extract(payload, '$.class')
                WHEN 'resumed' THEN json_extract(payload, '$.class')
                WHEN 'promoted' THEN json_extract(payload, '$.class')
                WHEN 'labelled' THEN json_extract(payload, '$.label')
            END,
            decision = CASE type WHEN 'decided' THEN json_extract(payload, '$.decision') END;
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
            BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: records cannot be updated'); END;
        CREATE INDEX audit_executions ON audit (type, service, action, dry_run, at);

        CREATE TABLE notifications (
            id              INTEGER PRIMARY KEY,
            incident_id     TEXT NOT NULL,
            notifier        TEXT NOT NULL,
            reason          TEXT NOT NULL,
            detail          TEXT NOT NULL,
            created_at      TEXT NOT NULL,
            attempts        INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            status          TEXT NOT NULL,
            last_detail     TEXT,
            claim_owner     TEXT,
            claim_until     TEXT
        );
        CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status = 'pending';
        CREATE INDEX notifications_incident ON notifications (incident_id, id);
        INSERT INTO notifications (incident_id, notifier, reason, detail, created_at, next_attempt_at, status)
            SELECT id, '*', json_extract(body, '$.pendingNotification.reason'), json_extract(body, '$.pendingNotification.detail'), updated_at, updated_at, 'pending'
            FROM incidents WHERE json_type(body, '$.pendingNotification') = 'object';
        UPDATE incidents SET next_due_at = NULL
            WHERE state IN ('escalated', 'remediated', 'resolved', 'dry_run') AND json_type(body, '$.pendingNotification') = 'object';
        """;

    // Version 3: a one-row table the store-health probe rewrites to prove the store writes again after a failure, and an
    // index for paging incidents newest first.
    private const string V3 = """
        CREATE TABLE write_probe (id INTEGER PRIMARY KEY CHECK (id = 1), at TEXT NOT NULL);
        CREATE INDEX incidents_created ON incidents (created_at, id);
        """;

    // Version 4: which algorithm and which key produced each record's hash. Records of earlier versions keep NULL,
    // read as plain SHA-256; the columns need no back-fill, so the append-only triggers stay in place.
    private const string V4 = """
        ALTER TABLE audit ADD COLUMN alg TEXT;
        ALTER TABLE audit ADD COLUMN key_id TEXT;
        """;
}
