//! The accounts area's queries: accounts, device tokens, one-time e-mail tokens, terms acceptances,
//! doctor profiles, facilities, sites and memberships.

use serde_json::Value;

use crate::db::{Row, Storage, StorageError, Tx, int, json, opt_int, opt_text, text, to_json};

/// What kind of user an account is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// A replacement doctor.
    Doctor,
    /// A member of one or more facilities.
    Facility,
    /// Platform staff (back office).
    Staff,
}

impl AccountKind {
    /// Stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Doctor => "doctor",
            Self::Facility => "facility",
            Self::Staff => "staff",
        }
    }

    fn parse(s: &str) -> Result<Self, StorageError> {
        match s {
            "doctor" => Ok(Self::Doctor),
            "facility" => Ok(Self::Facility),
            "staff" => Ok(Self::Staff),
            _ => Err(StorageError::Corrupt(format!("account kind {s}"))),
        }
    }
}

/// One login account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// Account id (UUID text).
    pub id: String,
    /// Login e-mail, lowercased.
    pub email: String,
    /// argon2id PHC string; `None` until an invited member chooses one.
    pub password_hash: Option<String>,
    /// Kind of user.
    pub kind: AccountKind,
    /// The doctor profile of a doctor account.
    pub doctor_id: Option<String>,
    /// Name used in e-mails.
    pub display_name: String,
    /// Whether the e-mail address was confirmed.
    pub activated: bool,
    /// Creation time, Unix ms.
    pub created_ms: i64,
}

/// A stored device token (found by the SHA-256 of the bearer token).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRow {
    /// Owning account.
    pub account_id: String,
    /// The device the token was issued to.
    pub device_id: String,
    /// Expiry, Unix ms.
    pub expires_ms: i64,
    /// Revocation time, if revoked.
    pub revoked_ms: Option<i64>,
}

/// A new device token.
#[derive(Clone, Debug)]
pub struct NewToken {
    /// SHA-256 (hex) of the bearer token.
    pub hash: String,
    /// Owning account.
    pub account_id: String,
    /// Device id.
    pub device_id: String,
    /// Device name, for "my devices".
    pub device_name: String,
    /// Platform (android, ios, desktop, cli).
    pub platform: String,
    /// Issue time, Unix ms.
    pub created_ms: i64,
    /// Expiry, Unix ms.
    pub expires_ms: i64,
}

/// A stored doctor profile.
#[derive(Clone, Debug, PartialEq)]
pub struct DoctorRow {
    /// Owning account.
    pub account_id: String,
    /// The `Doctor` record as JSON (status included).
    pub record: Value,
}

/// A membership of an account, with the member record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberRow {
    /// The membership as authorization reads it: as granted once the facility is verified; before, a
    /// viewer who may also manage members (the unverified facility cannot post, propose or read
    /// doctors).
    pub member: rempla_core::domain::Member,
    /// The membership as granted (shown to the member).
    pub granted: rempla_core::domain::Member,
    /// Facility legal name.
    pub facility_name: String,
    /// Whether staff verified the facility (until then its members only read and manage members).
    pub facility_verified: bool,
}

/// The columns of `accounts`, in the order [`account_from`] reads them.
pub(crate) const ACCOUNT_COLUMNS: &str =
    "id, email, password_hash, kind, doctor_id, display_name, activated, created_ms";

/// Reads an account from a row of [`ACCOUNT_COLUMNS`].
pub(crate) fn account_from(row: &Row) -> Result<Account, StorageError> {
    Ok(Account {
        id: text(row, 0)?,
        email: text(row, 1)?,
        password_hash: opt_text(row, 2)?,
        kind: AccountKind::parse(&text(row, 3)?)?,
        doctor_id: opt_text(row, 4)?,
        display_name: text(row, 5)?,
        activated: int(row, 6)? != 0,
        created_ms: int(row, 7)?,
    })
}

/// Inserts an account; `Duplicate("email")` when the address has one.
pub(crate) fn insert_account(tx: &mut dyn Tx, a: &Account) -> Result<(), StorageError> {
    let taken = tx.query(
        "SELECT 1 FROM accounts WHERE email = $1",
        &[(&a.email).into()],
    )?;
    if !taken.is_empty() {
        return Err(StorageError::Duplicate("email".into()));
    }
    tx.execute(
        &format!(
            "INSERT INTO accounts ({ACCOUNT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        ),
        &[
            (&a.id).into(),
            (&a.email).into(),
            a.password_hash.clone().into(),
            a.kind.as_str().into(),
            a.doctor_id.clone().into(),
            (&a.display_name).into(),
            a.activated.into(),
            a.created_ms.into(),
        ],
    )?;
    Ok(())
}

/// Inserts a membership of an account.
pub(crate) fn insert_member(
    tx: &mut dyn Tx,
    account_id: &str,
    m: &rempla_core::domain::Member,
) -> Result<(), StorageError> {
    tx.execute(
        "INSERT INTO members (id, facility_id, account_id, record) VALUES ($1, $2, $3, $4)",
        &[
            m.id.to_string().into(),
            m.facility_id.to_string().into(),
            account_id.into(),
            to_json(m)?.into(),
        ],
    )?;
    Ok(())
}

impl Storage {
    /// Creates a doctor account with its profile. `Duplicate` when the e-mail or RPPS is taken.
    pub async fn create_doctor(
        &self,
        account: Account,
        doctor: rempla_core::domain::Doctor,
    ) -> Result<(), StorageError> {
        self.write(move |tx| {
            insert_account(tx, &account)?;
            let rpps = doctor.rpps.to_string();
            if !tx
                .query("SELECT 1 FROM doctors WHERE rpps = $1", &[(&rpps).into()])?
                .is_empty()
            {
                return Err(StorageError::Duplicate("rpps".into()));
            }
            tx.execute(
                "INSERT INTO doctors (id, account_id, rpps, status, record) VALUES ($1, $2, $3, $4, $5)",
                &[
                    doctor.id.to_string().into(),
                    (&account.id).into(),
                    rpps.into(),
                    doctor.status.as_str().into(),
                    to_json(&doctor)?.into(),
                ],
            )?;
            crate::matching::queries::doctor_changed_tx(tx, &doctor.id.to_string())
        })
        .await
    }

    /// Creates a facility with its first (admin) member account.
    pub async fn create_facility(
        &self,
        account: Account,
        facility: rempla_core::domain::Facility,
        member: rempla_core::domain::Member,
    ) -> Result<(), StorageError> {
        self.write(move |tx| {
            insert_account(tx, &account)?;
            tx.execute(
                "INSERT INTO facilities (id, record) VALUES ($1, $2)",
                &[facility.id.to_string().into(), to_json(&facility)?.into()],
            )?;
            tx.execute(
                "INSERT INTO facility_verifications (facility_id, status, created_ms) \
                 VALUES ($1, 'pending', $2)",
                &[facility.id.to_string().into(), account.created_ms.into()],
            )?;
            insert_member(tx, &account.id, &member)
        })
        .await
    }

    /// Seeds a member account of a facility directly, for the operator's demo dataset only: people join
    /// a facility by accepting an invitation (`crate::members::invitations`), never this way.
    pub async fn seed_member(
        &self,
        account: Account,
        member: rempla_core::domain::Member,
    ) -> Result<(), StorageError> {
        self.write(move |tx| {
            insert_account(tx, &account)?;
            insert_member(tx, &account.id, &member)
        })
        .await
    }

    /// Creates a staff account (command line only).
    pub async fn create_staff(&self, account: Account) -> Result<(), StorageError> {
        self.write(move |tx| insert_account(tx, &account)).await
    }

    /// The account with this (lowercased) e-mail.
    pub async fn account_by_email(&self, email: &str) -> Result<Option<Account>, StorageError> {
        let email = email.to_owned();
        self.read(move |tx| {
            let rows = tx.query(
                &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE email = $1"),
                &[email.into()],
            )?;
            rows.first().map(account_from).transpose()
        })
        .await
    }

    /// The account with this id.
    pub async fn account(&self, id: &str) -> Result<Option<Account>, StorageError> {
        let id = id.to_owned();
        self.read(move |tx| {
            let rows = tx.query(
                &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1"),
                &[id.into()],
            )?;
            rows.first().map(account_from).transpose()
        })
        .await
    }

    /// Stores a one-time e-mail token (activation or reset), by its hash.
    pub async fn insert_mail_token(
        &self,
        hash: String,
        account_id: String,
        purpose: &'static str,
        expires_ms: i64,
    ) -> Result<(), StorageError> {
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO mail_tokens (hash, account_id, purpose, expires_ms) VALUES ($1, $2, $3, $4)",
                &[hash.into(), account_id.into(), purpose.into(), expires_ms.into()],
            )
            .map(|_| ())
        })
        .await
    }

    /// Uses a one-time e-mail token: marks it used and returns its account, when it exists, has this
    /// purpose, is unused and unexpired. With `password_hash`, also sets the password. Either purpose
    /// marks the account activated; a `reset` also revokes every device token of the account. With
    /// `require_password_if_unset`, an account without a password must be given one.
    pub async fn consume_mail_token(
        &self,
        hash: String,
        purpose: &'static str,
        now_ms: i64,
        password_hash: Option<String>,
        require_password_if_unset: bool,
    ) -> Result<MailTokenUse, StorageError> {
        self.write(move |tx| {
            let rows = tx.query(
                "SELECT t.account_id FROM mail_tokens t WHERE t.hash = $1 AND t.purpose = $2 \
                 AND t.used_ms IS NULL AND t.expires_ms > $3 \
                 AND NOT EXISTS (SELECT 1 FROM account_closures c WHERE c.account_id = t.account_id)",
                &[(&hash).into(), purpose.into(), now_ms.into()],
            )?;
            let Some(row) = rows.first() else {
                return Ok(MailTokenUse::Invalid);
            };
            let account_id = text(row, 0)?;
            let has_password = !tx
                .query(
                    "SELECT 1 FROM accounts WHERE id = $1 AND password_hash IS NOT NULL",
                    &[(&account_id).into()],
                )?
                .is_empty();
            if require_password_if_unset && !has_password && password_hash.is_none() {
                return Ok(MailTokenUse::PasswordRequired);
            }
            tx.execute(
                "UPDATE mail_tokens SET used_ms = $1 WHERE hash = $2",
                &[now_ms.into(), hash.into()],
            )?;
            if let Some(h) = password_hash {
                tx.execute(
                    "UPDATE accounts SET password_hash = $1 WHERE id = $2",
                    &[h.into(), (&account_id).into()],
                )?;
            }
            // Both links prove the address belongs to the user, so both activate the account.
            tx.execute(
                "UPDATE accounts SET activated = 1 WHERE id = $1",
                &[(&account_id).into()],
            )?;
            if purpose != "activate" {
                tx.execute(
                    "UPDATE tokens SET revoked_ms = $1 WHERE account_id = $2 AND revoked_ms IS NULL",
                    &[now_ms.into(), (&account_id).into()],
                )?;
            }
            Ok(MailTokenUse::Used(account_id))
        })
        .await
    }

    /// Whether a one-time link is live (unused, unexpired, of an account not closed): checked before
    /// any password hash is computed for it.
    pub async fn mail_token_live(
        &self,
        hash: String,
        purpose: &'static str,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        self.read(move |tx| {
            Ok(!tx
                .query(
                    "SELECT 1 FROM mail_tokens t WHERE t.hash = $1 AND t.purpose = $2 \
                     AND t.used_ms IS NULL AND t.expires_ms > $3 \
                     AND NOT EXISTS (SELECT 1 FROM account_closures c WHERE c.account_id = t.account_id)",
                    &[(&hash).into(), purpose.into(), now_ms.into()],
                )?
                .is_empty())
        })
        .await
    }

    /// Whether the account was closed (closure is irreversible: no link brings it back).
    pub async fn account_closed(&self, account_id: &str) -> Result<bool, StorageError> {
        let id = account_id.to_owned();
        self.read(move |tx| {
            Ok(!tx
                .query(
                    "SELECT 1 FROM account_closures WHERE account_id = $1",
                    &[(&id).into()],
                )?
                .is_empty())
        })
        .await
    }

    /// Stores a new device token (revoking an older token of the same account and device).
    pub async fn insert_token(&self, t: NewToken) -> Result<(), StorageError> {
        self.write(move |tx| {
            tx.execute(
                "UPDATE tokens SET revoked_ms = $1 WHERE account_id = $2 AND device_id = $3 \
                 AND revoked_ms IS NULL",
                &[t.created_ms.into(), (&t.account_id).into(), (&t.device_id).into()],
            )?;
            tx.execute(
                "INSERT INTO tokens (hash, account_id, device_id, device_name, platform, created_ms, \
                 expires_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    t.hash.into(),
                    t.account_id.into(),
                    t.device_id.into(),
                    t.device_name.into(),
                    t.platform.into(),
                    t.created_ms.into(),
                    t.expires_ms.into(),
                ],
            )
            .map(|_| ())
        })
        .await
    }

    /// The token with this hash.
    pub async fn token(&self, hash: &str) -> Result<Option<TokenRow>, StorageError> {
        let hash = hash.to_owned();
        self.read(move |tx| {
            let rows = tx.query(
                "SELECT account_id, device_id, expires_ms, revoked_ms FROM tokens WHERE hash = $1",
                &[hash.into()],
            )?;
            rows.first()
                .map(|r| {
                    Ok(TokenRow {
                        account_id: text(r, 0)?,
                        device_id: text(r, 1)?,
                        expires_ms: int(r, 2)?,
                        revoked_ms: opt_int(r, 3)?,
                    })
                })
                .transpose()
        })
        .await
    }

    /// Revokes one token (logout).
    pub async fn revoke_token(&self, hash: &str, now_ms: i64) -> Result<(), StorageError> {
        let hash = hash.to_owned();
        self.write(move |tx| {
            tx.execute(
                "UPDATE tokens SET revoked_ms = $1 WHERE hash = $2 AND revoked_ms IS NULL",
                &[now_ms.into(), hash.into()],
            )
            .map(|_| ())
        })
        .await
    }

    /// Revokes every token of an account ("I lost my password").
    pub async fn revoke_all_tokens(
        &self,
        account_id: &str,
        now_ms: i64,
    ) -> Result<u64, StorageError> {
        let id = account_id.to_owned();
        self.write(move |tx| {
            tx.execute(
                "UPDATE tokens SET revoked_ms = $1 WHERE account_id = $2 AND revoked_ms IS NULL",
                &[now_ms.into(), id.into()],
            )
        })
        .await
    }

    /// Keeps the proof that an account accepted a terms version from a device.
    pub async fn accept_terms(
        &self,
        account_id: String,
        device_id: String,
        version: String,
        sha256: String,
        now_ms: i64,
    ) -> Result<(), StorageError> {
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO terms_acceptances (account_id, device_id, version, sha256, accepted_ms) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                &[account_id.into(), device_id.into(), version.into(), sha256.into(), now_ms.into()],
            )
            .map(|_| ())
        })
        .await
    }

    /// Whether the account accepted this terms version (from any device).
    pub async fn has_accepted_terms(
        &self,
        account_id: &str,
        version: &str,
    ) -> Result<bool, StorageError> {
        let (a, v) = (account_id.to_owned(), version.to_owned());
        self.read(move |tx| {
            Ok(!tx
                .query(
                    "SELECT 1 FROM terms_acceptances WHERE account_id = $1 AND version = $2",
                    &[a.into(), v.into()],
                )?
                .is_empty())
        })
        .await
    }

    /// The acceptance proofs of an account: `(version, sha256, device, time)`.
    pub async fn terms_proofs(
        &self,
        account_id: &str,
    ) -> Result<Vec<(String, String, String, i64)>, StorageError> {
        let a = account_id.to_owned();
        self.read(move |tx| {
            tx.query(
                "SELECT version, sha256, device_id, accepted_ms FROM terms_acceptances \
                 WHERE account_id = $1 ORDER BY accepted_ms",
                &[a.into()],
            )?
            .iter()
            .map(|r| Ok((text(r, 0)?, text(r, 1)?, text(r, 2)?, int(r, 3)?)))
            .collect()
        })
        .await
    }

    /// A doctor profile.
    pub async fn doctor(&self, id: &str) -> Result<Option<DoctorRow>, StorageError> {
        let id = id.to_owned();
        self.read(move |tx| {
            let rows = tx.query(
                "SELECT account_id, record FROM doctors WHERE id = $1",
                &[id.into()],
            )?;
            rows.first()
                .map(|r| {
                    Ok(DoctorRow {
                        account_id: text(r, 0)?,
                        record: json(r, 1)?,
                    })
                })
                .transpose()
        })
        .await
    }

    /// Changes a doctor's status with `decide`, applied to the record read inside the write
    /// transaction (writes are serialised on both backends), so a profile correction racing with it
    /// can neither undo it nor be undone; `None` when the doctor does not exist. Returns the record.
    pub async fn change_doctor_status<E: Send + 'static>(
        &self,
        id: &str,
        decide: impl FnOnce(&mut rempla_core::domain::Doctor) -> Result<(), E> + Send + 'static,
    ) -> Result<Option<Result<Value, E>>, StorageError> {
        let id = id.to_owned();
        self.write(move |tx| {
            let rows = tx.query("SELECT record FROM doctors WHERE id = $1", &[(&id).into()])?;
            let Some(row) = rows.first() else {
                return Ok(None);
            };
            let mut doctor: rempla_core::domain::Doctor = serde_json::from_str(&text(row, 0)?)
                .map_err(|e| StorageError::Corrupt(e.to_string()))?;
            if let Err(e) = decide(&mut doctor) {
                return Ok(Some(Err(e)));
            }
            let record =
                serde_json::to_value(&doctor).map_err(|e| StorageError::Corrupt(e.to_string()))?;
            tx.execute(
                "UPDATE doctors SET status = $1, record = $2 WHERE id = $3",
                &[
                    doctor.status.as_str().into(),
                    to_json(&record)?.into(),
                    (&id).into(),
                ],
            )?;
            crate::matching::queries::doctor_changed_tx(tx, &id)?;
            Ok(Some(Ok(record)))
        })
        .await
    }

    /// Whether one of `facilities` has a mission with the doctor that unlocked their contact details
    /// (any mission not cancelled before it started).
    pub async fn unlocked_for(
        &self,
        doctor_id: &str,
        facilities: &[String],
    ) -> Result<bool, StorageError> {
        let (d, list) = (doctor_id.to_owned(), facilities.to_vec());
        self.read(move |tx| {
            for f in &list {
                let rows = tx.query(
                    "SELECT 1 FROM missions WHERE doctor_id = $1 AND facility_id = $2 \
                     AND status <> 'cancelled' LIMIT 1",
                    &[(&d).into(), f.into()],
                )?;
                if !rows.is_empty() {
                    return Ok(true);
                }
            }
            Ok(false)
        })
        .await
    }

    /// Every membership of an account.
    pub async fn memberships(&self, account_id: &str) -> Result<Vec<MemberRow>, StorageError> {
        let a = account_id.to_owned();
        self.read(move |tx| {
            tx.query(
                "SELECT m.record, f.record, v.status FROM members m \
                 JOIN facilities f ON f.id = m.facility_id \
                 LEFT JOIN facility_verifications v ON v.facility_id = m.facility_id \
                 WHERE m.account_id = $1 ORDER BY m.id",
                &[a.into()],
            )?
            .iter()
            .map(|r| {
                let facility: rempla_core::domain::Facility = json(r, 1)?;
                let granted: rempla_core::domain::Member = json(r, 0)?;
                let verified = opt_text(r, 2)?.as_deref() == Some("verified");
                let member = if verified {
                    granted.clone()
                } else {
                    rempla_core::domain::Member {
                        role: rempla_core::domain::MemberRole::Viewer,
                        delegations: vec![rempla_core::domain::Delegation {
                            right: rempla_core::domain::Right::ManageMembers,
                            site_id: None,
                        }],
                        ..granted.clone()
                    }
                };
                Ok(MemberRow {
                    member,
                    granted,
                    facility_name: facility.name,
                    facility_verified: verified,
                })
            })
            .collect()
        })
        .await
    }

    /// A facility record.
    pub async fn facility(&self, id: &str) -> Result<Option<Value>, StorageError> {
        let id = id.to_owned();
        self.read(move |tx| {
            let rows = tx.query("SELECT record FROM facilities WHERE id = $1", &[id.into()])?;
            rows.first().map(|r| json(r, 0)).transpose()
        })
        .await
    }

    /// Adds or replaces a site of a facility.
    pub async fn put_site(&self, site: rempla_core::domain::Site) -> Result<(), StorageError> {
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO sites (id, facility_id, record) VALUES ($1, $2, $3) \
                 ON CONFLICT (id) DO UPDATE SET record = excluded.record \
                 WHERE sites.facility_id = excluded.facility_id",
                &[
                    site.id.to_string().into(),
                    site.facility_id.to_string().into(),
                    to_json(&site)?.into(),
                ],
            )
            .map(|_| ())
        })
        .await
    }

    /// The sites of a facility.
    pub async fn sites(&self, facility_id: &str) -> Result<Vec<Value>, StorageError> {
        let id = facility_id.to_owned();
        self.read(move |tx| {
            tx.query(
                "SELECT record FROM sites WHERE facility_id = $1 ORDER BY id",
                &[id.into()],
            )?
            .iter()
            .map(|r| json(r, 0))
            .collect()
        })
        .await
    }
}

/// Result of using a one-time e-mail token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MailTokenUse {
    /// Used; the account id.
    Used(String),
    /// Unknown, used, expired or of another purpose.
    Invalid,
    /// The account has no password yet and none was given.
    PasswordRequired,
}
