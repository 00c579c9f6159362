//! The fault-injecting proxy itself, against a tiny counting HTTP upstream: each fault does what it says
//! (a dropped request never reaches the server, a duplicated one reaches it twice, a cut answer reaches
//! the server but not the client, a dead upstream gives 502). Runs without `rempla-server`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rempla_e2e::proxy::{FaultPlan, Proxy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// An upstream that counts requests and answers `{"n": count}` with a Content-Length.
fn upstream() -> (SocketAddr, Arc<AtomicUsize>, tokio::runtime::Runtime) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let c = Arc::clone(&count);
    rt.spawn(async move {
        loop {
            let (mut s, _) = listener.accept().await.unwrap();
            let c = Arc::clone(&c);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let mut got = Vec::new();
                while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                    let n = s.read(&mut buf).await.unwrap();
                    if n == 0 {
                        return;
                    }
                    got.extend_from_slice(&buf[..n]);
                }
                let n = c.fetch_add(1, Ordering::SeqCst) + 1;
                let body = format!("{{\"n\":{n},\"pad\":\"{}\"}}", "x".repeat(200));
                let answer = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                s.write_all(answer.as_bytes()).await.unwrap();
                s.shutdown().await.unwrap();
            });
        }
    });
    (addr, count, rt)
}

fn get(url: &str) -> Result<String, reqwest::Error> {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()?
        .post(format!("{url}/v1/x"))
        .body("{}")
        .send()?
        .text()
}

fn only(f: impl FnOnce(&mut FaultPlan)) -> FaultPlan {
    let mut p = FaultPlan::NONE;
    f(&mut p);
    p
}

#[test]
fn each_fault_does_what_it_says() {
    let (addr, count, _rt) = upstream();
    let proxy = Proxy::start(vec![addr], FaultPlan::NONE, 1).unwrap();

    assert!(get(&proxy.url()).unwrap().contains("\"n\":1"));
    assert_eq!(count.load(Ordering::SeqCst), 1);

    proxy.set_plan(only(|p| p.drop = 1.0));
    assert!(get(&proxy.url()).is_err());
    assert_eq!(
        count.load(Ordering::SeqCst),
        1,
        "a dropped request never arrives"
    );

    proxy.set_plan(only(|p| p.duplicate = 1.0));
    assert!(get(&proxy.url()).is_ok());
    assert_eq!(
        count.load(Ordering::SeqCst),
        3,
        "a duplicated request arrives twice"
    );

    proxy.set_plan(only(|p| p.cut = 1.0));
    assert!(
        get(&proxy.url()).is_err(),
        "the client never gets the whole answer"
    );
    assert_eq!(
        count.load(Ordering::SeqCst),
        4,
        "but the server did the work"
    );

    proxy.set_plan(only(|p| {
        p.delay = 1.0;
        p.max_delay = Duration::from_millis(30);
    }));
    assert!(get(&proxy.url()).unwrap().contains("\"n\":5"));

    proxy.set_plan(only(|p| p.reorder = 1.0));
    assert!(
        get(&proxy.url()).unwrap().contains("\"n\":6"),
        "a held request still goes through"
    );

    let s = proxy.stats().summary();
    assert!(
        s.contains("requests=6") && s.contains("dropped=1") && s.contains("duplicated=1"),
        "{s}"
    );
    assert!(
        s.contains("cut=1") && s.contains("reordered=1") && s.contains("delayed=1"),
        "{s}"
    );
}

#[test]
fn a_dead_upstream_answers_502_and_a_second_upstream_takes_over() {
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_addr = dead.local_addr().unwrap();
    drop(dead);
    let proxy = Proxy::start(vec![dead_addr], FaultPlan::NONE, 2).unwrap();
    let answer = reqwest::blocking::Client::new()
        .post(format!("{}/v1/x", proxy.url()))
        .send()
        .unwrap();
    assert_eq!(answer.status().as_u16(), 502);
    let (addr, count, _rt) = upstream();
    let both = Proxy::start(vec![dead_addr, addr], FaultPlan::NONE, 3).unwrap();
    for _ in 0..4 {
        assert!(get(&both.url()).is_ok());
    }
    assert_eq!(count.load(Ordering::SeqCst), 4);
}

#[test]
fn the_same_seed_gives_the_same_fault_sequence() {
    let (addr, _count, _rt) = upstream();
    let outcomes = |seed| {
        let proxy = Proxy::start(vec![addr], FaultPlan::HOSTILE, seed).unwrap();
        (0..30)
            .map(|_| get(&proxy.url()).is_ok())
            .collect::<Vec<_>>()
    };
    assert_eq!(outcomes(42), outcomes(42));
}
