//! Terms of use (CGU): the current version, its text and its SHA-256, which an acceptance must quote so
//! the proof says exactly which text was accepted.

use super::secret::sha256_hex;

/// Version of the built-in terms.
pub const BUILTIN_VERSION: &str = "2026-11-01";

/// The built-in terms text (replace with `terms_file` in production).
pub const BUILTIN_TEXT: &str = "Conditions générales d'utilisation de Rempla (version du 1er novembre 2026)\n\n\
1. Rempla met en relation des médecins remplaçants et des établissements de santé.\n\
2. Les identifiants sont personnels et confidentiels ; toute perte est signalée sans délai.\n\
3. Les coordonnées d'un médecin ne sont transmises qu'après acceptation d'une proposition.\n\
4. L'acceptation de ces conditions vaut signature électronique ; Rempla en conserve la preuve.\n";

/// The terms in force.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Terms {
    /// Version identifier.
    pub version: String,
    /// SHA-256 of `text`, lowercase hex.
    pub sha256: String,
    /// Full text.
    pub text: String,
}

impl Terms {
    /// Terms from a version and a text.
    pub fn new(version: &str, text: &str) -> Self {
        Self {
            version: version.to_owned(),
            sha256: sha256_hex(text.as_bytes()),
            text: text.to_owned(),
        }
    }
}
