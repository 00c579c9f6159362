//! The calls a facility's coordinators make beside sync — the facility and its sites, the ranked
//! candidates of a request, proposals, missions (the planning and payroll export), invoices and the
//! statement of charges, members and their rights — as typed methods of [`ApiClient`], so the desktop
//! sends the same paths and bodies as every other front end and reads the server's real shapes
//! (`docs/api/matching.md`, `workflow.md`, `billing.md`, `members.md`).
//!
//! Answers ignore fields they do not know, so the server may add some. Rights and roles travel as the
//! server's names (strings) in the bodies: the server judges them (`unknown_role`, `unknown_right`).

use rempla_core::domain::{FacilityId, MemberId, RequestId};

use crate::error::SyncClientError;
use crate::http::ApiClient;

pub use rempla_core::api::accounts::{FacilityView, Me, Membership};

pub use rempla_core::api::matching::{
    Candidate, CandidateProfile, Candidates, Criterion, Reach, Split, SplitMethod, SplitPart,
};
pub use rempla_core::api::missions::{
    Cancellation, LIST_PAGE_MAX, MissionList, MissionView, ProposalList, ProposalMade,
    ProposalView, Signature,
};
pub use rempla_core::api::workflow::NewProposal;
pub use rempla_core::calendar::{Coverage, ShiftCoverage};

pub use rempla_core::api::billing::{
    Amounts, ChargeLine, ChargeStatement, ChargeTotals, Customer, Invoice, InvoiceLine, InvoiceList,
};

pub use rempla_core::api::members::{
    DelegationIn, Invitation, InvitationStatus, Invited, Joined, MemberChanged, MemberEntry,
    MemberList, MemberRights, ReceivedInvitation, ReceivedInvitations, SentInvitation,
    SentInvitations,
};

/// Most pages a whole-list call walks (200 entries each): a bound, so a server answering cursors
/// forever cannot keep a client looping.
const MAX_PAGES: usize = 500;

#[cfg(test)]
pub(crate) fn decode<T: serde::de::DeserializeOwned>(
    value: serde_json::Value,
) -> Result<T, SyncClientError> {
    serde_json::from_value(value).map_err(|e| SyncClientError::Protocol {
        reason: format!("JSON inattendu : {e}"),
    })
}

/// Encodes a request body as the typed calls send it (the tests' way to check a documented body).
#[cfg(test)]
pub(crate) fn body<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, SyncClientError> {
    serde_json::to_value(value).map_err(|e| SyncClientError::Protocol {
        reason: format!("encodage : {e}"),
    })
}

/// The `?from=…&to=…` of a statement, each bound optional (`YYYY-MM-DD`, checked by the server).
fn period_query(from: Option<&str>, to: Option<&str>, format: Option<&str>) -> String {
    let parts: Vec<String> = [("from", from), ("to", to), ("format", format)]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k}={}", query_value(v))))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// Keeps a query value to the characters a day needs (digits and `-`), so no caller text can add
/// parameters.
fn query_value(v: &str) -> String {
    v.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}

impl ApiClient {
    /// A facility and its sites (`GET /v1/facilities/{id}`).
    pub fn facility(&self, id: FacilityId) -> Result<FacilityView, SyncClientError> {
        self.get_json(&format!("/v1/facilities/{id}"))
    }

    /// The ranked candidates of an open request (`GET /v1/requests/{id}/candidates`; `conflict` once
    /// the request is no longer open).
    pub fn candidates(&self, request: RequestId) -> Result<Candidates, SyncClientError> {
        self.get_json(&format!("/v1/requests/{request}/candidates"))
    }

    /// Offers a request to a doctor (`POST /v1/requests/{id}/proposals`); a replay with the same
    /// [`NewProposal::id`] answers the proposal already made.
    pub fn send_proposal(
        &self,
        request: RequestId,
        proposal: &NewProposal,
    ) -> Result<ProposalView, SyncClientError> {
        self.post_json::<_, ProposalMade>(&format!("/v1/requests/{request}/proposals"), proposal)
            .map(|a| a.proposal)
    }

    /// The proposals of one request the caller may read, newest first
    /// (`GET /v1/proposals?request_id=`).
    pub fn proposals_of_request(
        &self,
        request: RequestId,
    ) -> Result<ProposalList, SyncClientError> {
        let proposals = self.every_page(
            &format!("/v1/proposals?request_id={request}&"),
            |p: ProposalList| (p.proposals, p.next_before),
        )?;
        Ok(ProposalList {
            proposals,
            next_before: None,
        })
    }

    /// The missions the caller may read, without contact details (`GET /v1/missions`, every page):
    /// the planning and the payroll export.
    pub fn missions(&self) -> Result<MissionList, SyncClientError> {
        let missions = self.every_page("/v1/missions?", |p: MissionList| {
            (p.missions, p.next_before)
        })?;
        Ok(MissionList {
            missions,
            next_before: None,
        })
    }

    /// Every entry of a list paged by `before` (`path` ends with `?` or `&`), page after page, at most
    /// [`MAX_PAGES`] pages.
    fn every_page<P: serde::de::DeserializeOwned, T>(
        &self,
        path: &str,
        split: impl Fn(P) -> (Vec<T>, Option<String>),
    ) -> Result<Vec<T>, SyncClientError> {
        let mut all = Vec::new();
        let mut before: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let cursor = before
                .as_deref()
                .map(|b| format!("&before={b}"))
                .unwrap_or_default();
            let (page, next) =
                split(self.get_json(&format!("{path}limit={LIST_PAGE_MAX}{cursor}"))?);
            all.extend(page);
            match next {
                Some(next) => before = Some(next),
                None => break,
            }
        }
        Ok(all)
    }

    /// The PDF of an invoice or credit note (`GET /v1/invoices/{id}.pdf`; the billing right).
    pub fn invoice_pdf(&self, invoice: uuid::Uuid) -> Result<Vec<u8>, SyncClientError> {
        self.get_bytes(&format!("/v1/invoices/{invoice}.pdf"))
    }

    /// A facility's invoices and credit notes in number order (`GET /v1/facilities/{id}/invoices`).
    pub fn invoices(&self, facility: FacilityId) -> Result<InvoiceList, SyncClientError> {
        self.get_json(&format!("/v1/facilities/{facility}/invoices"))
    }

    /// The statement of charges between two days, both included (`GET /v1/facilities/{id}/charges`;
    /// either bound may be left out).
    pub fn charges(
        &self,
        facility: FacilityId,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<ChargeStatement, SyncClientError> {
        let query = period_query(from, to, None);
        self.get_json(&format!("/v1/facilities/{facility}/charges{query}"))
    }

    /// The same statement as a spreadsheet (`format=csv`: `;`-separated, French decimals), as text.
    pub fn charges_csv(
        &self,
        facility: FacilityId,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<String, SyncClientError> {
        let query = period_query(from, to, Some("csv"));
        let bytes = self.get_bytes(&format!("/v1/facilities/{facility}/charges{query}"))?;
        String::from_utf8(bytes).map_err(|e| SyncClientError::Protocol {
            reason: format!("CSV illisible : {e}"),
        })
    }

    /// A facility's members (`GET /v1/facilities/{id}/members`; `manage_members` or staff).
    pub fn members(&self, facility: FacilityId) -> Result<MemberList, SyncClientError> {
        self.get_json(&format!("/v1/facilities/{facility}/members"))
    }

    /// Offers someone a place (`POST /v1/facilities/{id}/members`): the server mails the offer, and
    /// nobody joins until the person accepts it.
    pub fn invite_member(
        &self,
        facility: FacilityId,
        invitation: &Invitation,
    ) -> Result<Invited, SyncClientError> {
        self.post_json(&format!("/v1/facilities/{facility}/members"), invitation)
    }

    /// The facility's invitations and where each stands (`GET /v1/facilities/{id}/invitations`).
    pub fn sent_invitations(
        &self,
        facility: FacilityId,
    ) -> Result<SentInvitations, SyncClientError> {
        self.get_json(&format!("/v1/facilities/{facility}/invitations"))
    }

    /// Withdraws a pending invitation (`DELETE /v1/facilities/{id}/invitations/{invitation_id}`).
    pub fn revoke_invitation(
        &self,
        facility: FacilityId,
        invitation: uuid::Uuid,
    ) -> Result<(), SyncClientError> {
        self.delete(&format!(
            "/v1/facilities/{facility}/invitations/{invitation}"
        ))
    }

    /// The offers made to the signed-in account's address (`GET /v1/me/invitations`).
    pub fn received_invitations(&self) -> Result<ReceivedInvitations, SyncClientError> {
        self.get_json("/v1/me/invitations")
    }

    /// Accepts an offer made to the signed-in account (`POST /v1/me/invitations/{id}/accept`).
    pub fn accept_invitation(&self, invitation: uuid::Uuid) -> Result<Joined, SyncClientError> {
        self.post_json(
            &format!("/v1/me/invitations/{invitation}/accept"),
            &serde_json::json!({}),
        )
    }

    /// Declines an offer made to the signed-in account (`POST /v1/me/invitations/{id}/decline`).
    pub fn decline_invitation(&self, invitation: uuid::Uuid) -> Result<(), SyncClientError> {
        self.post_json::<_, Option<serde_json::Value>>(
            &format!("/v1/me/invitations/{invitation}/decline"),
            &serde_json::json!({}),
        )
        .map(|_| ())
    }

    /// Replaces a member's role and rights (`PUT /v1/facilities/{id}/members/{member_id}`;
    /// `last_admin` when it would leave the facility without an administrator).
    pub fn change_member(
        &self,
        facility: FacilityId,
        member: MemberId,
        rights: &MemberRights,
    ) -> Result<MemberChanged, SyncClientError> {
        self.put_json(
            &format!("/v1/facilities/{facility}/members/{member}"),
            rights,
        )
    }

    /// Removes a member (`DELETE /v1/facilities/{id}/members/{member_id}`); the account stays.
    pub fn remove_member(
        &self,
        facility: FacilityId,
        member: MemberId,
    ) -> Result<(), SyncClientError> {
        self.delete(&format!("/v1/facilities/{facility}/members/{member}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn candidates_decode_the_documented_answer_and_ignore_unknown_fields() {
        let answer: Candidates = decode(json!({
            "request_id": "0193a000-0000-7000-8000-000000000001",
            "complete_count": 1, "partial_count": 0,
            "candidates": [{
                "doctor": "0193a000-0000-7000-8000-000000000002",
                "profile": {"id": "0193a000-0000-7000-8000-000000000002", "first_name": "Anne",
                            "last_name": "Martin", "specialties": ["urgences"],
                            "qualification": {"kind": "thesed"}},
                "status": "complete",
                "coverage": {"status": "complete",
                             "shifts": [{"shift": {"start": "2030-01-07T07:00:00Z", "end": "2030-01-07T19:00:00Z"},
                                         "covered": [{"start": "2030-01-07T07:00:00Z", "end": "2030-01-07T19:00:00Z"}],
                                         "uncovered": [], "status": "complete"}]},
                "reach": {"by": "radius", "distance_km": 31.2, "radius_km": 50},
                "score": 912,
                "criteria": [{"name": "coverage", "points": 600, "max_points": 600, "explanation": "…",
                              "facts": {"x": 1}}],
                "tie_break": 1_234_567_890_u64
            }],
            "split": null
        }))
        .unwrap();
        assert_eq!(answer.candidates[0].profile.first_name, "Anne");
        assert_eq!(answer.candidates[0].reach.distance_km, Some(31.2));
        assert_eq!(answer.candidates[0].coverage.shifts[0].covered.len(), 1);
        assert!(answer.split.is_none());
    }

    #[test]
    fn statement_queries_keep_to_days() {
        assert_eq!(period_query(None, None, None), "");
        assert_eq!(
            period_query(Some("2026-11-01"), None, Some("csv")),
            "?from=2026-11-01&format=csv"
        );
        assert_eq!(
            period_query(Some("2026&x=1"), Some("2026-11-30"), None),
            "?from=2026x1&to=2026-11-30"
        );
    }

    #[test]
    fn invitation_body_is_flat_and_omits_facility_wide_sites() {
        let invitation = Invitation::new(
            "a@b.fr".into(),
            "A B".into(),
            MemberRights {
                role: "planner".into(),
                delegations: vec![DelegationIn {
                    right: "billing".into(),
                    site_id: None,
                }],
            },
        );
        assert_eq!(
            body(&invitation).unwrap(),
            json!({"email": "a@b.fr", "display_name": "A B", "role": "planner",
                   "delegations": [{"right": "billing"}]})
        );
    }

    #[test]
    fn invoices_and_statements_decode_with_flattened_totals() {
        let list: InvoiceList = decode(json!({"invoices": [{
            "id": "i1", "number": "2026-000001", "year": 2026, "seq": 1, "kind": "invoice",
            "facility_id": "f", "doctor_id": "d", "mission_id": "m", "issued_ms": 1, "vat_bps": 2000,
            "ht_cents": 100, "vat_cents": 20, "ttc_cents": 120,
            "customer": {"name": "CH", "siret": "x", "address": "y"}, "subject": "s",
            "lines": [{"label": "l", "quantity": 2, "unit_cents": 50, "total_cents": 100}],
            "cancels_id": null
        }]}))
        .unwrap();
        assert_eq!(list.invoices[0].totals.ttc_cents, 120);
        let zero = json!({"ht_cents": 0, "vat_cents": 0, "ttc_cents": 0});
        let statement: ChargeStatement = decode(json!({
            "facility_id": "f", "from": null, "to": null,
            "charges": [{"mission_id": "m", "doctor_id": "d", "at_ms": 1, "ht_cents": 1, "vat_cents": 0,
                         "ttc_cents": 1, "invoice_number": "2026-000001", "credit_note_number": null,
                         "cancelled_ms": null}],
            "totals": {"charged": zero, "credited": zero, "net": zero}
        }))
        .unwrap();
        assert_eq!(statement.charges[0].totals.ht_cents, 1);
    }
}
