namespace Homeostat.Sqlite;

internal static class Schema
{
    public const int Version = 1;

    // The audit table refuses UPDATE and DELETE at the SQL level; only INSERT is possible through any client that keeps the triggers.
    public const string Create = """
        PRAGMA journal_mode = WAL;
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
}
