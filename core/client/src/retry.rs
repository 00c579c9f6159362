//! When to try a request again, and how long to wait.
//!
//! Retried: connection failures, timeouts, connections cut before the whole answer arrived, and HTTP
//! 429/502/503/504 (`Retry-After` is honoured, within the cap). Never retried: other 4xx (a client mistake
//! stays a mistake) and 500 (a server bug; the next sync round tries again anyway). Waits grow
//! exponentially with "equal jitter" (half fixed, half random) so phones that lost the network together do
//! not come back in lockstep. Retrying a push is safe because ops are idempotent by op id.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Backoff settings of one client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per request, the first included (at least 1).
    pub max_attempts: u32,
    /// Wait before the first retry (before jitter).
    pub base_delay: Duration,
    /// Longest wait between two attempts.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 6,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// No retry at all (one attempt).
    pub const fn none() -> Self {
        Self {
            max_attempts: 1,
            base_delay: Duration::ZERO,
            max_delay: Duration::ZERO,
        }
    }

    /// The wait before retry number `retry` (0 for the first retry): between half and all of
    /// `min(max_delay, base_delay × 2^retry)`, chosen by `random`; a server's `Retry-After` raises it,
    /// never above `max_delay`.
    pub fn delay(&self, retry: u32, random: u64, retry_after: Option<Duration>) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32.checked_shl(retry.min(20)).unwrap_or(u32::MAX))
            .min(self.max_delay);
        let half = exp / 2;
        let span = u64::try_from(half.as_millis()).unwrap_or(u64::MAX);
        let jitter = if span == 0 { 0 } else { random % (span + 1) };
        let wait = half + Duration::from_millis(jitter);
        match retry_after {
            Some(asked) => wait.max(asked).min(self.max_delay),
            None => wait,
        }
    }
}

/// Whether an HTTP status is worth retrying.
pub const fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

/// A small thread-safe pseudo-random source for jitter (SplitMix64); not for secrets.
#[derive(Debug)]
pub struct Jitter(AtomicU64);

impl Jitter {
    /// Seeded from the clock and the address of the value, different for each client.
    pub fn new() -> Self {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| {
                u64::try_from(d.as_nanos() & u128::from(u64::MAX)).unwrap_or(0)
            });
        Self(AtomicU64::new(now ^ 0x9E37_79B9_7F4A_7C15))
    }

    /// The next pseudo-random value.
    pub fn next(&self) -> u64 {
        let mut z = self
            .0
            .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
            .wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

impl Default for Jitter {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_exponentially_with_jitter_and_stay_capped() {
        let p = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
        };
        assert_eq!(p.delay(0, 0, None), Duration::from_millis(50));
        assert_eq!(p.delay(0, 50, None), Duration::from_millis(100));
        assert_eq!(p.delay(3, 0, None), Duration::from_millis(400));
        assert_eq!(p.delay(3, 400, None), Duration::from_millis(800));
        for retry in 0..40 {
            for r in [0, 1, 999, u64::MAX] {
                let d = p.delay(retry, r, None);
                assert!(d <= Duration::from_secs(2), "{retry} {r} {d:?}");
                assert!(d >= Duration::from_millis(50));
            }
        }
        assert_eq!(
            p.delay(0, 0, Some(Duration::from_secs(1))),
            Duration::from_secs(1)
        );
        assert_eq!(
            p.delay(0, 0, Some(Duration::from_mins(1))),
            Duration::from_secs(2)
        );
    }

    #[test]
    fn only_overload_and_gateway_statuses_are_retried() {
        for s in [429, 502, 503, 504] {
            assert!(is_retryable_status(s));
        }
        for s in [200, 400, 401, 403, 404, 409, 413, 422, 500] {
            assert!(!is_retryable_status(s));
        }
    }

    #[test]
    fn jitter_values_vary() {
        let j = Jitter::new();
        let values: std::collections::BTreeSet<u64> = (0..100).map(|_| j.next()).collect();
        assert_eq!(values.len(), 100);
    }
}
