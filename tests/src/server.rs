//! Real `rempla-server` processes: found or built, started on a fixed loopback port, killed with SIGKILL
//! and restarted on the same port and data.
//!
//! Finding the binary: `REMPLA_SERVER_BIN` if set; otherwise the harness runs
//! `cargo build -p rempla-server --bin rempla-server` once per test process, into the test's own target
//! folder (a no-op when up to date, so the suite never runs a stale server), and uses
//! `target/<profile>/rempla-server`. The `rempla` CLI is found the same way (`REMPLA_CLI_BIN`).

use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The server binary, building it if needed. `None` when the workspace has no server crate.
pub fn server_binary() -> Option<PathBuf> {
    static BIN: OnceLock<Option<PathBuf>> = OnceLock::new();
    BIN.get_or_init(|| {
        workspace_binary(
            "REMPLA_SERVER_BIN",
            "sync-server",
            "rempla-server",
            "rempla-server",
        )
    })
    .clone()
}

/// The `rempla` CLI binary, building it if needed.
pub fn cli_binary() -> Option<PathBuf> {
    static BIN: OnceLock<Option<PathBuf>> = OnceLock::new();
    BIN.get_or_init(|| workspace_binary("REMPLA_CLI_BIN", "core/cli", "rempla-cli", "rempla"))
        .clone()
}

/// A binary of this workspace: `$env_var` if set, else built by `cargo build -p package --bin bin` into
/// the test's own target folder (a no-op when up to date). `None` when `folder` is not in the workspace.
fn workspace_binary(env_var: &str, folder: &str, package: &str, bin: &str) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(env_var) {
        return Some(PathBuf::from(p));
    }
    let exe = std::env::current_exe().ok()?;
    let profile_dir = exe.parent()?.parent()?.to_path_buf();
    let candidate = profile_dir.join(bin);
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()?
        .to_path_buf();
    if !workspace.join(folder).join("Cargo.toml").exists() {
        return None;
    }
    let target_dir = profile_dir.parent()?.to_path_buf();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    // A clean environment, as in a shell: the variables `cargo test` sets for this test process
    // (CARGO_PKG_*, OUT_DIR…) would otherwise dirty build-script fingerprints and rebuild everything.
    let mut cmd = Command::new(cargo);
    cmd.env_clear()
        .current_dir(&workspace)
        .args(["build", "-p", package, "--bin", bin])
        .env("CARGO_TARGET_DIR", &target_dir);
    for keep in [
        "PATH",
        "HOME",
        "CARGO_HOME",
        "RUSTUP_HOME",
        "RUSTUP_TOOLCHAIN",
        "TMPDIR",
    ] {
        if let Some(v) = std::env::var_os(keep) {
            cmd.env(keep, v);
        }
    }
    let status = cmd.status().ok()?;
    (status.success() && candidate.exists()).then_some(candidate)
}

/// A free loopback port (bound then released; the server binds it right after).
pub fn free_port() -> std::io::Result<SocketAddr> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    l.local_addr()
}

/// One server process and how to start it again.
pub struct ServerProcess {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its data folder (SQLite file, e-mail outbox).
    pub data: PathBuf,
    database_url: Option<String>,
    binary: PathBuf,
    child: Option<Child>,
    log: PathBuf,
}

impl ServerProcess {
    /// Starts a server on a fresh port with `data` as data folder, on SQLite or on `database_url`.
    pub fn start(binary: &Path, data: &Path, database_url: Option<&str>) -> std::io::Result<Self> {
        std::fs::create_dir_all(data)?;
        let mut s = Self {
            addr: free_port()?,
            data: data.to_path_buf(),
            database_url: database_url.map(str::to_owned),
            binary: binary.to_path_buf(),
            child: None,
            log: data.join("server.log"),
        };
        s.spawn()?;
        Ok(s)
    }

    fn spawn(&mut self) -> std::io::Result<()> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)?;
        let mut cmd = Command::new(&self.binary);
        cmd.arg("--listen")
            .arg(self.addr.to_string())
            .arg("--data")
            .arg(&self.data)
            .arg("--public-url")
            .arg(format!("http://{}", self.addr))
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        if let Some(url) = &self.database_url {
            cmd.arg("--database-url").arg(url);
        }
        self.child = Some(cmd.spawn()?);
        self.wait_ready(Duration::from_mins(1))
    }

    /// Waits until the server accepts connections and answers `GET /v1/ready` with 200.
    pub fn wait_ready(&mut self, within: Duration) -> std::io::Result<()> {
        let start = Instant::now();
        while start.elapsed() < within {
            if let Some(child) = &mut self.child
                && let Ok(Some(status)) = child.try_wait()
            {
                return Err(std::io::Error::other(format!(
                    "rempla-server exited with {status}; log: {}",
                    std::fs::read_to_string(&self.log).unwrap_or_default()
                )));
            }
            if ready(self.addr) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(std::io::Error::other("rempla-server not ready in time"))
    }

    /// SIGKILL (no graceful shutdown), as a crash or an OOM kill would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the process again on the same port, data and database.
    pub fn restart(&mut self) -> std::io::Result<()> {
        self.kill();
        self.spawn()
    }

    /// `http://ADDR`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The server's log so far (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// One `GET /v1/ready` over a raw socket (no client library: this runs between kills).
fn ready(addr: SocketAddr) -> bool {
    use std::io::{Read, Write};
    let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(b"GET /v1/ready HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer.starts_with("HTTP/1.1 200")
}

/// Activation tokens e-mailed to `email`, read from the servers' e-mail outboxes (`<data>/outbox/`, where
/// the server writes messages when no SMTP server is configured). Newest last.
pub fn activation_tokens(data_dirs: &[&Path], email: &str) -> Vec<String> {
    let mut found = Vec::new();
    for dir in data_dirs {
        let Ok(entries) = std::fs::read_dir(dir.join("outbox")) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        for f in files {
            let Ok(text) = std::fs::read_to_string(&f) else {
                continue;
            };
            let unfolded = text
                .replace("=\r\n", "")
                .replace("=\n", "")
                .replace("=3D", "=");
            if !unfolded.contains(email) {
                continue;
            }
            for (i, _) in unfolded.match_indices("token=") {
                let token: String = unfolded[i + 6..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
                if !token.is_empty() && !found.contains(&token) {
                    found.push(token);
                }
            }
        }
    }
    found
}
