//! A throwaway PostgreSQL cluster from Debian packages, for the multi-instance runs.
//!
//! `initdb` and `postgres` from `/usr/lib/postgresql/<version>/bin` (15 on Debian 12; the newest installed
//! version is used), run as the `postgres` user through `runuser -u postgres --` because tests run as root
//! and PostgreSQL refuses to. The cluster lives in a temporary folder owned by `postgres`, listens on
//! 127.0.0.1 on a free port with trust authentication, and is stopped (SIGKILL is enough: it is thrown
//! away) when dropped. When the binaries are missing, [`PgCluster::start`] installs Debian's `postgresql`
//! package with `apt-get` (as the test command must); `REMPLA_E2E_NO_INSTALL=1` turns that off.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running throwaway cluster.
pub struct PgCluster {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    child: Option<Child>,
}

/// The newest `/usr/lib/postgresql/<v>/bin` holding `initdb`.
pub fn pg_bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| {
            let e = e.ok()?;
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, b)| b)
}

fn run_as_postgres(args: &[&str]) -> std::io::Result<std::process::ExitStatus> {
    Command::new("runuser")
        .args(["-u", "postgres", "--"])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
}

impl PgCluster {
    /// Creates and starts a cluster with one database `rempla`; its URL is [`PgCluster::url`].
    pub fn start() -> std::io::Result<Self> {
        let bin = match pg_bin_dir() {
            Some(b) => b,
            None if std::env::var("REMPLA_E2E_NO_INSTALL").is_err() => {
                let _ = Command::new("apt-get").args(["update", "-q"]).status();
                Command::new("apt-get")
                    .args(["install", "-y", "-q", "postgresql"])
                    .env("DEBIAN_FRONTEND", "noninteractive")
                    .status()?;
                pg_bin_dir().ok_or_else(|| {
                    std::io::Error::other("PostgreSQL absent : apt-get install -y postgresql")
                })?
            }
            None => {
                return Err(std::io::Error::other(
                    "PostgreSQL absent : apt-get install -y postgresql",
                ));
            }
        };
        let dir = std::env::temp_dir().join(format!("rempla-pg-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir)?;
        let chown = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&dir)
            .status()?;
        if !chown.success() {
            return Err(std::io::Error::other("chown postgres failed"));
        }
        let data = dir.join("data");
        let s = |p: &Path| p.to_string_lossy().into_owned();
        let initdb = s(&bin.join("initdb"));
        let status = run_as_postgres(&[
            &initdb,
            "-D",
            &s(&data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
        ])?;
        if !status.success() {
            return Err(std::io::Error::other("initdb failed"));
        }
        let port = crate::server::free_port()?.port();
        let child = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(bin.join("postgres"))
            .arg("-D")
            .arg(&data)
            .args(["-c", "listen_addresses=127.0.0.1", "-c"])
            .arg(format!("port={port}"))
            .args(["-c", "fsync=off", "-c", "max_connections=200", "-c"])
            .arg(format!("unix_socket_directories={}", s(&dir)))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let mut cluster = Self {
            dir,
            bin: bin.clone(),
            port,
            child: Some(child),
        };
        cluster.wait_ready(&bin)?;
        let createdb = s(&bin.join("createdb"));
        let port_text = port.to_string();
        let status = run_as_postgres(&[
            &createdb,
            "-h",
            "127.0.0.1",
            "-p",
            &port_text,
            "-U",
            "postgres",
            "rempla",
        ])?;
        if !status.success() {
            return Err(std::io::Error::other("createdb failed"));
        }
        Ok(cluster)
    }

    fn wait_ready(&mut self, bin: &Path) -> std::io::Result<()> {
        let start = Instant::now();
        let isready = bin.join("pg_isready").to_string_lossy().into_owned();
        let port = self.port.to_string();
        while start.elapsed() < Duration::from_secs(30) {
            if run_as_postgres(&[&isready, "-h", "127.0.0.1", "-p", &port])?.success() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(std::io::Error::other("postgres not ready"))
    }

    /// `postgres://postgres@127.0.0.1:PORT/rempla`.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/rempla", self.port)
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        // A fast stop lets the postmaster reap its backends; then wait for `runuser`.
        let pg_ctl = self.bin.join("pg_ctl").to_string_lossy().into_owned();
        let data = self.dir.join("data").to_string_lossy().into_owned();
        let _ = run_as_postgres(&[&pg_ctl, "-D", &data, "stop", "-m", "immediate", "-w"]);
        // If that failed: the postmaster's own pid (runuser does not forward SIGKILL): first line of postmaster.pid.
        if let Ok(text) = std::fs::read_to_string(self.dir.join("data/postmaster.pid"))
            && let Some(pid) = text
                .lines()
                .next()
                .and_then(|l| l.trim().parse::<u32>().ok())
        {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
