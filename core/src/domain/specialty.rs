//! The catalogue of medical specialties a replacement can be requested in.
//!
//! Codes are stable ASCII slugs (they travel in the sync protocol and the datasets); labels are French.
//! The list follows the specialties of the Ordre des médecins most often replaced.

use serde::{Deserialize, Serialize};

use super::error::ValidationError;
use crate::text::truncate_for_message;

/// `(code, French label)` of every specialty known to the product.
pub const CATALOGUE: &[(&str, &str)] = &[
    ("medecine-generale", "Médecine générale"),
    ("urgences", "Médecine d'urgence"),
    ("anesthesie-reanimation", "Anesthésie-réanimation"),
    ("pediatrie", "Pédiatrie"),
    ("gynecologie-obstetrique", "Gynécologie-obstétrique"),
    ("psychiatrie", "Psychiatrie"),
    ("cardiologie", "Cardiologie"),
    ("radiologie", "Radiologie et imagerie médicale"),
    ("medecine-interne", "Médecine interne"),
    ("geriatrie", "Gériatrie"),
    ("chirurgie-generale", "Chirurgie viscérale et digestive"),
    (
        "chirurgie-orthopedique",
        "Chirurgie orthopédique et traumatologique",
    ),
    ("ophtalmologie", "Ophtalmologie"),
    ("orl", "Oto-rhino-laryngologie"),
    ("dermatologie", "Dermatologie et vénéréologie"),
    ("pneumologie", "Pneumologie"),
    ("gastro-enterologie", "Hépato-gastro-entérologie"),
    ("neurologie", "Neurologie"),
    ("nephrologie", "Néphrologie"),
    ("oncologie", "Oncologie"),
    (
        "medecine-intensive-reanimation",
        "Médecine intensive-réanimation",
    ),
    ("endocrinologie", "Endocrinologie-diabétologie-nutrition"),
    ("rhumatologie", "Rhumatologie"),
    (
        "medecine-physique-readaptation",
        "Médecine physique et de réadaptation",
    ),
    ("biologie-medicale", "Biologie médicale"),
    ("medecine-du-travail", "Médecine du travail"),
    ("soins-palliatifs", "Médecine palliative"),
];

/// A specialty from the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Specialty(&'static str);

impl Specialty {
    /// Looks a code up in the catalogue (case-insensitive, surrounding spaces ignored).
    pub fn parse(code: &str) -> Result<Self, ValidationError> {
        let wanted = code.trim();
        CATALOGUE
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(wanted))
            .map(|(c, _)| Self(c))
            .ok_or_else(|| ValidationError::UnknownSpecialty {
                code: truncate_for_message(code),
            })
    }

    /// Stable code.
    pub const fn code(&self) -> &'static str {
        self.0
    }

    /// French label for display.
    pub fn label(&self) -> &'static str {
        CATALOGUE
            .iter()
            .find(|(c, _)| *c == self.0)
            .map_or(self.0, |(_, l)| l)
    }

    /// Every specialty, in catalogue order.
    pub fn all() -> impl Iterator<Item = Self> {
        CATALOGUE.iter().map(|(c, _)| Self(c))
    }
}

impl Serialize for Specialty {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for Specialty {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Self::parse(&code).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_codes_are_unique_slugs() {
        let mut codes: Vec<_> = CATALOGUE.iter().map(|(c, _)| *c).collect();
        assert!(
            codes
                .iter()
                .all(|c| c.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'))
        );
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), CATALOGUE.len());
    }

    #[test]
    fn parse_and_serde() {
        let s = Specialty::parse(" Pediatrie ").unwrap();
        assert_eq!(s.code(), "pediatrie");
        assert_eq!(s.label(), "Pédiatrie");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"pediatrie\"");
        assert_eq!(
            Specialty::parse("astrologie").unwrap_err().code(),
            "unknown_specialty"
        );
        assert!(serde_json::from_str::<Specialty>("\"\"").is_err());
        assert_eq!(Specialty::all().count(), CATALOGUE.len());
    }
}
