//! The throwaway PostgreSQL cluster of the test suites.
//!
//! `initdb` and `pg_ctl` come from the `PATH`, else from the newest `/usr/lib/postgresql/<version>/bin`
//! (Debian's layout). When neither has them and the tests run as root, Debian's `postgresql` package is
//! installed with `apt-get` (`REMPLA_E2E_NO_INSTALL=1` turns that off); if PostgreSQL is still missing,
//! [`Cluster::start`] returns an error and [`fresh_database`] panics: PostgreSQL cases fail, never skip.
//!
//! PostgreSQL refuses to run as root, so as root every PostgreSQL command runs as the `postgres` user
//! (`runuser -u postgres --`). A cluster lives in a temporary folder, listens on 127.0.0.1 on a free
//! port with trust authentication, with `fsync=off` and 200 connections.
//!
//! - [`fresh_database`]: a new empty database per call, in one cluster started once per test process and
//!   stopped when the process exits; `REMPLA_TEST_DATABASE_URL` (an admin URL) replaces that cluster.
//! - [`Cluster::start`]: a cluster of one's own, stopped when dropped.

use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// A running throwaway cluster; dropping it stops it and removes its folder.
pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    /// The process-wide cluster is stopped by a watchdog at process exit, not by `Drop`.
    stop_on_drop: bool,
}

fn bin_dir_has_tools(dir: &Path) -> bool {
    dir.join("initdb").exists() && dir.join("pg_ctl").exists()
}

/// The folder holding `initdb` and `pg_ctl`: the first such `PATH` entry, else the newest
/// `/usr/lib/postgresql/<version>/bin`.
pub fn bin_dir() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .find(|dir| bin_dir_has_tools(dir))
            // Debian links /usr/local/bin/pg_ctl to /usr/lib/postgresql/<v>/bin: use the real folder.
            .and_then(|dir| std::fs::canonicalize(dir.join("initdb")).ok())
            .and_then(|initdb| initdb.parent().map(Path::to_path_buf))
            .filter(|dir| bin_dir_has_tools(dir))
    });
    on_path.or_else(|| {
        let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(|e| {
                let e = e.ok()?;
                let version: u32 = e.file_name().to_str()?.parse().ok()?;
                let bin = e.path().join("bin");
                bin_dir_has_tools(&bin).then_some((version, bin))
            })
            .collect();
        versions.sort();
        versions.pop().map(|(_, bin)| bin)
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// `program` as the `postgres` user when we are root (PostgreSQL refuses root), else as ourselves.
fn as_postgres(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

/// [`bin_dir`], installing Debian's `postgresql` first when it is missing and we may.
fn bin_dir_or_install() -> io::Result<PathBuf> {
    if let Some(bin) = bin_dir() {
        return Ok(bin);
    }
    if is_root() && std::env::var_os("REMPLA_E2E_NO_INSTALL").is_none() {
        let status = Command::new("sh")
            .args([
                "-c",
                "apt-get update -qq && apt-get install -y -qq postgresql >/dev/null",
            ])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()?;
        if !status.success() {
            return Err(io::Error::other("apt-get install postgresql failed"));
        }
    }
    bin_dir().ok_or_else(|| {
        io::Error::other(
            "PostgreSQL is not installed (initdb missing): run scripts/setup-debian.sh or apt-get install -y postgresql",
        )
    })
}

fn free_port() -> io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn check(what: &str, out: &std::process::Output) -> io::Result<()> {
    if out.status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "{what} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )))
    }
}

impl Cluster {
    /// Creates and starts a cluster (only its `postgres` database exists); see [`Cluster::admin_url`].
    pub fn start() -> io::Result<Self> {
        let bin = bin_dir_or_install()?;
        let dir = std::env::temp_dir().join(format!("rempla-pg-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir)?;
        let mut cluster = Self {
            dir,
            bin,
            port: 0,
            stop_on_drop: true,
        };
        if is_root() {
            let chown = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&cluster.dir)
                .status()?;
            if !chown.success() {
                return Err(io::Error::other("chown postgres failed"));
            }
        }
        let data = cluster.data();
        let out = as_postgres(&cluster.bin.join("initdb"))
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
                "-D",
            ])
            .arg(&data)
            .output()?;
        check("initdb", &out)?;
        cluster.port = free_port()?;
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            cluster.port,
            cluster.dir.display()
        );
        // `-w` waits until the server accepts connections; pg_ctl leaves it running in the background.
        let out = as_postgres(&cluster.bin.join("pg_ctl"))
            .args(["-w", "-l"])
            .arg(cluster.dir.join("log"))
            .arg("-D")
            .arg(&data)
            .args(["-o", &options, "start"])
            .stdin(Stdio::null())
            .output()?;
        check("pg_ctl start", &out)?;
        Ok(cluster)
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// `postgres://postgres@127.0.0.1:PORT/postgres`.
    pub fn admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Creates database `name` and returns its URL.
    pub fn create_database(&self, name: &str) -> io::Result<String> {
        create_database(&self.admin_url(), name)
    }

    /// Leaves the cluster to a watchdog that stops it and removes its folder once this process exits
    /// (for a cluster kept in a `static`, which is never dropped).
    fn stop_when_process_exits(mut self) -> io::Result<Self> {
        let me = std::process::id();
        let pg_ctl = self.bin.join("pg_ctl");
        let stop = if is_root() {
            format!(
                "runuser -u postgres -- {} -D {} -m immediate stop",
                pg_ctl.display(),
                self.data().display()
            )
        } else {
            format!(
                "{} -D {} -m immediate stop",
                pg_ctl.display(),
                self.data().display()
            )
        };
        let watchdog = format!(
            "while kill -0 {me} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {}",
            self.dir.display()
        );
        // The watchdog outlives this process on purpose: nobody waits for it.
        #[allow(clippy::zombie_processes)]
        Command::new("sh")
            .args(["-c", &watchdog])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        self.stop_on_drop = false;
        Ok(self)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if !self.stop_on_drop {
            return;
        }
        let _ = as_postgres(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.data())
            .args(["stop", "-m", "immediate", "-w"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        // If that failed, kill the postmaster by its pid (first line of postmaster.pid).
        if let Ok(text) = std::fs::read_to_string(self.data().join("postmaster.pid"))
            && let Some(pid) = text
                .lines()
                .next()
                .and_then(|l| l.trim().parse::<u32>().ok())
        {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Creates database `name` through `admin_url` and returns its URL. Runs on its own thread: the
/// blocking `postgres` client must not run on a tokio runtime's thread.
fn create_database(admin_url: &str, name: &str) -> io::Result<String> {
    let admin = admin_url.to_owned();
    let sql = format!("CREATE DATABASE {name}");
    std::thread::spawn(move || -> io::Result<()> {
        let mut client =
            postgres::Client::connect(&admin, postgres::NoTls).map_err(io::Error::other)?;
        client.batch_execute(&sql).map_err(io::Error::other)
    })
    .join()
    .map_err(|_| io::Error::other("CREATE DATABASE panicked"))??;
    match admin_url.rsplit_once('/') {
        Some((base, _)) => Ok(format!("{base}/{name}")),
        None => Err(io::Error::other(format!("bad PostgreSQL URL {admin_url}"))),
    }
}

/// The admin URL of the process-wide cluster, started at the first call, or `REMPLA_TEST_DATABASE_URL`.
/// Panics (fails the test) when PostgreSQL cannot be started.
pub fn shared_admin_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    URL.get_or_init(|| {
        if let Ok(url) = std::env::var("REMPLA_TEST_DATABASE_URL") {
            return url;
        }
        let cluster = CLUSTER.get_or_init(|| {
            Cluster::start()
                .and_then(Cluster::stop_when_process_exits)
                .unwrap_or_else(|e| panic!("throwaway PostgreSQL: {e}"))
        });
        cluster.admin_url()
    })
}

/// A fresh, empty database (named `t_<uuid>`) of [`shared_admin_url`]; its URL. Panics when impossible.
pub fn fresh_database() -> String {
    let name = format!("t_{}", uuid::Uuid::now_v7().simple());
    create_database(shared_admin_url(), &name).unwrap_or_else(|e| panic!("{e}"))
}
