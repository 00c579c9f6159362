//! Privacy and push on [`OfflineCalendar`]: the personal data export (a ZIP written to a file the app
//! chooses, atomically), the account closure and this device's push targets (FCM, APNs, UnifiedPush / Web Push), through
//! core's `ApiClient` (`docs/api/privacy.md`, `docs/api/notifications.md`).

use std::io::{Read, Seek, Write};
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use rempla_client::{PushTarget, RegisteredPushTarget, SyncClient};

use crate::account::client_config;
use crate::calendar::OfflineCalendar;
use crate::convert::{self, utc_text};
use crate::error::RemplaError;

/// Longest token or endpoint sent (the server's own limits are finer: FCM 4,096, URLs 2,048).
const MAX_ADDRESS: usize = 4_096;

/// Which push service a target belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum PushKind {
    /// Firebase Cloud Messaging (Android with Google services): a registration token.
    Fcm,
    /// Apple Push Notification service: the device token in hex.
    Apns,
    /// A UnifiedPush distributor's endpoint (Android without Google): registered as Web Push, with the
    /// keys the connector generated.
    UnifiedPush,
    /// A browser-style Web Push subscription: endpoint and keys.
    WebPush,
}

/// The encryption keys of a Web Push / UnifiedPush subscription (RFC 8291), base64url.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct WebPushKeys {
    /// The subscription's P-256 public key (65 bytes, uncompressed), base64url.
    pub p256dh: String,
    /// The 16-byte auth secret, base64url.
    pub auth: String,
}

/// A push target registered on the account.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PushTargetRecord {
    /// Id (for `unregister_push_target`).
    pub id: String,
    /// `fcm`, `apns` or `webpush`.
    pub kind: String,
    /// The token or endpoint.
    pub address: String,
    /// The device it belongs to.
    pub device_id: String,
    /// Whether that device is this one.
    pub this_device: bool,
    /// Registration time, RFC 3339 UTC.
    pub created_at: String,
}

/// What the export wrote.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ExportResult {
    /// The file written (the path given).
    pub path: String,
    /// Its size in bytes.
    pub bytes: u64,
}

fn address(text: &str) -> Result<String, RemplaError> {
    let text = text.trim();
    if text.is_empty() || text.len() > MAX_ADDRESS || text.chars().any(char::is_control) {
        return Err(RemplaError::invalid(
            "invalid_token",
            format!(
                "jeton ou adresse de notification vide, trop long (plus de {MAX_ADDRESS} caractères) ou invalide"
            ),
        ));
    }
    Ok(text.to_owned())
}

fn target(
    kind: PushKind,
    token_or_endpoint: &str,
    keys: Option<WebPushKeys>,
) -> Result<PushTarget, RemplaError> {
    let address = address(token_or_endpoint)?;
    Ok(match (kind, keys) {
        (PushKind::Fcm, None) => PushTarget::Fcm { token: address },
        (PushKind::Apns, None) => PushTarget::Apns {
            token: address,
            topic: None,
        },
        (PushKind::UnifiedPush | PushKind::WebPush, Some(keys)) => PushTarget::WebPush {
            endpoint: address,
            p256dh: keys.p256dh.trim().to_owned(),
            auth: keys.auth.trim().to_owned(),
        },
        (PushKind::UnifiedPush | PushKind::WebPush, None) => {
            return Err(RemplaError::invalid(
                "invalid_key",
                "une adresse Web Push ou UnifiedPush doit venir avec ses clés (p256dh, auth)",
            ));
        }
        (PushKind::Fcm | PushKind::Apns, Some(_)) => {
            return Err(RemplaError::invalid(
                "unexpected_keys",
                "les clés Web Push ne s'appliquent pas à FCM ni à APNs",
            ));
        }
    })
}

fn push_record(t: &RegisteredPushTarget, device: &str) -> PushTargetRecord {
    PushTargetRecord {
        id: t.id.clone(),
        kind: t.kind.clone(),
        address: t.address.clone(),
        device_id: t.device_id.clone(),
        this_device: t.device_id == device,
        created_at: DateTime::<Utc>::from_timestamp_millis(t.created_ms)
            .map(utc_text)
            .unwrap_or_default(),
    }
}

/// Checks the export destination: an absolute file path in an existing directory, not a directory.
fn destination(path: &str) -> Result<(PathBuf, PathBuf), RemplaError> {
    let bad =
        |why: &str| RemplaError::invalid("invalid_path", format!("chemin d'export refusé : {why}"));
    if path.trim().is_empty() || path.contains('\0') {
        return Err(bad("vide ou illisible"));
    }
    let file = PathBuf::from(path);
    if !file.is_absolute() {
        return Err(bad("un chemin absolu est attendu"));
    }
    if file.file_name().is_none() || file.is_dir() {
        return Err(bad("un nom de fichier est attendu, pas un dossier"));
    }
    let dir = file
        .parent()
        .filter(|d| d.is_dir())
        .ok_or_else(|| bad("le dossier n'existe pas"))?
        .to_path_buf();
    Ok((file, dir))
}

#[uniffi::export]
impl OfflineCalendar {
    /// Registers this device for push notifications: an FCM token, an APNs device token (hex), or a
    /// UnifiedPush / Web Push endpoint with its keys. Replaces this device's previous target of the same
    /// kind. Bad input is `Invalid` with the server's code (`invalid_token`, `invalid_endpoint`,
    /// `invalid_key`); offline `Offline` (register again at the next start).
    pub fn register_push_target(
        &self,
        kind: PushKind,
        token_or_endpoint: String,
        keys: Option<WebPushKeys>,
    ) -> Result<PushTargetRecord, RemplaError> {
        let target = target(kind, &token_or_endpoint, keys)?;
        let store = self.store();
        let device = store.device_id().to_string();
        let client = SyncClient::from_store(&store, &client_config())?;
        drop(store);
        let registered = client.api().register_push_target(&target)?;
        Ok(push_record(&registered, &device))
    }

    /// The account's push targets, every device (`this_device` marks this one's), e.g. for the privacy
    /// screen's switches.
    pub fn push_targets(&self) -> Result<Vec<PushTargetRecord>, RemplaError> {
        let store = self.store();
        let device = store.device_id().to_string();
        let client = SyncClient::from_store(&store, &client_config())?;
        drop(store);
        Ok(client
            .api()
            .push_targets()?
            .iter()
            .map(|t| push_record(t, &device))
            .collect())
    }

    /// Removes a push target by id (`NotFound` when the account has none with this id).
    pub fn unregister_push_target(&self, id: String) -> Result<(), RemplaError> {
        let id = convert::uuid(&id)?;
        let client = SyncClient::from_store(&self.store(), &client_config())?;
        client.api().remove_push_target(&id.to_string())?;
        Ok(())
    }

    /// Closes the account for good (the password is checked again by the server): every token is
    /// revoked, the doctor's profile and documents deleted, pending proposals withdrawn (see
    /// `docs/api/privacy.md`); this device is then signed out, its session forgotten. A wrong password is
    /// `Invalid` (`wrong_password`); missions ahead `Conflict` (`missions_ahead`): nothing changes then.
    pub fn close_account(&self, password: String) -> Result<(), RemplaError> {
        if password.is_empty() {
            return Err(RemplaError::invalid(
                "wrong_password",
                "le mot de passe est nécessaire pour supprimer le compte",
            ));
        }
        let client = SyncClient::from_store(&self.store(), &client_config())?;
        client.api().close_account(&password)?;
        // The server revoked the token: forget the session here too (calendar and cursor stay).
        self.store().clear_sync_session(true)?;
        Ok(())
    }

    /// Downloads the personal data export (a ZIP: `data.json`, `calendar.ics`, the vault's documents) to
    /// `path`, an absolute file path in an existing directory the app may write (e.g. its cache, before
    /// sharing). Written atomically: a temporary file in the same directory, synced, then renamed over
    /// `path`. A bad path is `Invalid` (`invalid_path`) before anything is downloaded; a failed write is
    /// `Storage` (`export_write_failed`) and leaves no partial file. Blocks while it downloads.
    pub fn export_my_data(&self, path: String) -> Result<ExportResult, RemplaError> {
        let (file, dir) = destination(&path)?;
        let client = SyncClient::from_store(&self.store(), &client_config())?;
        let write_failed = |e: std::io::Error| RemplaError::Storage {
            code: "export_write_failed".to_owned(),
            reason: format!("écriture de l'export impossible : {e}"),
        };
        // Streamed into a temporary file beside `path`: a 500 MB vault never sits in memory, and a
        // download cut short leaves nothing behind (the temporary file is removed on drop).
        let mut temp = tempfile::NamedTempFile::new_in(&dir).map_err(write_failed)?;
        let bytes = {
            let mut out = std::io::BufWriter::new(temp.as_file_mut());
            let bytes = client.api().export_my_data_to(&mut out)?;
            out.flush().map_err(write_failed)?;
            bytes
        };
        let mut magic = [0_u8; 4];
        let is_zip = temp.as_file_mut().rewind().is_ok()
            && temp.as_file_mut().read_exact(&mut magic).is_ok()
            && &magic == b"PK\x03\x04";
        if !is_zip {
            return Err(RemplaError::Sync {
                code: "protocol".to_owned(),
                reason: "l'export reçu n'est pas une archive ZIP".to_owned(),
            });
        }
        temp.as_file().sync_all().map_err(write_failed)?;
        temp.persist(&file).map_err(|e| write_failed(e.error))?;
        Ok(ExportResult { path, bytes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn push_targets_are_checked_before_anything_is_sent() {
        let keys = || {
            Some(WebPushKeys {
                p256dh: "k".into(),
                auth: "a".into(),
            })
        };
        assert!(matches!(
            target(PushKind::Fcm, "tok", None),
            Ok(PushTarget::Fcm { .. })
        ));
        assert!(matches!(
            target(PushKind::UnifiedPush, "https://up.example/x", keys()),
            Ok(PushTarget::WebPush { .. })
        ));
        assert_eq!(
            target(PushKind::Fcm, " ", None).unwrap_err().code(),
            "invalid_token"
        );
        assert_eq!(
            target(PushKind::Apns, &"a".repeat(MAX_ADDRESS + 1), None)
                .unwrap_err()
                .code(),
            "invalid_token"
        );
        assert_eq!(
            target(PushKind::UnifiedPush, "https://up.example/x", None)
                .unwrap_err()
                .code(),
            "invalid_key"
        );
        assert_eq!(
            target(PushKind::Fcm, "tok", keys()).unwrap_err().code(),
            "unexpected_keys"
        );
        let cal = OfflineCalendar::open_in_memory().unwrap();
        assert_eq!(
            cal.register_push_target(PushKind::Fcm, "tok".into(), None)
                .unwrap_err()
                .code(),
            "not_logged_in"
        );
        assert_eq!(
            cal.unregister_push_target("x".into()).unwrap_err().code(),
            "invalid_id"
        );
    }

    #[test]
    fn export_paths_are_checked_before_anything_is_written() {
        let dir = std::env::temp_dir().join(format!("rempla-ffi-export-{}", uuid::Uuid::now_v7()));
        fs::create_dir_all(&dir).unwrap();
        let cal = OfflineCalendar::open_in_memory().unwrap();
        for bad in [
            "",
            "relative.zip",
            "/no/such/dir/x.zip",
            dir.to_str().unwrap(),
        ] {
            assert_eq!(
                cal.export_my_data(bad.into()).unwrap_err().code(),
                "invalid_path",
                "{bad}"
            );
        }
        let target = dir.join("export.zip");
        // A good path without a session: refused before any file appears.
        assert_eq!(
            cal.export_my_data(target.to_string_lossy().into_owned())
                .unwrap_err()
                .code(),
            "not_logged_in"
        );
        assert!(!target.exists());
        assert_eq!(
            fs::read_dir(&dir).unwrap().count(),
            0,
            "no temporary file left"
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
