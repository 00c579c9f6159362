//! Small domain records that several suites need: a verified doctor, a facility, one of its sites (in
//! Lannion, Côtes-d'Armor). Override fields with struct update syntax:
//! `Doctor { first_name: "Zoé".into(), ..fixtures::doctor(3) }`.

use rempla_core::domain::{
    Doctor, DoctorId, DoctorStatus, Facility, FacilityId, FacilityKind, GeoPoint, Postcode,
    Qualification, Rpps, Siret, Site, SiteId, Specialty,
};

/// A verified, thesed emergency doctor, Anne Le Bihan, with RPPS [`rpps(n)`](crate::rpps) and a fresh id;
/// no base, radius, départements, languages or contact (what a sign-up leaves empty).
pub fn doctor(n: u64) -> Doctor {
    Doctor {
        id: DoctorId::new(),
        rpps: Rpps::parse(&crate::rpps(n)).unwrap(),
        first_name: "Anne".into(),
        last_name: "Le Bihan".into(),
        specialties: vec![Specialty::parse("urgences").unwrap()],
        status: DoctorStatus::Verified,
        qualification: Qualification::Thesed,
        base: None,
        travel_radius_km: 0,
        departments: vec![],
        languages: vec![],
        contact: None,
    }
}

/// A practice (cabinet) with SIRET [`siret(n)`](crate::siret) and a fresh id.
pub fn facility(n: u64) -> Facility {
    Facility {
        id: FacilityId::new(),
        name: "Cabinet du Dr Martin".into(),
        siret: Siret::parse(&crate::siret(n)).unwrap(),
        kind: FacilityKind::Practice,
    }
}

/// A site of `facility_id` in Lannion (22300, INSEE 22113, département 22, Europe/Paris), fresh id.
pub fn site(facility_id: FacilityId) -> Site {
    Site {
        id: SiteId::new(),
        facility_id,
        name: "Cabinet".into(),
        address: "3 place du Général-Leclerc".into(),
        postcode: Postcode::parse("22300").unwrap(),
        commune_code: "22113".into(),
        department: "22".into(),
        location: GeoPoint::new(48.73, -3.46).unwrap(),
        zone: chrono_tz::Europe::Paris,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures_are_valid_records() {
        let doctor = super::doctor(1);
        assert!(doctor.validate().is_ok());
        assert_ne!(super::doctor(1).rpps, super::doctor(2).rpps);
        let facility = super::facility(1);
        assert_eq!(super::site(facility.id).facility_id, facility.id);
    }
}
