//! The server's own secret key: it signs the secret addresses of calendar feeds (an address is
//! `HMAC(key, feed id and generation)`, so it can be shown again at any time without being stored, and
//! rotating a feed is bumping its generation). Loaded from `server_key_file`, else from
//! `<data>/server.key`, created there (0600) at first start. Several instances behind a balancer must
//! share the same file.
//!
//! Why not in the database: a leaked dump must not also hand over the key that signs (and, later,
//! encrypts) what the dump protects.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::hmac;

use crate::config::Config;

/// Why the key could not be loaded or made.
#[derive(Debug, thiserror::Error)]
pub enum ServerKeyError {
    /// The file could not be read or written.
    #[error("clé du serveur {path} : {error}")]
    Io {
        /// The key file.
        path: PathBuf,
        /// What failed.
        error: std::io::Error,
    },
    /// The file does not hold a 32-byte key in base64.
    #[error("clé du serveur {0} illisible : 32 octets en base64 attendus")]
    Malformed(PathBuf),
    /// The system gave no randomness.
    #[error("aléa du système indisponible : {0}")]
    Random(String),
}

/// A 256-bit key. Its `Debug` never shows it.
pub struct ServerKey(hmac::Key);

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKey(<secret>)")
    }
}

impl ServerKey {
    /// A fresh random key (tests, or a first start).
    pub fn random() -> Result<Self, ServerKeyError> {
        Ok(Self::from_bytes(&random_bytes()?))
    }

    fn from_bytes(bytes: &[u8; 32]) -> Self {
        Self(hmac::Key::new(hmac::HMAC_SHA256, bytes))
    }

    /// The key of `cfg`: `server_key_file`, else `<data>/server.key` (made, private, when missing).
    pub fn load_or_create(cfg: &Config) -> Result<Self, ServerKeyError> {
        let path = cfg
            .server_key_file
            .clone()
            .unwrap_or_else(|| cfg.data.join("server.key"));
        let io = |error| ServerKeyError::Io {
            path: path.clone(),
            error,
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => decode(&path, &text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && cfg.server_key_file.is_none() => {
                let bytes = random_bytes()?;
                if let Some(dir) = path.parent() {
                    crate::private_files::private_dir(dir).map_err(io)?;
                }
                crate::private_files::write_private(
                    &path,
                    URL_SAFE_NO_PAD.encode(bytes).as_bytes(),
                )
                .map_err(io)?;
                tracing::info!(path = %path.display(), "server key created");
                Ok(Self::from_bytes(&bytes))
            }
            Err(e) => Err(io(e)),
        }
    }

    /// The signature of `message` under `purpose` (a fixed label, so one key serves several uses
    /// without one signature standing for another), base64url, 43 characters.
    pub fn sign(&self, purpose: &str, message: &str) -> String {
        let tag = hmac::sign(&self.0, format!("{purpose}\n{message}").as_bytes());
        URL_SAFE_NO_PAD.encode(tag.as_ref())
    }

    /// Whether `signature` is [`Self::sign`]'s for `message` (in constant time).
    pub fn verify(&self, purpose: &str, message: &str, signature: &str) -> bool {
        URL_SAFE_NO_PAD.decode(signature).is_ok_and(|tag| {
            hmac::verify(&self.0, format!("{purpose}\n{message}").as_bytes(), &tag).is_ok()
        })
    }
}

fn decode(path: &Path, text: &str) -> Result<ServerKey, ServerKeyError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(text.trim())
        .map_err(|_| ServerKeyError::Malformed(path.to_owned()))?;
    let bytes: [u8; 32] = bytes
        .try_into()
        .map_err(|_| ServerKeyError::Malformed(path.to_owned()))?;
    Ok(ServerKey::from_bytes(&bytes))
}

fn random_bytes() -> Result<[u8; 32], ServerKeyError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ServerKeyError::Random(e.to_string()))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn a_key_is_made_once_kept_private_and_signs_per_purpose() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = Config {
            data: dir.path().join("data"),
            ..Config::default()
        };
        let first = ServerKey::load_or_create(&cfg).unwrap();
        let file = dir.path().join("data/server.key");
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let again = ServerKey::load_or_create(&cfg).unwrap();
        let sig = first.sign("feed", "abc:0");
        assert_eq!(sig.len(), 43);
        assert!(
            again.verify("feed", "abc:0", &sig),
            "the same key after a restart"
        );
        assert!(!again.verify("feed", "abc:1", &sig));
        assert!(!again.verify("other", "abc:0", &sig));
        assert!(!again.verify("feed", "abc:0", "pas-une-signature"));
        assert!(!ServerKey::random().unwrap().verify("feed", "abc:0", &sig));
        assert!(!format!("{first:?}").contains(&sig));
        // A damaged file stops the start rather than silently changing every address.
        std::fs::write(&file, "court").unwrap();
        assert!(matches!(
            ServerKey::load_or_create(&cfg),
            Err(ServerKeyError::Malformed(_))
        ));
        // A configured file that is missing is an error, not a new key.
        let cfg = Config {
            server_key_file: Some(dir.path().join("absent.key")),
            ..cfg
        };
        assert!(matches!(
            ServerKey::load_or_create(&cfg),
            Err(ServerKeyError::Io { .. })
        ));
    }
}
