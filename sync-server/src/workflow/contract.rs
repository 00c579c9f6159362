//! The *contrat de remplacement* of a mission: its facts for the PDF and the signing by click, whose
//! proof (account, device, SHA-256 of the version signed) is kept per party.

use rempla_core::api::ErrorCode;
use rempla_core::domain::{MissionStatus, Right};
use rempla_core::sync::Hlc;
use serde_json::json;

use super::flow::{Answer, Flow, read_flow, refused, write_flow};
use super::model::{Actor, Done, MissionView, corrupt, from_ms};
use super::refusal::{Refusal, state};
use super::rows::{
    MissionRow, audit_tx, facility_accounts, load_doctor, load_facility, load_mission,
    load_request, load_site, put_feed_mission, side, tell,
};
use crate::db::{Storage, Tx, int};

/// The *contrat de remplacement*'s facts (parties, dates, place, fees as agreed) are billing's
/// `pdf::contract::ContractFacts`: the PDF prints its `version_hash`, which is what a party signs, so the
/// hash on paper and the hash of the signature proof are the same.
pub use crate::pdf::contract::ContractFacts;
use crate::pdf::contract::{Fees, ReplacedParty, ReplacingParty, place_of};

pub(crate) fn contract_facts_tx(tx: &mut dyn Tx, m: &MissionRow) -> Result<ContractFacts, Flow> {
    let mission = &m.view.mission;
    let missing = |what: &str| Flow::Db(corrupt(format!("contrat : {what} introuvable")));
    let (_, doctor) = load_doctor(tx, &m.doctor_id)?.ok_or_else(|| missing("médecin"))?;
    let facility = load_facility(tx, &m.facility_id)?.ok_or_else(|| missing("établissement"))?;
    let site = load_site(tx, &mission.site_id.to_string())?.ok_or_else(|| missing("site"))?;
    let request = load_request(tx, &mission.request_id.to_string())?;
    // Only what was agreed goes in the contract: a request without a stated fee cannot make one.
    let Some(cents_per_day) = request.and_then(|r| r.remuneration_cents_per_day) else {
        return refused(state(
            ErrorCode::FeesNotAgreed,
            "la demande n'indique pas la rémunération convenue : renseignez-la pour établir le contrat",
        ));
    };
    let created = tx
        .query(
            "SELECT created_ms FROM missions WHERE id = $1",
            &[mission.id.to_string().into()],
        )?
        .first()
        .map(|r| int(r, 0))
        .transpose()?
        .unwrap_or(0);
    // The doctor's Ordre département is not in the profile yet: the site's stands in for it.
    let ordre = doctor
        .departments
        .first()
        .cloned()
        .unwrap_or_else(|| site.department.clone());
    Ok(ContractFacts::from_mission(
        mission,
        ReplacedParty::from_facility(&facility, &site, None),
        ReplacingParty::from_doctor(&doctor, Some(ordre)),
        place_of(&site),
        Fees::PerDay { cents_per_day },
        Some(from_ms(created)),
    ))
}

impl Storage {
    /// The contract of a mission for one of its parties: its facts, version hash and signatures.
    pub async fn contract(
        &self,
        actor: Actor,
        id: String,
    ) -> Answer<(ContractFacts, String, MissionView)> {
        read_flow(self, move |tx| {
            let Some(m) = load_mission(tx, &id)? else {
                return refused(Refusal::NotFound);
            };
            let party = actor.is_doctor(&m.doctor_id)
                || actor.can(&m.facility_id, Right::Read, Some(m.view.mission.site_id))
                || actor.staff;
            if !party {
                return refused(Refusal::NotFound);
            }
            let facts = contract_facts_tx(tx, &m)?;
            let sha = facts.version_hash();
            Ok((facts, sha, m.view))
        })
        .await
    }

    /// Signs the contract by click for the actor's side, with the proof kept (time, version hash,
    /// account, device). A hash that is not the current version is refused (`stale_contract`); signing
    /// the same version again is a replay.
    pub async fn sign_contract(
        &self,
        actor: Actor,
        id: String,
        sha256: String,
        now_ms: i64,
        hlc: Hlc,
    ) -> Answer<Done<MissionView>> {
        write_flow(self, move |tx| {
            let Some(m) = load_mission(tx, &id)? else {
                return refused(Refusal::NotFound);
            };
            let party = side(&actor, &m, Right::Propose)?;
            if m.view.mission.status == MissionStatus::Cancelled {
                return refused(state(ErrorCode::MissionCancelled, "cette mission est annulée"));
            }
            let facts = contract_facts_tx(tx, &m)?;
            let current = facts.version_hash();
            if let Some(s) = m.view.signatures.iter().find(|s| s.party == party)
                && s.sha256 == sha256
                && s.sha256 == current
            {
                return Ok(Done {
                    value: m.view,
                    changes: Vec::new(),
                    created: false,
                });
            }
            if sha256.trim().to_ascii_lowercase() != current {
                return refused(state(
                    ErrorCode::StaleContract,
                    "ce n'est pas la version en vigueur du contrat : rechargez-le avant de signer",
                ));
            }
            tx.execute(
                "INSERT INTO contract_signatures (mission_id, party, account_id, device_id, sha256, \
                 signed_ms) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (mission_id, party) DO UPDATE \
                 SET account_id = excluded.account_id, device_id = excluded.device_id, \
                 sha256 = excluded.sha256, signed_ms = excluded.signed_ms",
                &[
                    (&id).into(),
                    party.into(),
                    (&actor.account_id).into(),
                    (&actor.device_id).into(),
                    (&current).into(),
                    now_ms.into(),
                ],
            )?;
            audit_tx(
                tx,
                Some(&actor),
                now_ms,
                "contract_signed",
                "mission",
                &id,
                &m.facility_id,
                &m.doctor_id,
                format!("partie : {party}, version {current}"),
            )?;
            let m = load_mission(tx, &id)?.ok_or(Refusal::NotFound)?;
            let change = put_feed_mission(tx, &m.view, hlc)?;
            let payload = json!({"mission_id": id});
            let body = format!(
                "Le contrat de remplacement « {} » a été signé par {}.",
                m.view.mission.title,
                if party == "doctor" { "le médecin" } else { "l'établissement" }
            );
            if party == "doctor" {
                let site = Some(m.view.mission.site_id);
                for (account, _) in facility_accounts(tx, &m.facility_id, Right::Propose, site)? {
                    tell(tx, &account, "contract_signed", &id, "Contrat signé".into(), body.clone(), payload.clone(), now_ms, false)?;
                }
            } else if let Some((account, _)) = load_doctor(tx, &m.doctor_id)? {
                tell(tx, &account, "contract_signed", &id, "Contrat signé".into(), body, payload, now_ms, false)?;
            }
            Ok(Done {
                value: m.view,
                changes: vec![change],
                created: true,
            })
        })
        .await
    }
}
