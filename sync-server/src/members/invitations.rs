//! The invitations' storage (`impl Storage`). An invitation is an *offer* to join a facility, made to
//! an address: nothing is created for the invited person until they accept it — no account, no
//! membership — so an address is never pre-registered and an account of another organisation never
//! joins without its owner's consent. Each change is one transaction with its audit entry.
//!
//! The offer is answered either by the person signed in with an account of that address
//! ([`Answerer::Account`]) or, for someone without an account, with the token of the e-mail
//! ([`Answerer::Token`]), which proves the mailbox, so the account made then is active at once.

use rempla_core::api::members::{InvitationStatus, Joined, ReceivedInvitation, SentInvitation};
use rempla_core::domain::{Delegation, Facility, Member, MemberId, MemberRole, Right};
use serde::{Deserialize, Serialize};

use super::error::MembersError;
use crate::accounts::queries::{
    ACCOUNT_COLUMNS, Account, AccountKind, account_from, insert_account, insert_member,
};
use crate::audit::{self, AuditEntry};
use crate::db::{Row, Storage, StorageError, Tx, int, json as json_col, text, to_json};

/// The invitations table (a part of `crate::areas::SCHEMA`).
pub const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS invitations (id TEXT PRIMARY KEY, facility_id TEXT NOT NULL, \
     email TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, record TEXT NOT NULL, \
     invited_by TEXT NOT NULL, status TEXT NOT NULL, created_ms BIGINT NOT NULL, \
     expires_ms BIGINT NOT NULL, answered_ms BIGINT)",
    "CREATE INDEX IF NOT EXISTS invitations_email ON invitations (email, status)",
    "CREATE INDEX IF NOT EXISTS invitations_facility ON invitations (facility_id, created_ms)",
];

/// Most invitations a facility's list shows.
const SENT_LIST_MAX: i64 = 200;

/// What is offered, stored as the row's record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    /// The name the inviter gave (the facility's list only; never in the e-mail).
    pub display_name: String,
    /// Role offered.
    pub role: MemberRole,
    /// Rights offered beyond the role.
    pub delegations: Vec<Delegation>,
    /// The inviting member's name at the time.
    pub invited_by_name: String,
}

/// A new invitation to store.
#[derive(Clone, Debug)]
pub struct NewInvitation {
    /// Its id.
    pub id: String,
    /// The facility offering.
    pub facility_id: String,
    /// The invited address, lowercased.
    pub email: String,
    /// SHA-256 of the e-mail's token.
    pub token_hash: String,
    /// What is offered.
    pub offer: Offer,
    /// The inviting account.
    pub invited_by: String,
    /// Now.
    pub created_ms: i64,
    /// When it lapses.
    pub expires_ms: i64,
}

/// A stored invitation with its facility's name, as the answer screens need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredInvitation {
    /// Its id.
    pub id: String,
    /// The facility offering.
    pub facility_id: String,
    /// The facility's registered name.
    pub facility_name: String,
    /// Whether staff verified the facility.
    pub facility_verified: bool,
    /// The invited address.
    pub email: String,
    /// What is offered.
    pub offer: Offer,
    /// Where it stands now (a pending one past its time reads `expired`).
    pub status: InvitationStatus,
    /// When it lapses.
    pub expires_ms: i64,
}

/// Who answers an invitation.
#[derive(Clone, Debug)]
pub enum Answerer {
    /// The signed-in account of the invited address, for the invitation with this id.
    Account {
        /// The invitation.
        invitation_id: String,
        /// The signed-in account.
        account: Account,
    },
    /// Someone holding the e-mail's token; to accept, the account to make for them (its e-mail is
    /// taken from the invitation).
    Token {
        /// SHA-256 of the token.
        token_hash: String,
        /// The account to create on acceptance (ignored for a decline).
        new_account: Option<Account>,
    },
}

const COLUMNS: &str = "i.id, i.facility_id, i.email, i.record, i.status, i.expires_ms, f.record, \
     COALESCE(v.status, 'pending')";
const FROM: &str = "FROM invitations i JOIN facilities f ON f.id = i.facility_id \
     LEFT JOIN facility_verifications v ON v.facility_id = i.facility_id";

fn stored_from(row: &Row, now_ms: i64) -> Result<StoredInvitation, StorageError> {
    let facility: Facility = json_col(row, 6)?;
    let expires_ms = int(row, 5)?;
    let status = InvitationStatus::parse(&text(row, 4)?).unwrap_or(InvitationStatus::Revoked);
    Ok(StoredInvitation {
        id: text(row, 0)?,
        facility_id: text(row, 1)?,
        email: text(row, 2)?,
        offer: json_col(row, 3)?,
        status: if status == InvitationStatus::Pending && expires_ms <= now_ms {
            InvitationStatus::Expired
        } else {
            status
        },
        expires_ms,
        facility_name: facility.name,
        facility_verified: text(row, 7)? == "verified",
    })
}

fn find_tx(
    tx: &mut dyn Tx,
    by: &Answerer,
    now_ms: i64,
) -> Result<Option<StoredInvitation>, StorageError> {
    let rows = match by {
        Answerer::Account { invitation_id, .. } => tx.query(
            &format!("SELECT {COLUMNS} {FROM} WHERE i.id = $1"),
            &[invitation_id.into()],
        )?,
        Answerer::Token { token_hash, .. } => tx.query(
            &format!("SELECT {COLUMNS} {FROM} WHERE i.token_hash = $1"),
            &[token_hash.into()],
        )?,
    };
    let found = rows.first().map(|r| stored_from(r, now_ms)).transpose()?;
    // An account answers only the offers made to its own address; any other id is unknown to it.
    Ok(found.filter(|inv| match by {
        Answerer::Account { account, .. } => account.email == inv.email,
        Answerer::Token { .. } => true,
    }))
}

fn account_by_email_tx(tx: &mut dyn Tx, email: &str) -> Result<Option<Account>, StorageError> {
    let rows = tx.query(
        &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE email = $1"),
        &[email.into()],
    )?;
    rows.first().map(account_from).transpose()
}

fn is_member_tx(
    tx: &mut dyn Tx,
    account_id: &str,
    facility_id: &str,
) -> Result<bool, StorageError> {
    Ok(!tx
        .query(
            "SELECT 1 FROM members WHERE account_id = $1 AND facility_id = $2",
            &[account_id.into(), facility_id.into()],
        )?
        .is_empty())
}

fn closed_tx(tx: &mut dyn Tx, account_id: &str) -> Result<bool, StorageError> {
    Ok(!tx
        .query(
            "SELECT 1 FROM account_closures WHERE account_id = $1",
            &[account_id.into()],
        )?
        .is_empty())
}

fn set_status_tx(
    tx: &mut dyn Tx,
    id: &str,
    status: InvitationStatus,
    now_ms: i64,
) -> Result<(), StorageError> {
    tx.execute(
        "UPDATE invitations SET status = $1, answered_ms = $2 WHERE id = $3",
        &[status.as_str().into(), now_ms.into(), id.into()],
    )?;
    Ok(())
}

/// The pending offer `by` may answer, or why not.
fn answerable_tx(
    tx: &mut dyn Tx,
    by: &Answerer,
    now_ms: i64,
) -> Result<Result<StoredInvitation, MembersError>, StorageError> {
    let Some(inv) = find_tx(tx, by, now_ms)? else {
        return Ok(Err(MembersError::InvitationInvalid));
    };
    if inv.status != InvitationStatus::Pending {
        return Ok(Err(MembersError::InvitationInvalid));
    }
    Ok(Ok(inv))
}

impl Storage {
    /// Stores an invitation, replacing (revoking) a pending one of the same address to the same
    /// facility, so a resent invitation leaves one live link. Refused when an account of that address
    /// is a member already (the managers see their members anyway, so this tells them nothing new).
    pub async fn create_invitation(
        &self,
        new: NewInvitation,
        entry: AuditEntry,
    ) -> Result<Result<(), MembersError>, StorageError> {
        self.write(move |tx| {
            if let Some(account) = account_by_email_tx(tx, &new.email)?
                && is_member_tx(tx, &account.id, &new.facility_id)?
            {
                return Ok(Err(MembersError::AlreadyMember));
            }
            tx.execute(
                "UPDATE invitations SET status = 'revoked', answered_ms = $1 \
                 WHERE facility_id = $2 AND email = $3 AND status = 'pending'",
                &[
                    new.created_ms.into(),
                    (&new.facility_id).into(),
                    (&new.email).into(),
                ],
            )?;
            tx.execute(
                "INSERT INTO invitations (id, facility_id, email, token_hash, record, invited_by, \
                 status, created_ms, expires_ms) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8)",
                &[
                    (&new.id).into(),
                    (&new.facility_id).into(),
                    (&new.email).into(),
                    (&new.token_hash).into(),
                    to_json(&new.offer)?.into(),
                    (&new.invited_by).into(),
                    new.created_ms.into(),
                    new.expires_ms.into(),
                ],
            )?;
            audit::record_tx(tx, &entry)?;
            Ok(Ok(()))
        })
        .await
    }

    /// The facility's invitations, pending first, then the newest ([`SENT_LIST_MAX`] at most).
    pub async fn sent_invitations(
        &self,
        facility_id: &str,
        now_ms: i64,
    ) -> Result<Vec<SentInvitation>, StorageError> {
        let id = facility_id.to_owned();
        self.read(move |tx| {
            let rows = tx.query(
                "SELECT id, email, record, status, created_ms, expires_ms FROM invitations \
                 WHERE facility_id = $1 ORDER BY created_ms DESC, id DESC LIMIT $2",
                &[id.into(), SENT_LIST_MAX.into()],
            )?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                let offer: Offer = json_col(r, 2)?;
                let expires_ms = int(r, 5)?;
                let status =
                    InvitationStatus::parse(&text(r, 3)?).unwrap_or(InvitationStatus::Revoked);
                out.push(SentInvitation {
                    id: text(r, 0)?,
                    email: text(r, 1)?,
                    display_name: offer.display_name,
                    role: offer.role,
                    delegations: offer.delegations,
                    invited_by: offer.invited_by_name,
                    created_ms: int(r, 4)?,
                    expires_ms,
                    status: if status == InvitationStatus::Pending && expires_ms <= now_ms {
                        InvitationStatus::Expired
                    } else {
                        status
                    },
                });
            }
            // Stable: the pending ones keep their newest-first order at the top.
            out.sort_by_key(|i| i.status != InvitationStatus::Pending);
            Ok(out)
        })
        .await
    }

    /// Withdraws a pending invitation of the facility; `None` when there is no such pending one.
    pub async fn revoke_invitation(
        &self,
        facility_id: String,
        invitation_id: String,
        now_ms: i64,
        entry: AuditEntry,
    ) -> Result<Option<()>, StorageError> {
        self.write(move |tx| {
            let done = tx.execute(
                "UPDATE invitations SET status = 'revoked', answered_ms = $1 \
                 WHERE id = $2 AND facility_id = $3 AND status = 'pending' AND expires_ms > $1",
                &[
                    now_ms.into(),
                    (&invitation_id).into(),
                    (&facility_id).into(),
                ],
            )?;
            if done == 0 {
                return Ok(None);
            }
            audit::record_tx(tx, &entry)?;
            Ok(Some(()))
        })
        .await
    }

    /// The pending offers made to `email` by verified facilities, newest first.
    pub async fn received_invitations(
        &self,
        email: &str,
        now_ms: i64,
    ) -> Result<Vec<ReceivedInvitation>, StorageError> {
        let email = email.to_owned();
        self.read(move |tx| {
            let rows = tx.query(
                &format!(
                    "SELECT {COLUMNS} {FROM} WHERE i.email = $1 AND i.status = 'pending' \
                     AND i.expires_ms > $2 ORDER BY i.created_ms DESC LIMIT 50"
                ),
                &[email.into(), now_ms.into()],
            )?;
            let mut out = Vec::new();
            for r in &rows {
                let inv = stored_from(r, now_ms)?;
                if !inv.facility_verified {
                    continue;
                }
                out.push(ReceivedInvitation {
                    rights: offered_rights(&inv),
                    id: inv.id,
                    facility_id: inv
                        .facility_id
                        .parse()
                        .map_err(|_| StorageError::Corrupt("facility id".into()))?,
                    facility_name: inv.facility_name,
                    role: inv.offer.role,
                    invited_by: inv.offer.invited_by_name,
                    expires_ms: inv.expires_ms,
                });
            }
            Ok(out)
        })
        .await
    }

    /// The invitation of an e-mail's token, whatever its state (the link's page says which), and
    /// whether its address already has an account (and of which kind), so the page offers the right
    /// way to answer. Only the token's holder — the mailbox's owner — learns this.
    pub async fn invitation_by_token(
        &self,
        token_hash: String,
        now_ms: i64,
    ) -> Result<Option<(StoredInvitation, Option<(AccountKind, bool)>)>, StorageError> {
        self.read(move |tx| {
            let by = Answerer::Token {
                token_hash,
                new_account: None,
            };
            let Some(inv) = find_tx(tx, &by, now_ms)? else {
                return Ok(None);
            };
            let account = match account_by_email_tx(tx, &inv.email)? {
                Some(a) => {
                    let closed = closed_tx(tx, &a.id)?;
                    Some((a.kind, closed))
                }
                None => None,
            };
            Ok(Some((inv, account)))
        })
        .await
    }

    /// Accepts an invitation: the membership is made with the offered role and rights (and, through
    /// a token, the account too), the invitation marked accepted, both audited. The inner error means
    /// nothing was written.
    pub async fn accept_invitation(
        &self,
        by: Answerer,
        member_id: MemberId,
        now_ms: i64,
    ) -> Result<Result<Joined, MembersError>, StorageError> {
        self.write(move |tx| {
            let inv = match answerable_tx(tx, &by, now_ms)? {
                Ok(inv) => inv,
                Err(e) => return Ok(Err(e)),
            };
            if !inv.facility_verified {
                return Ok(Err(MembersError::FacilityNotVerified));
            }
            let existing = account_by_email_tx(tx, &inv.email)?;
            let account = match (by, existing) {
                (Answerer::Account { account, .. }, _) => account,
                (Answerer::Token { .. }, Some(a)) if closed_tx(tx, &a.id)? => {
                    return Ok(Err(MembersError::AccountClosed));
                }
                (Answerer::Token { .. }, Some(a)) if a.kind == AccountKind::Facility => {
                    return Ok(Err(MembersError::SignInToAccept));
                }
                (Answerer::Token { .. }, Some(_)) => {
                    return Ok(Err(MembersError::WrongAccountKind));
                }
                (Answerer::Token { new_account, .. }, None) => {
                    let Some(new) = new_account else {
                        return Ok(Err(MembersError::InvitationInvalid));
                    };
                    let account = Account {
                        email: inv.email.clone(),
                        kind: AccountKind::Facility,
                        activated: true,
                        ..new
                    };
                    insert_account(tx, &account)?;
                    account
                }
            };
            if account.kind != AccountKind::Facility {
                return Ok(Err(MembersError::WrongAccountKind));
            }
            if is_member_tx(tx, &account.id, &inv.facility_id)? {
                return Ok(Err(MembersError::AlreadyMember));
            }
            let facility_id = inv
                .facility_id
                .parse()
                .map_err(|_| StorageError::Corrupt("facility id".into()))?;
            let member = Member {
                id: member_id,
                facility_id,
                display_name: account.display_name.clone(),
                role: inv.offer.role,
                delegations: inv.offer.delegations.clone(),
            };
            insert_member(tx, &account.id, &member)?;
            set_status_tx(tx, &inv.id, InvitationStatus::Accepted, now_ms)?;
            audit::record_tx(
                tx,
                &AuditEntry {
                    at_ms: now_ms,
                    account_id: Some(account.id.clone()),
                    action: "member_joined".into(),
                    entity: "member".into(),
                    entity_id: member_id.to_string(),
                    facility_id: Some(inv.facility_id.clone()),
                    detail: serde_json::json!({"invitation_id": inv.id, "role": member.role,
                                               "delegations": member.delegations})
                    .to_string(),
                    ..AuditEntry::default()
                },
            )?;
            Ok(Ok(Joined {
                facility_id,
                facility_name: inv.facility_name,
                member_id,
            }))
        })
        .await
    }

    /// Declines a pending invitation (audited for the facility); the inner error means nothing was
    /// written.
    pub async fn decline_invitation(
        &self,
        by: Answerer,
        now_ms: i64,
    ) -> Result<Result<(), MembersError>, StorageError> {
        self.write(move |tx| {
            let inv = match answerable_tx(tx, &by, now_ms)? {
                Ok(inv) => inv,
                Err(e) => return Ok(Err(e)),
            };
            set_status_tx(tx, &inv.id, InvitationStatus::Declined, now_ms)?;
            let account_id = match &by {
                Answerer::Account { account, .. } => Some(account.id.clone()),
                Answerer::Token { .. } => None,
            };
            audit::record_tx(
                tx,
                &AuditEntry {
                    at_ms: now_ms,
                    account_id,
                    action: "invitation_declined".into(),
                    entity: "invitation".into(),
                    entity_id: inv.id.clone(),
                    facility_id: Some(inv.facility_id.clone()),
                    ..AuditEntry::default()
                },
            )?;
            Ok(Ok(()))
        })
        .await
    }
}

/// The facility-wide rights an offer would give, in catalogue order.
pub fn offered_rights(inv: &StoredInvitation) -> Vec<Right> {
    let member = Member {
        id: MemberId::new(),
        facility_id: rempla_core::domain::FacilityId::new(),
        display_name: String::new(),
        role: inv.offer.role,
        delegations: inv.offer.delegations.clone(),
    };
    Right::ALL
        .into_iter()
        .filter(|r| member.can(*r, None))
        .collect()
}
