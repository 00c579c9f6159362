//! The *contrat de remplacement* of a mission, after the model contract of the Ordre des médecins:
//! parties (the replaced facility or practice, the replacing doctor with RPPS and Ordre départemental),
//! dates and shifts, place, fees as agreed, and the usual clauses (personal exercise, independence,
//! professional secrecy, insurance, the two-year non-installation rule of article R. 4127-86 of the code
//! de la santé publique, communication to the conseil départemental de l'Ordre, conciliation).
//!
//! The document carries a **version hash**: the SHA-256 of the canonical JSON of the facts plus the
//! template version, printed in the PDF and returned by [`ContractFacts::version_hash`], so a signature
//! (time, account, device, hash) proves which exact text was signed. Any change of a fact or of the
//! clauses changes the hash. Rendering is deterministic (no creation date nor random id in the file), so
//! the same facts always give the same bytes too.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rempla_core::calendar::{Interval, ShiftKind};
use rempla_core::domain::{Doctor, Facility, FacilityKind, Mission, Qualification, Site};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Layout, PdfError, format_eur};

/// Version of the clause text; part of the hash, bumped whenever a clause changes.
pub const TEMPLATE_VERSION: &str = "contrat-remplacement-v1";

/// The replaced party: the facility or practice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplacedParty {
    /// Legal name (« Centre hospitalier de Lannion », « Cabinet du Dr Martin »).
    pub name: String,
    /// SIRET, when it has one.
    pub siret: Option<String>,
    /// Postal address of the facility.
    pub address: String,
    /// Who signs for it (name and role), when known.
    pub representative: Option<String>,
    /// Département of the conseil de l'Ordre it reports to, when it is a doctor's practice.
    pub ordre_department: Option<String>,
}

/// The replacing doctor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplacingParty {
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// RPPS number (11 digits).
    pub rpps: String,
    /// Specialty label.
    pub specialty: String,
    /// Whether the doctor is thesed (`true`) or replaces under a licence de remplacement.
    pub thesed: bool,
    /// Département of the conseil de l'Ordre the doctor is registered with.
    pub ordre_department: String,
}

impl ReplacedParty {
    /// The facility as a party; its Ordre département is given for a doctor's practice only (the
    /// département of its site).
    pub fn from_facility(facility: &Facility, site: &Site, representative: Option<String>) -> Self {
        Self {
            name: facility.name.clone(),
            siret: Some(facility.siret.to_string()),
            address: format!("{}, {}", site.address, site.postcode),
            representative,
            ordre_department: (facility.kind == FacilityKind::Practice)
                .then(|| site.department.clone()),
        }
    }
}

impl ReplacingParty {
    /// The doctor as a party; `ordre_department` is the département of the conseil de l'Ordre the
    /// doctor is registered with (not in the core profile yet: the doctor states it).
    pub fn from_doctor(doctor: &Doctor, ordre_department: String) -> Self {
        Self {
            first_name: doctor.first_name.clone(),
            last_name: doctor.last_name.clone(),
            rpps: doctor.rpps.to_string(),
            specialty: doctor
                .specialties
                .first()
                .map_or("médecine", |s| s.label())
                .to_owned(),
            thesed: matches!(doctor.qualification, Qualification::Thesed),
            ordre_department,
        }
    }
}

/// A site as the contract's place: name and address.
pub fn place_of(site: &Site) -> String {
    format!("{}, {}, {}", site.name, site.address, site.postcode)
}

/// The fees as agreed between the parties (the platform takes no commission on them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fees {
    /// Rétrocession: the replacing doctor keeps this share of the fees collected, in basis points
    /// (7 000 = 70 %).
    Retrocession {
        /// Share kept by the replacing doctor, basis points.
        share_bps: u32,
    },
    /// A fixed amount per day of replacement, integer cents.
    PerDay {
        /// Cents per day.
        cents_per_day: i64,
    },
    /// A fixed amount for the whole mission, integer cents.
    Fixed {
        /// Total cents.
        total_cents: i64,
    },
}

/// One shift of the mission.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractShift {
    /// Kind (day, night, garde…).
    pub kind: ShiftKind,
    /// Exact period.
    pub interval: Interval,
}

/// Everything the contract states; built from a core [`Mission`] and its parties.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractFacts {
    /// The mission.
    pub mission_id: String,
    /// The replaced facility or practice.
    pub replaced: ReplacedParty,
    /// The replacing doctor.
    pub replacing: ReplacingParty,
    /// Where the replacement happens (site name and address).
    pub place: String,
    /// Zone of the site: dates are printed in its local time.
    pub zone: Tz,
    /// Shifts, sorted by start.
    pub shifts: Vec<ContractShift>,
    /// Fees as agreed.
    pub fees: Fees,
    /// When the contract was drawn up (the mission's acceptance).
    pub drawn_up_at: DateTime<Utc>,
}

impl ContractFacts {
    /// Facts of `mission` between its parties; `place` is the site's name and address.
    pub fn from_mission(
        mission: &Mission,
        replaced: ReplacedParty,
        replacing: ReplacingParty,
        place: String,
        fees: Fees,
        drawn_up_at: DateTime<Utc>,
    ) -> Self {
        let mut shifts: Vec<ContractShift> = mission
            .shifts
            .iter()
            .map(|s| ContractShift {
                kind: s.kind,
                interval: s.interval,
            })
            .collect();
        shifts.sort_by_key(|s| s.interval);
        Self {
            mission_id: mission.id.to_string(),
            replaced,
            replacing,
            place,
            zone: mission.zone,
            shifts,
            fees,
            drawn_up_at,
        }
    }

    /// SHA-256 (hex) of the template version and the canonical JSON of the facts: what a signature
    /// refers to.
    pub fn version_hash(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(TEMPLATE_VERSION.as_bytes());
        hasher.update([0]);
        // Serializing a struct of plain fields cannot fail; the fallback still hashes something stable.
        hasher.update(serde_json::to_vec(self).unwrap_or_default());
        hasher
            .finalize()
            .iter()
            .fold(String::with_capacity(64), |mut s, b| {
                use std::fmt::Write as _;
                let _ = write!(s, "{b:02x}");
                s
            })
    }

    fn check(&self) -> Result<(), PdfError> {
        if self.shifts.is_empty() {
            return Err(PdfError::Facts("mission sans créneau".into()));
        }
        match self.fees {
            Fees::Retrocession { share_bps } if share_bps > 10_000 => {
                Err(PdfError::Facts("rétrocession supérieure à 100 %".into()))
            }
            Fees::PerDay { cents_per_day: c } | Fees::Fixed { total_cents: c } if c < 0 => {
                Err(PdfError::Facts("honoraires négatifs".into()))
            }
            _ => Ok(()),
        }
    }
}

/// French label of a shift kind.
pub fn shift_label(kind: ShiftKind) -> &'static str {
    match kind {
        ShiftKind::Day => "journée",
        ShiftKind::Morning => "matinée",
        ShiftKind::Afternoon => "après-midi",
        ShiftKind::Night => "nuit",
        ShiftKind::GardeNight => "garde de nuit",
        ShiftKind::GardeDay => "garde de jour",
        ShiftKind::Astreinte => "astreinte",
        ShiftKind::Custom => "période convenue",
    }
}

/// `« du lundi 1 mars 2027 à 08:00 au lundi 1 mars 2027 à 20:00 »` in the site's zone.
pub(crate) fn french_period(interval: Interval, zone: Tz) -> String {
    format!(
        "du {} au {}",
        french_datetime(interval.start(), zone),
        french_datetime(interval.end(), zone)
    )
}

/// A date and time in French, in `zone`.
pub(crate) fn french_datetime(at: DateTime<Utc>, zone: Tz) -> String {
    let local = at.with_timezone(&zone);
    format!("{} à {}", french_date(at, zone), local.format("%H:%M"))
}

/// A date in French (`lundi 1 mars 2027`), in `zone`.
pub(crate) fn french_date(at: DateTime<Utc>, zone: Tz) -> String {
    use chrono::Datelike as _;
    const DAYS: [&str; 7] = [
        "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    ];
    const MONTHS: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    let local = at.with_timezone(&zone);
    let day = DAYS[local.weekday().num_days_from_monday() as usize];
    let month = MONTHS[local.month0() as usize];
    format!("{day} {} {month} {}", local.day(), local.year())
}

fn fees_text(fees: Fees) -> String {
    match fees {
        Fees::Retrocession { share_bps } => format!(
            "Le remplaçant perçoit, au titre de la rétrocession d'honoraires, {},{:02} % des honoraires \
             encaissés pour les actes qu'il a effectués pendant le remplacement, le solde restant acquis \
             au remplacé au titre des frais de fonctionnement mis à disposition. Le reversement intervient \
             au plus tard un mois après la fin du remplacement.",
            share_bps / 100,
            share_bps % 100
        ),
        Fees::PerDay { cents_per_day } => format!(
            "Le remplaçant perçoit une rémunération forfaitaire de {} par jour de remplacement, \
             versée au plus tard un mois après la fin du remplacement.",
            format_eur(cents_per_day)
        ),
        Fees::Fixed { total_cents } => format!(
            "Le remplaçant perçoit une rémunération forfaitaire totale de {} pour l'ensemble du \
             remplacement, versée au plus tard un mois après la fin du remplacement.",
            format_eur(total_cents)
        ),
    }
}

/// Renders the contract; the same facts always give the same text and hash.
pub fn render(facts: &ContractFacts) -> Result<Vec<u8>, PdfError> {
    facts.check()?;
    let hash = facts.version_hash();
    let zone = facts.zone;
    let r = &facts.replaced;
    let d = &facts.replacing;
    let doctor = format!("Dr {} {}", d.first_name, d.last_name);
    let mut l = Layout::new();
    l.bold("CONTRAT DE REMPLACEMENT", 16.0);
    l.para(
        "Établi conformément aux articles R. 4127-65, R. 4127-86 et L. 4113-9 du code de la santé \
         publique et au modèle du Conseil national de l'Ordre des médecins.",
        8.5,
    );
    l.space(8.0);
    l.bold("Entre les soussignés", 11.0);
    let mut replaced = format!("{}, {}", r.name, r.address);
    if let Some(siret) = &r.siret {
        replaced = format!("{replaced}, SIRET {siret}");
    }
    if let Some(rep) = &r.representative {
        replaced = format!("{replaced}, représenté(e) par {rep}");
    }
    if let Some(dep) = &r.ordre_department {
        replaced = format!(
            "{replaced}, relevant du conseil départemental de l'Ordre des médecins ({dep})"
        );
    }
    l.para(&format!("{replaced}, ci-après « le remplacé »,"), 10.0);
    l.para("d'une part, et", 10.0);
    l.para(
        &format!(
            "{doctor}, {}, n° RPPS {}, {}, inscrit(e) au tableau du conseil départemental de l'Ordre \
             des médecins ({}), ci-après « le remplaçant »,",
            d.specialty,
            d.rpps,
            if d.thesed {
                "docteur en médecine"
            } else {
                "titulaire d'une licence de remplacement"
            },
            d.ordre_department
        ),
        10.0,
    );
    l.para("d'autre part, il a été convenu ce qui suit.", 10.0);
    l.space(6.0);

    l.bold("Article 1 — Objet et durée", 11.0);
    let first = facts.shifts.first().map(|s| s.interval.start());
    let last = facts.shifts.iter().map(|s| s.interval.end()).max();
    if let (Some(first), Some(last)) = (first, last) {
        l.para(
            &format!(
                "Le remplaçant remplace le remplacé, à titre temporaire et personnel, {} (heure locale, \
                 {zone}), pour les créneaux suivants :",
                french_period(
                    Interval::new(first, last).map_err(|e| PdfError::Facts(e.to_string()))?,
                    zone
                )
            ),
            10.0,
        );
    }
    for shift in &facts.shifts {
        l.text_at(
            14.0,
            &format!(
                "• {} {}",
                shift_label(shift.kind),
                french_period(shift.interval, zone)
            ),
            10.0,
            false,
        );
    }
    l.bold("Article 2 — Lieu d'exercice", 11.0);
    l.para(
        &format!(
            "Le remplacement s'effectue à : {}. Le remplacé met à la disposition du remplaçant les \
             locaux, le matériel et, le cas échéant, le personnel nécessaires à l'exercice.",
            facts.place
        ),
        10.0,
    );
    l.bold("Article 3 — Conditions d'exercice", 11.0);
    l.para(
        "Le remplaçant exerce en toute indépendance professionnelle et sous sa propre responsabilité, \
         dans le respect du code de déontologie médicale. Il s'engage à assurer la continuité des soins \
         et la permanence des soins prévues pour les créneaux ci-dessus, à tenir le dossier médical des \
         patients et à transmettre au remplacé, à la fin du remplacement, les informations nécessaires à \
         la continuité des soins. Pendant le remplacement, le remplaçant s'interdit toute autre activité \
         incompatible avec les créneaux convenus.",
        10.0,
    );
    l.bold("Article 4 — Honoraires", 11.0);
    l.para(&fees_text(facts.fees), 10.0);
    l.bold("Article 5 — Assurance", 11.0);
    l.para(
        "Chaque partie déclare être couverte par une assurance de responsabilité civile professionnelle \
         en cours de validité pour la durée du remplacement et s'engage à en justifier sur demande.",
        10.0,
    );
    l.bold("Article 6 — Secret professionnel", 11.0);
    l.para(
        "Le remplaçant est tenu au secret médical pour toutes les informations dont il a connaissance à \
         l'occasion du remplacement, pendant et après celui-ci.",
        10.0,
    );
    l.bold("Article 7 — Non-installation", 11.0);
    l.para(
        "Conformément à l'article R. 4127-86 du code de la santé publique, le remplaçant qui a remplacé \
         le remplacé pendant une période totale supérieure à trois mois ne doit pas, pendant deux ans, \
         s'installer dans un cabinet où il pourrait entrer en concurrence directe avec le remplacé, sauf \
         accord entre les parties notifié au conseil départemental de l'Ordre.",
        10.0,
    );
    l.bold("Article 8 — Annulation", 11.0);
    l.para(
        "Toute annulation par l'une ou l'autre des parties est notifiée sans délai à l'autre partie par \
         l'intermédiaire de la plateforme Rempla, qui en conserve la date et l'heure.",
        10.0,
    );
    l.bold("Article 9 — Communication à l'Ordre", 11.0);
    l.para(
        "Conformément aux articles L. 4113-9 et R. 4127-65 du code de la santé publique, le présent \
         contrat est communiqué par chacune des parties à son conseil départemental de l'Ordre des \
         médecins avant le début du remplacement.",
        10.0,
    );
    l.bold("Article 10 — Conciliation", 11.0);
    l.para(
        "En cas de différend sur l'interprétation ou l'exécution du présent contrat, les parties \
         s'engagent, avant toute action contentieuse, à soumettre leur différend à la conciliation du \
         conseil départemental de l'Ordre des médecins compétent.",
        10.0,
    );
    l.space(8.0);
    l.para(
        &format!(
            "Établi le {} et signé électroniquement par chacune des parties sur la plateforme Rempla \
             (horodatage, compte, appareil et empreinte du texte conservés).",
            french_date(facts.drawn_up_at, zone)
        ),
        10.0,
    );
    l.row("Le remplacé", "Le remplaçant", 10.0, true);
    l.row(&r.name, &doctor, 10.0, false);
    l.space(8.0);
    l.rule();
    l.para(&format!("Mission {}", facts.mission_id), 8.0);
    l.para(
        &format!("Empreinte du contrat (SHA-256, {TEMPLATE_VERSION}) : {hash}"),
        8.0,
    );
    l.finish(
        &format!("Contrat de remplacement — {doctor} — {}", r.name),
        &format!("Contrat de remplacement — empreinte {}", &hash[..16]),
    )
}
