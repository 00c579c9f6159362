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
use crate::db::{Storage, StorageError, Tx, Val, text};

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

    /// One page of the caller's missions (as doctor, and of every facility where they may read),
    /// newest first by id, and the cursor of the next page.
    pub async fn missions_of(
        &self,
        actor: Actor,
        page: Page,
    ) -> Answer<(Vec<MissionView>, Option<String>)> {
        read_flow(self, move |tx| {
            let mut sources: Vec<(&str, Vec<Val>)> = Vec::new();
            if let Some(d) = &actor.doctor_id {
                sources.push((
                    "SELECT id FROM missions WHERE doctor_id = $1",
                    vec![d.into()],
                ));
            }
            for m in &actor.members {
                if m.can(Right::Read, None) {
                    sources.push((
                        "SELECT id FROM missions WHERE facility_id = $1",
                        vec![m.facility_id.to_string().into()],
                    ));
                }
            }
            let mut ids: Vec<String> = Vec::new();
            for (sql, params) in sources {
                let (sql, params) = keyset(sql, params, &page);
                for r in tx.query(&sql, &params)? {
                    ids.push(text(&r, 0)?);
                }
            }
            let (ids, next) = page.cut(ids, String::clone);
            let mut out = Vec::with_capacity(ids.len());
            let mut names: std::collections::HashMap<String, Option<String>> =
                std::collections::HashMap::new();
            for id in ids {
                if let Some(m) = load_mission(tx, &id)? {
                    out.push(named(tx, &mut names, m.view)?);
                }
            }
            Ok((out, next))
        })
        .await
    }

    /// One page of the caller's proposals (as doctor, and of every facility where they may read),
    /// newest first by id, optionally only those in `only_state` or of `request_id`, and the cursor of
    /// the next page. The filters are in the SQL, so every page is full.
    pub async fn proposals_of(
        &self,
        actor: Actor,
        only_state: Option<ProposalState>,
        request_id: Option<String>,
        page: Page,
    ) -> Answer<(Vec<ProposalView>, Option<String>)> {
        read_flow(self, move |tx| {
            let mut sources: Vec<(String, Vec<Val>)> = Vec::new();
            let filtered = |column: &str, owner: String| {
                let mut sql =
                    format!("SELECT {PROPOSAL_COLUMNS}, id FROM proposals WHERE {column} = $1");
                let mut params: Vec<Val> = vec![owner.into()];
                if let Some(st) = only_state {
                    params.push(st.as_str().into());
                    sql = format!("{sql} AND state = ${}", params.len());
                }
                if let Some(r) = &request_id {
                    params.push(r.into());
                    sql = format!("{sql} AND request_id = ${}", params.len());
                }
                (sql, params)
            };
            if let Some(d) = &actor.doctor_id {
                sources.push(filtered("doctor_id", d.clone()));
            }
            for m in &actor.members {
                if m.can(Right::Read, None) {
                    sources.push(filtered("facility_id", m.facility_id.to_string()));
                }
            }
            let mut out: Vec<ProposalView> = Vec::new();
            for (sql, params) in sources {
                let (sql, params) = keyset(&sql, params, &page);
                for r in tx.query(&sql, &params)? {
                    out.push(proposal_from(&r)?.view);
                }
            }
            Ok(page.cut(out, |p| p.proposal.id.to_string()))
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

/// The mission with its doctor's, site's and facility's names (each read once per page): screens and
/// exports show people and places by name.
fn named(
    tx: &mut dyn Tx,
    names: &mut std::collections::HashMap<String, Option<String>>,
    mut view: MissionView,
) -> Result<MissionView, StorageError> {
    let m = &view.mission;
    let (doctor, site, facility) = (
        format!("d:{}", m.doctor_id),
        format!("s:{}", m.site_id),
        format!("f:{}", m.facility_id),
    );
    if !names.contains_key(&doctor) {
        let n = load_doctor(tx, &m.doctor_id.to_string())?
            .map(|(_, d)| format!("Dr {} {}", d.first_name, d.last_name));
        names.insert(doctor.clone(), n);
    }
    if !names.contains_key(&site) {
        let n = load_site(tx, &m.site_id.to_string())?.map(|s| s.name);
        names.insert(site.clone(), n);
    }
    if !names.contains_key(&facility) {
        let n = load_facility(tx, &m.facility_id.to_string())?.map(|f| f.name);
        names.insert(facility.clone(), n);
    }
    view.doctor_name = names.get(&doctor).cloned().flatten();
    view.site_name = names.get(&site).cloned().flatten();
    view.facility_name = names.get(&facility).cloned().flatten();
    Ok(view)
}

/// One page of a list paged by id (keyset: no offset to drift when entries are added meanwhile).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// Only entries whose id sorts below this one (the previous page's last id).
    pub before: Option<String>,
    /// Most entries in the page.
    pub limit: usize,
}

impl Page {
    /// Sorts the entries gathered from several sources newest first, drops duplicates (a doctor who is
    /// also a member sees an entry twice) and keeps one page, with the next page's cursor when more
    /// remain.
    fn cut<T>(&self, mut all: Vec<T>, id: impl Fn(&T) -> String) -> (Vec<T>, Option<String>) {
        all.sort_by_cached_key(|x| std::cmp::Reverse(id(x)));
        all.dedup_by(|a, b| id(a) == id(b));
        if all.len() > self.limit {
            all.truncate(self.limit);
            let next = all.last().map(&id);
            (all, next)
        } else {
            (all, None)
        }
    }
}

/// `sql` (a `SELECT … WHERE …` over a table with an `id` column) limited to one page: ids below the
/// cursor, newest first, one more than the page so the caller knows whether another page follows.
fn keyset(sql: &str, mut params: Vec<Val>, page: &Page) -> (String, Vec<Val>) {
    let mut sql = sql.to_owned();
    if let Some(before) = &page.before {
        params.push(before.into());
        sql = format!("{sql} AND id < ${}", params.len());
    }
    params.push(
        i64::try_from(page.limit.saturating_add(1))
            .unwrap_or(i64::MAX)
            .into(),
    );
    let sql = format!("{sql} ORDER BY id DESC LIMIT ${}", params.len());
    (sql, params)
}

#[cfg(test)]
mod page_tests {
    use super::*;

    #[test]
    fn a_page_merges_sources_newest_first_and_says_where_the_next_starts() {
        let page = Page {
            before: None,
            limit: 3,
        };
        let ids = vec!["b", "d", "a", "d", "c", "e"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        let (kept, next) = page.cut(ids, String::clone);
        assert_eq!(kept, vec!["e", "d", "c"]);
        assert_eq!(next.as_deref(), Some("c"));
        let (kept, next) = page.cut(vec!["a".to_owned()], String::clone);
        assert_eq!((kept.len(), next), (1, None));
        let (sql, params) = keyset(
            "SELECT id FROM missions WHERE doctor_id = $1",
            vec!["d".into()],
            &Page {
                before: Some("c".into()),
                limit: 2,
            },
        );
        assert_eq!(
            sql,
            "SELECT id FROM missions WHERE doctor_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"
        );
        assert_eq!(
            params,
            vec![Val::from("d"), Val::from("c"), Val::from(3_i64)]
        );
    }
}
