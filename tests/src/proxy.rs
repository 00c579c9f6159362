//! A fault-injecting HTTP/1.1 proxy on 127.0.0.1, between devices and one or more servers.
//!
//! For each request, a seeded generator decides: forward normally, **drop** it (close the client
//! connection, the server never sees it), **delay** it, **duplicate** it (send it upstream twice — the
//! device gets one answer), **reorder** it (hold it until a later request has gone through, or a timeout),
//! or **cut** the connection halfway through the answer (the server applied the request, the device never
//! learns it). With several upstreams (several server instances on one PostgreSQL database), requests go
//! round-robin. When no upstream accepts the connection (a server killed and restarting) the proxy answers
//! 502, like a real gateway.
//!
//! The proxy is a real TCP server: it reads the request head and its `Content-Length` body, rewrites
//! `Connection: close`, opens one upstream connection per request and relays the answer up to EOF.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

use crate::rng::Rng;

/// Probabilities of each fault, per request.
#[derive(Clone, Copy, Debug)]
pub struct FaultPlan {
    /// Close the connection without forwarding.
    pub drop: f64,
    /// Wait up to `max_delay` before forwarding.
    pub delay: f64,
    /// Forward twice.
    pub duplicate: f64,
    /// Hold until another request passed (or a timeout).
    pub reorder: f64,
    /// Forward, then send only half of the answer and close.
    pub cut: f64,
    /// For a push: ask for the SIGKILL of the server it went to, a few milliseconds after forwarding it
    /// (see [`Proxy::kill_requests`]), so the server dies while it applies the batch.
    pub kill_on_push: f64,
    /// Longest injected delay.
    pub max_delay: Duration,
}

impl FaultPlan {
    /// No faults (setup and final sync).
    pub const NONE: Self = Self {
        drop: 0.0,
        delay: 0.0,
        duplicate: 0.0,
        reorder: 0.0,
        cut: 0.0,
        kill_on_push: 0.0,
        max_delay: Duration::ZERO,
    };

    /// The hostile mix of the schedules.
    pub const HOSTILE: Self = Self {
        drop: 0.08,
        delay: 0.15,
        duplicate: 0.12,
        reorder: 0.10,
        cut: 0.12,
        kill_on_push: 0.1,
        max_delay: Duration::from_millis(150),
    };
}

/// What the proxy did, for the test's report and assertions.
#[derive(Debug, Default)]
pub struct ProxyStats {
    /// Requests received.
    pub requests: AtomicU64,
    /// Requests dropped.
    pub dropped: AtomicU64,
    /// Requests delayed.
    pub delayed: AtomicU64,
    /// Requests sent upstream twice.
    pub duplicated: AtomicU64,
    /// Requests held behind a later one.
    pub reordered: AtomicU64,
    /// Answers cut in the middle.
    pub cut: AtomicU64,
    /// 502 answers (no upstream reachable).
    pub bad_gateway: AtomicU64,
    /// Kills asked for during a push.
    pub kills_asked: AtomicU64,
}

impl ProxyStats {
    /// One line for the test log.
    pub fn summary(&self) -> String {
        let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
        format!(
            "requests={} dropped={} delayed={} duplicated={} reordered={} cut={} bad_gateway={} kills_asked={}",
            g(&self.requests),
            g(&self.dropped),
            g(&self.delayed),
            g(&self.duplicated),
            g(&self.reordered),
            g(&self.cut),
            g(&self.bad_gateway),
            g(&self.kills_asked)
        )
    }
}

struct Shared {
    upstreams: Vec<SocketAddr>,
    next_upstream: AtomicUsize,
    plan: Mutex<FaultPlan>,
    rng: Mutex<Rng>,
    stats: ProxyStats,
    passed: Notify,
    stop: AtomicBool,
    kill_tx: Mutex<std::sync::mpsc::Sender<usize>>,
}

/// A running proxy; stops when dropped.
pub struct Proxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    kill_rx: Mutex<Option<std::sync::mpsc::Receiver<usize>>>,
    runtime: Option<tokio::runtime::Runtime>,
}

enum Decision {
    Forward,
    Drop,
    Delay(Duration),
    Duplicate,
    Reorder,
    Cut,
}

impl Proxy {
    /// Starts a proxy on 127.0.0.1 (random port) in front of `upstreams`, faults drawn from `seed`.
    pub fn start(upstreams: Vec<SocketAddr>, plan: FaultPlan, seed: u64) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0"))?;
        let addr = listener.local_addr()?;
        let (kill_tx, kill_rx) = std::sync::mpsc::channel();
        let shared = Arc::new(Shared {
            kill_tx: Mutex::new(kill_tx),
            upstreams,
            next_upstream: AtomicUsize::new(0),
            plan: Mutex::new(plan),
            rng: Mutex::new(Rng::new(seed)),
            stats: ProxyStats::default(),
            passed: Notify::new(),
            stop: AtomicBool::new(false),
        });
        let s = Arc::clone(&shared);
        runtime.spawn(async move {
            while !s.stop.load(Ordering::Relaxed) {
                let Ok((client, _)) = listener.accept().await else {
                    continue;
                };
                let s = Arc::clone(&s);
                tokio::spawn(async move {
                    let _ = handle(client, s).await;
                });
            }
        });
        Ok(Self {
            addr,
            shared,
            kill_rx: Mutex::new(Some(kill_rx)),
            runtime: Some(runtime),
        })
    }

    /// `http://127.0.0.1:PORT`, the address devices use.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Changes the fault mix (e.g. [`FaultPlan::NONE`] for the final sync).
    pub fn set_plan(&self, plan: FaultPlan) {
        if let Ok(mut p) = self.shared.plan.lock() {
            *p = plan;
        }
    }

    /// The upstream indexes to SIGKILL, sent while a push is in flight (once; later calls get `None`).
    /// The test owns the server processes, so it does the killing and the restart.
    pub fn kill_requests(&self) -> Option<std::sync::mpsc::Receiver<usize>> {
        self.kill_rx.lock().ok()?.take()
    }

    /// What happened so far.
    pub fn stats(&self) -> &ProxyStats {
        &self.shared.stats
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

fn decide(shared: &Shared) -> Decision {
    let plan = shared.plan.lock().map_or(FaultPlan::NONE, |p| *p);
    let Ok(mut rng) = shared.rng.lock() else {
        return Decision::Forward;
    };
    let max_delay = u64::try_from(plan.max_delay.as_millis()).unwrap_or(0);
    if rng.chance(plan.drop) {
        Decision::Drop
    } else if rng.chance(plan.cut) {
        Decision::Cut
    } else if rng.chance(plan.duplicate) {
        Decision::Duplicate
    } else if rng.chance(plan.reorder) {
        Decision::Reorder
    } else if rng.chance(plan.delay) {
        Decision::Delay(Duration::from_millis(rng.below(max_delay + 1)))
    } else {
        Decision::Forward
    }
}

/// Reads one request: head (up to 64 KiB) and its `Content-Length` body (up to 4 MiB).
async fn read_request(client: &mut TcpStream) -> std::io::Result<Option<(String, Vec<u8>)>> {
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > 64 * 1024 {
            return Ok(None);
        }
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    if length > 4 * 1024 * 1024 {
        return Ok(None);
    }
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    // Rewrite the head: one request per upstream connection.
    let mut lines: Vec<&str> = head
        .trim_end_matches("\r\n")
        .split("\r\n")
        .filter(|l| {
            !l.to_ascii_lowercase().starts_with("connection:")
                && !l.to_ascii_lowercase().starts_with("keep-alive:")
        })
        .collect();
    lines.push("Connection: close");
    let head = format!("{}\r\n\r\n", lines.join("\r\n"));
    Ok(Some((head, body)))
}

async fn forward(shared: &Shared, head: &str, body: &[u8]) -> Option<Vec<u8>> {
    let first = shared.next_upstream.fetch_add(1, Ordering::Relaxed);
    forward_from(shared, first, head, body).await
}

async fn forward_from(shared: &Shared, first: usize, head: &str, body: &[u8]) -> Option<Vec<u8>> {
    let n = shared.upstreams.len();
    for k in 0..n {
        let upstream = shared.upstreams[(first + k) % n];
        let Ok(Ok(mut conn)) =
            tokio::time::timeout(Duration::from_secs(2), TcpStream::connect(upstream)).await
        else {
            continue;
        };
        if conn.write_all(head.as_bytes()).await.is_err() || conn.write_all(body).await.is_err() {
            continue;
        }
        let mut answer = Vec::new();
        if let Ok(Ok(_)) =
            tokio::time::timeout(Duration::from_secs(30), conn.read_to_end(&mut answer)).await
            && !answer.is_empty()
        {
            return Some(answer);
        }
    }
    None
}

fn bad_gateway() -> Vec<u8> {
    let body = r#"{"code":"bad_gateway","message":"serveur injoignable"}"#;
    format!(
        "HTTP/1.1 502 Bad Gateway\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

async fn handle(mut client: TcpStream, shared: Arc<Shared>) -> std::io::Result<()> {
    let Some((head, body)) = read_request(&mut client).await? else {
        return Ok(());
    };
    shared.stats.requests.fetch_add(1, Ordering::Relaxed);
    let decision = decide(&shared);
    let answer = match decision {
        Decision::Drop => {
            shared.stats.dropped.fetch_add(1, Ordering::Relaxed);
            return client.shutdown().await;
        }
        Decision::Delay(d) => {
            shared.stats.delayed.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(d).await;
            forward(&shared, &head, &body).await
        }
        Decision::Reorder => {
            shared.stats.reordered.fetch_add(1, Ordering::Relaxed);
            let _ =
                tokio::time::timeout(Duration::from_millis(300), shared.passed.notified()).await;
            forward(&shared, &head, &body).await
        }
        Decision::Duplicate => {
            shared.stats.duplicated.fetch_add(1, Ordering::Relaxed);
            let (a, b) = tokio::join!(
                forward(&shared, &head, &body),
                forward(&shared, &head, &body)
            );
            b.or(a)
        }
        Decision::Forward | Decision::Cut => {
            let kill = head.starts_with("POST /v1/sync/push") && {
                let p = shared.plan.lock().map_or(0.0, |p| p.kill_on_push);
                shared.rng.lock().is_ok_and(|mut r| r.chance(p))
            };
            if kill {
                let first = shared.next_upstream.fetch_add(1, Ordering::Relaxed);
                let target = first % shared.upstreams.len().max(1);
                let pause = shared.rng.lock().map_or(0, |mut r| r.below(15));
                let s2 = Arc::clone(&shared);
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(pause)).await;
                    s2.stats.kills_asked.fetch_add(1, Ordering::Relaxed);
                    if let Ok(tx) = s2.kill_tx.lock() {
                        let _ = tx.send(target);
                    }
                });
                forward_from(&shared, first, &head, &body).await
            } else {
                forward(&shared, &head, &body).await
            }
        }
    };
    shared.passed.notify_waiters();
    let answer = answer.unwrap_or_else(|| {
        shared.stats.bad_gateway.fetch_add(1, Ordering::Relaxed);
        bad_gateway()
    });
    if matches!(decision, Decision::Cut) {
        shared.stats.cut.fetch_add(1, Ordering::Relaxed);
        client.write_all(&answer[..answer.len() / 2]).await?;
        return client.shutdown().await;
    }
    client.write_all(&answer).await?;
    client.shutdown().await
}
