//! Criterion benchmarks of matching on the synthetic national dataset (50,000 doctors × 100 slots,
//! 10,000 facilities, 100,000 open requests; `REMPLA_BENCH_SCALE=0.1` for a tenth): one request matched,
//! one doctor's requests matched, one incremental index update, and the index build. Criterion reports
//! means; per-request p50/p99 and memory come from `core/examples/matching_latency.rs`.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::many_single_char_names
)]

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use rempla_core::matching::{
    MatchingIndex, SyntheticConfig, generate, match_request, requests_for_doctor,
};

fn config() -> SyntheticConfig {
    let scale: f64 = std::env::var("REMPLA_BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    let national = SyntheticConfig::national(42);
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let scaled = |n: usize| ((n as f64 * scale) as usize).max(1);
    SyntheticConfig {
        doctors: scaled(national.doctors),
        facilities: scaled(national.facilities),
        requests: scaled(national.requests),
        ..national
    }
}

fn matching(c: &mut Criterion) {
    let data = generate(&config()).expect("dataset");
    let mut index: MatchingIndex = data.index().expect("index");
    let requests: Vec<_> = data.requests.iter().step_by(97).map(|r| r.id).collect();
    let doctors: Vec<_> = data.doctors.iter().step_by(53).map(|d| d.id).collect();

    let mut i = 0;
    c.bench_function("match_request (one request, cycling over a sample)", |b| {
        b.iter(|| {
            i = (i + 1) % requests.len();
            match_request(&index, requests[i]).unwrap()
        });
    });
    let mut j = 0;
    c.bench_function("requests_for_doctor (one doctor, cycling)", |b| {
        b.iter(|| {
            j = (j + 1) % doctors.len();
            requests_for_doctor(&index, doctors[j]).unwrap()
        });
    });
    let slots: Vec<_> = data.slots.iter().step_by(499).copied().collect();
    let mut k = 0;
    c.bench_function("upsert_slot (move one availability by an hour)", |b| {
        b.iter_batched(
            || {
                k = (k + 1) % slots.len();
                let s = slots[k];
                let mut moved = s;
                moved.interval = rempla_core::calendar::Interval::new(
                    s.interval.start() + chrono::TimeDelta::hours(1),
                    s.interval.end() + chrono::TimeDelta::hours(1),
                )
                .unwrap();
                moved
            },
            |moved| index.upsert_slot(moved).unwrap(),
            BatchSize::SmallInput,
        );
    });
    let mut group = c.benchmark_group("build");
    group.sample_size(10);
    group.bench_function("index build (whole dataset)", |b| {
        b.iter(|| data.index().unwrap());
    });
    group.finish();
}

criterion_group!(benches, matching);
criterion_main!(benches);
