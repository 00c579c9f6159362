//! A small seeded generator (SplitMix64) and the seed plumbing: a schedule is reproducible from its seed.

/// Deterministic pseudo-random numbers from a seed.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub const fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// True with probability `p` (0.0..=1.0).
    pub fn chance(&mut self, p: f64) -> bool {
        #[allow(clippy::cast_precision_loss)]
        let x = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        x < p
    }

    /// A derived generator, for another thread.
    #[must_use]
    pub fn fork(&mut self) -> Self {
        Self(self.next_u64())
    }
}

/// The seeds to run: `REMPLA_E2E_SEED` replays one; otherwise `REMPLA_E2E_SCHEDULES` (default `default`)
/// fresh seeds from the clock.
pub fn seeds(default: usize) -> Vec<u64> {
    if let Some(seed) = std::env::var("REMPLA_E2E_SEED")
        .ok()
        .and_then(|s| s.trim().parse().ok())
    {
        return vec![seed];
    }
    let n = std::env::var("REMPLA_E2E_SCHEDULES")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(default);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| {
            u64::try_from(d.as_nanos() % u128::from(u64::MAX)).unwrap_or(1)
        });
    let mut rng = Rng::new(now);
    (0..n).map(|_| rng.next_u64() % 1_000_000_000).collect()
}
