//! Per-request latency percentiles of matching on the synthetic national dataset (Criterion reports
//! means; facilities feel the tail), index build time and memory, and the candidate sets of a sample of
//! requests for `scripts/bench-matching.sh` to compare with PostgreSQL + PostGIS.
//!
//! ```sh
//! cargo run --release -p rempla-core --example matching_latency -- \
//!     [--seed 42] [--doctors 50000] [--slots 100] [--facilities 10000] [--requests 100000] \
//!     [--sample 2000] [--out DIR]
//! ```
//! Single-threaded: every figure is one core's.

// A measuring tool: it may stop on a broken dataset, and its casts are of small counts.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use rempla_core::matching::{
    MatchingIndex, SyntheticConfig, generate, match_request, requests_for_doctor,
};

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map_or(default, |v| v.parse().expect("a number"))
}

fn out_dir() -> Option<PathBuf> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == "--out")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
}

/// Resident set size of this process, in bytes (Linux).
fn rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn percentiles(name: &str, mut times: Vec<Duration>) {
    times.sort_unstable();
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    let mean = times.iter().sum::<Duration>() / u32::try_from(times.len()).unwrap();
    println!(
        "{name}: n={} p50={:.1}µs p90={:.1}µs p99={:.1}µs max={:.1}µs mean={:.1}µs",
        times.len(),
        at(0.5).as_secs_f64() * 1e6,
        at(0.9).as_secs_f64() * 1e6,
        at(0.99).as_secs_f64() * 1e6,
        at(1.0).as_secs_f64() * 1e6,
        mean.as_secs_f64() * 1e6,
    );
}

fn main() {
    let config = SyntheticConfig {
        seed: arg("--seed", 42) as u64,
        doctors: arg("--doctors", 50_000),
        slots_per_doctor: arg("--slots", 100),
        facilities: arg("--facilities", 10_000),
        requests: arg("--requests", 100_000),
        ..SyntheticConfig::national(42)
    };
    let sample = arg("--sample", 2_000);
    let t = Instant::now();
    let data = generate(&config).expect("dataset");
    println!(
        "dataset: {} doctors, {} slots, {} requests, generated in {:.1}s",
        data.doctors.len(),
        data.slots.len(),
        data.requests.len(),
        t.elapsed().as_secs_f64()
    );
    let before = rss();
    let t = Instant::now();
    let mut index: MatchingIndex = data.index().expect("index");
    let build = t.elapsed();
    let after = rss();
    println!("index build: {:.2}s", build.as_secs_f64());
    if let (Some(b), Some(a)) = (before, after) {
        println!(
            "index memory (RSS delta): {:.0} MiB",
            a.saturating_sub(b) as f64 / 1_048_576.0
        );
    }
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    println!("machine: {cores} cores available; this measurement uses one thread");

    let step = (data.requests.len() / sample.max(1)).max(1);
    let ids: Vec<_> = data
        .requests
        .iter()
        .step_by(step)
        .take(sample)
        .map(|r| r.id)
        .collect();
    // Warm-up pass, then the measured pass.
    for id in &ids {
        let _ = match_request(&index, *id).unwrap();
    }
    let mut times = Vec::with_capacity(ids.len());
    let mut sets = Vec::with_capacity(ids.len());
    let mut total_candidates = 0;
    for id in &ids {
        let t = Instant::now();
        let m = match_request(&index, *id).unwrap();
        times.push(t.elapsed());
        total_candidates += m.candidates.len();
        sets.push(m);
    }
    percentiles("match_request", times);
    println!(
        "candidates per request: mean {:.1}",
        total_candidates as f64 / ids.len() as f64
    );

    let dstep = (data.doctors.len() / 1000).max(1);
    let doctors: Vec<_> = data.doctors.iter().step_by(dstep).map(|d| d.id).collect();
    let mut times = Vec::new();
    for id in &doctors {
        let t = Instant::now();
        let _ = requests_for_doctor(&index, *id).unwrap();
        times.push(t.elapsed());
    }
    percentiles("requests_for_doctor", times);

    // Incremental update: move a slot by an hour and back (a doctor editing their calendar).
    let sstep = (data.slots.len() / 10_000).max(1);
    let mut times = Vec::new();
    for s in data.slots.iter().step_by(sstep) {
        let mut moved = *s;
        moved.interval = rempla_core::calendar::Interval::new(
            s.interval.start() + chrono::TimeDelta::hours(1),
            s.interval.end() + chrono::TimeDelta::hours(1),
        )
        .unwrap();
        let t = Instant::now();
        index.upsert_slot(moved).unwrap();
        times.push(t.elapsed());
        index.upsert_slot(*s).unwrap();
    }
    percentiles("upsert_slot", times);

    if let Some(dir) = out_dir() {
        std::fs::create_dir_all(&dir).unwrap();
        let mut f = std::io::BufWriter::new(
            std::fs::File::create(dir.join("sample_requests.txt")).unwrap(),
        );
        for id in &ids {
            writeln!(f, "{id}").unwrap();
        }
        let mut f = std::io::BufWriter::new(
            std::fs::File::create(dir.join("rust_candidates.tsv")).unwrap(),
        );
        for m in &sets {
            for c in &m.candidates {
                let status = match c.status {
                    rempla_core::calendar::CoverageStatus::Complete => "complete",
                    _ => "partial",
                };
                writeln!(f, "{}\t{}\t{status}", m.request, c.doctor).unwrap();
            }
        }
        println!(
            "wrote {}/sample_requests.txt and rust_candidates.tsv",
            dir.display()
        );
    }
}
