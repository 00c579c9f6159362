//! Files only the server's own user may read: the data directory (0700), the SQLite database (0600,
//! which SQLite's `-wal` and `-shm` files copy), the mail outbox and its `.eml` files (they hold live
//! activation and reset links) and backups. Why here: the defaults (umask 022) left all of them
//! readable by every local account.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Creates `dir` (and its parents) if needed and makes it private (0700).
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}

/// Makes an existing file private (0600), or creates it empty and private; SQLite then creates its
/// journal files with the same mode.
pub fn private_file(path: &Path) -> std::io::Result<()> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
}

/// Writes a new private file (0600) with `bytes`.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Opens a new private file (0600) for writing (a backup).
pub fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn directories_and_files_are_private() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("data/outbox");
        private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        let db = root.path().join("data/rempla.sqlite3");
        std::fs::write(&db, b"").unwrap();
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
        private_file(&db).unwrap();
        assert_eq!(mode(&db), 0o600, "an existing world-readable file is fixed");
        let mail = dir.join("x.eml");
        write_private(&mail, b"token=secret").unwrap();
        assert_eq!(mode(&mail), 0o600);
        assert_eq!(std::fs::read(&mail).unwrap(), b"token=secret");
    }
}
