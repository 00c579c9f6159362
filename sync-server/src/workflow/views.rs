//! The workflow's read models: a mission with its unlocked contacts (audited), the caller's missions
//! and proposals, and the doctor's "only when available" preference.

use rempla_core::api::missions::{
    BothContacts, ContactPerson, DoctorCard, DoctorContacts, FacilityCard, FacilityContacts,
    MissionContacts, MissionDetail, SiteCard,
};
use rempla_core::domain::{ProposalState, Right};

use super::flow::{Answer, read_flow, refused, write_flow};
use super::model::{Actor, MissionView, ProposalView};
use super::refusal::Refusal;
use super::rows::{
    MissionRow, PROPOSAL_COLUMNS, audit_tx, facility_accounts, load_doctor, load_facility,
    load_mission, load_site, only_when_available, proposal_from,
};
use crate::db::{Storage, StorageError, Tx, text};

/// What the mission's doctor may see of the facility: the facility, the site and the members who may
/// propose there.
pub(crate) fn facility_contacts_tx(
    tx: &mut dyn Tx,
    m: &MissionRow,
) -> Result<FacilityContacts, StorageError> {
    let facility = load_facility(tx, &m.facility_id)?;
    let site = load_site(tx, &m.view.mission.site_id.to_string())?;
    let mut people = Vec::new();
    for (account, member) in facility_accounts(
        tx,
        &m.facility_id,
        Right::Propose,
        Some(m.view.mission.site_id),
    )? {
        let email = tx
            .query(
                "SELECT email FROM accounts WHERE id = $1",
                &[account.into()],
            )?
            .first()
            .map(|r| text(r, 0))
            .transpose()?;
        people.push(ContactPerson {
            display_name: member.display_name,
            role: member.role,
            email,
        });
    }
    Ok(FacilityContacts {
        facility: facility.map(|f| FacilityCard {
            name: f.name,
            siret: f.siret.to_string(),
            kind: f.kind,
        }),
        site: site.map(|s| SiteCard {
            name: s.name,
            address: s.address,
            postcode: s.postcode.to_string(),
            commune_code: s.commune_code,
        }),
        people,
    })
}

/// What the mission's facility may see of the doctor: names and RPPS to everyone who may read the
/// mission; the e-mail and phone only `with_contact` (members who may propose at the mission's site —
/// those who organise it — and staff), not to the facility's viewers.
pub(crate) fn doctor_contacts_tx(
    tx: &mut dyn Tx,
    m: &MissionRow,
    with_contact: bool,
) -> Result<DoctorContacts, StorageError> {
    let doctor = load_doctor(tx, &m.doctor_id)?.map(|d| d.1);
    Ok(DoctorContacts {
        doctor: doctor.map(|d| DoctorCard {
            first_name: d.first_name,
            last_name: d.last_name,
            rpps: d.rpps.to_string(),
            email: d
                .contact
                .as_ref()
                .filter(|_| with_contact)
                .map(|c| c.email.to_string()),
            phone: d
                .contact
                .as_ref()
                .filter(|_| with_contact)
                .and_then(|c| c.phone.as_ref().map(ToString::to_string)),
        }),
    })
}

impl Storage {
    /// One mission for one of its parties (or staff), with the other party's contact details; the read
    /// is written to the audit trail (`contact_read`) in the same transaction, before answering.
    pub async fn mission_with_contacts(
        &self,
        actor: Actor,
        id: String,
        now_ms: i64,
    ) -> Answer<MissionDetail> {
        write_flow(self, move |tx| {
            let Some(m) = load_mission(tx, &id)? else {
                return refused(Refusal::NotFound);
            };
            let reader = if actor.staff {
                "staff"
            } else if actor.is_doctor(&m.doctor_id) {
                "doctor"
            } else if actor.can(&m.facility_id, Right::Read, Some(m.view.mission.site_id)) {
                "facility"
            } else {
                return refused(Refusal::NotFound);
            };
            let contacts = match reader {
                "staff" => MissionContacts::ForStaff(BothContacts {
                    doctor: doctor_contacts_tx(tx, &m, true)?.doctor,
                    facility: facility_contacts_tx(tx, &m)?,
                }),
                "doctor" => MissionContacts::ForDoctor(facility_contacts_tx(tx, &m)?),
                _ => {
                    let organises =
                        actor.can(&m.facility_id, Right::Propose, Some(m.view.mission.site_id));
                    MissionContacts::ForFacility(doctor_contacts_tx(tx, &m, organises)?)
                }
            };
            audit_tx(
                tx,
                Some(&actor),
                now_ms,
                "contact_read",
                "mission",
                &id,
                &m.facility_id,
                &m.doctor_id,
                format!("coordonnées lues par : {reader}"),
            )?;
            Ok(MissionDetail {
                mission: m.view,
                contacts,
            })
        })
        .await
    }

    /// The caller's missions (as doctor, and of every facility where they may read), newest first.
    pub async fn missions_of(&self, actor: Actor) -> Answer<Vec<MissionView>> {
        read_flow(self, move |tx| {
            let mut ids: Vec<String> = Vec::new();
            if let Some(d) = &actor.doctor_id {
                for r in tx.query("SELECT id FROM missions WHERE doctor_id = $1", &[d.into()])? {
                    ids.push(text(&r, 0)?);
                }
            }
            for m in &actor.members {
                if !m.can(Right::Read, None) {
                    continue;
                }
                for r in tx.query(
                    "SELECT id FROM missions WHERE facility_id = $1",
                    &[m.facility_id.to_string().into()],
                )? {
                    ids.push(text(&r, 0)?);
                }
            }
            ids.sort_unstable();
            ids.dedup();
            ids.reverse();
            let mut out = Vec::new();
            for id in ids {
                if let Some(m) = load_mission(tx, &id)? {
                    out.push(m.view);
                }
            }
            Ok(out)
        })
        .await
    }

    /// The caller's proposals (as doctor, and of every facility where they may read), newest first,
    /// optionally only those in `state`.
    pub async fn proposals_of(
        &self,
        actor: Actor,
        only_state: Option<ProposalState>,
    ) -> Answer<Vec<ProposalView>> {
        read_flow(self, move |tx| {
            let mut rows = Vec::new();
            if let Some(d) = &actor.doctor_id {
                rows.extend(tx.query(
                    &format!("SELECT {PROPOSAL_COLUMNS}, id FROM proposals WHERE doctor_id = $1"),
                    &[d.into()],
                )?);
            }
            for m in &actor.members {
                if m.can(Right::Read, None) {
                    rows.extend(tx.query(
                        &format!(
                            "SELECT {PROPOSAL_COLUMNS}, id FROM proposals WHERE facility_id = $1"
                        ),
                        &[m.facility_id.to_string().into()],
                    )?);
                }
            }
            let mut out: Vec<ProposalView> = rows
                .iter()
                .map(|r| proposal_from(r).map(|p| p.view))
                .collect::<Result<_, _>>()?;
            out.sort_by_key(|p| std::cmp::Reverse(p.proposal.id));
            out.dedup_by(|a, b| a.proposal.id == b.proposal.id);
            if let Some(s) = only_state {
                out.retain(|p| p.proposal.state == s);
            }
            Ok(out)
        })
        .await
    }

    /// Sets a doctor's "only contact me when I am available" preference.
    pub async fn set_only_when_available(
        &self,
        doctor_id: String,
        on: bool,
        now_ms: i64,
    ) -> Result<(), StorageError> {
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO doctor_match_prefs (doctor_id, only_when_available, updated_ms) \
                 VALUES ($1, $2, $3) ON CONFLICT (doctor_id) DO UPDATE SET \
                 only_when_available = excluded.only_when_available, updated_ms = excluded.updated_ms",
                &[doctor_id.into(), on.into(), now_ms.into()],
            )
            .map(|_| ())
        })
        .await
    }

    /// A doctor's "only contact me when I am available" preference (off by default).
    pub async fn only_when_available(&self, doctor_id: String) -> Result<bool, StorageError> {
        self.read(move |tx| only_when_available(tx, &doctor_id))
            .await
    }
}
