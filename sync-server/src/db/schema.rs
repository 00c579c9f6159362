//! The core part of the schema, idempotent (`IF NOT EXISTS`), in the common dialect of both backends:
//! accounts, facilities, the sync feed and the op log. Each area that owns tables has its own `SCHEMA`
//! part beside its code; `crate::areas::SCHEMA` lists them all in creation order. Append statements or
//! parts; never edit a shipped statement (databases already ran it).

/// The accounts, facilities, sync feed and op log tables.
pub const CORE: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL)",
    "INSERT INTO meta (key, value) VALUES ('seq', 0) ON CONFLICT DO NOTHING",
    "CREATE TABLE IF NOT EXISTS accounts (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, \
     password_hash TEXT, kind TEXT NOT NULL, doctor_id TEXT, display_name TEXT NOT NULL, \
     activated BIGINT NOT NULL, created_ms BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS doctors (id TEXT PRIMARY KEY, account_id TEXT NOT NULL, \
     rpps TEXT NOT NULL UNIQUE, status TEXT NOT NULL, record TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS facilities (id TEXT PRIMARY KEY, record TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sites (id TEXT PRIMARY KEY, facility_id TEXT NOT NULL, record TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS members (id TEXT PRIMARY KEY, facility_id TEXT NOT NULL, \
     account_id TEXT NOT NULL, record TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS members_account ON members (account_id)",
    "CREATE TABLE IF NOT EXISTS tokens (hash TEXT PRIMARY KEY, account_id TEXT NOT NULL, \
     device_id TEXT NOT NULL, device_name TEXT NOT NULL, platform TEXT NOT NULL, \
     created_ms BIGINT NOT NULL, expires_ms BIGINT NOT NULL, revoked_ms BIGINT)",
    "CREATE INDEX IF NOT EXISTS tokens_account ON tokens (account_id)",
    "CREATE TABLE IF NOT EXISTS mail_tokens (hash TEXT PRIMARY KEY, account_id TEXT NOT NULL, \
     purpose TEXT NOT NULL, expires_ms BIGINT NOT NULL, used_ms BIGINT)",
    "CREATE TABLE IF NOT EXISTS terms_acceptances (account_id TEXT NOT NULL, device_id TEXT NOT NULL, \
     version TEXT NOT NULL, sha256 TEXT NOT NULL, accepted_ms BIGINT NOT NULL, \
     PRIMARY KEY (account_id, version, device_id))",
    "CREATE TABLE IF NOT EXISTS records (entity TEXT NOT NULL, id TEXT NOT NULL, doctor_id TEXT, \
     facility_id TEXT, account_id TEXT, state TEXT NOT NULL, hlc TEXT NOT NULL, seq BIGINT NOT NULL, \
     PRIMARY KEY (entity, id))",
    "CREATE INDEX IF NOT EXISTS records_seq ON records (seq)",
    "CREATE INDEX IF NOT EXISTS records_doctor ON records (doctor_id, seq)",
    "CREATE INDEX IF NOT EXISTS records_facility ON records (facility_id, seq)",
    "CREATE TABLE IF NOT EXISTS ops (op_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, \
     device_id TEXT NOT NULL, outcome TEXT NOT NULL, applied_ms BIGINT NOT NULL)",
    // A facility is verified by staff (SIRET checked) before it may post requests, see candidates or
    // read a doctor's profile. A sign-up writes `pending` in its own transaction; facilities that
    // existed before this table are kept as they worked (`verified`): the statement only fills the
    // facilities without a row, so it never verifies a pending one.
    "CREATE TABLE IF NOT EXISTS facility_verifications (facility_id TEXT PRIMARY KEY, \
     status TEXT NOT NULL, reason TEXT, decided_ms BIGINT, staff_account_id TEXT, \
     created_ms BIGINT NOT NULL)",
    "INSERT INTO facility_verifications (facility_id, status, created_ms) \
     SELECT id, 'verified', 0 FROM facilities WHERE true ON CONFLICT DO NOTHING",
];
