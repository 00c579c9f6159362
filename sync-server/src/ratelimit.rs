//! Token-bucket rate limits keyed by client address, account or login e-mail. In memory, per
//! instance: with several instances behind a balancer each enforces its own share, which is enough
//! against password guessing (argon2 already makes each guess slow) and runaway clients.

use std::collections::HashMap;
use std::sync::Mutex;

/// One family of buckets (e.g. "login attempts per e-mail").
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: f64,
    buckets: Mutex<HashMap<String, (f64, i64)>>,
}

impl RateLimiter {
    /// A limiter allowing `per_minute` requests a minute per key, in bursts of up to `per_minute`.
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute: f64::from(per_minute.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `key` at `now_ms`; `false` when the bucket is empty.
    pub fn check(&self, key: &str, now_ms: i64) -> bool {
        let Ok(mut buckets) = self.buckets.lock() else {
            return true;
        };
        if buckets.len() > 100_000 {
            // Forget idle keys rather than grow without bound under a spray of addresses.
            buckets.retain(|_, (tokens, at)| *tokens < self.per_minute || now_ms - *at < 60_000);
        }
        let (tokens, at) = buckets
            .entry(key.to_owned())
            .or_insert((self.per_minute, now_ms));
        #[allow(clippy::cast_precision_loss)]
        let elapsed_min = (now_ms - *at).max(0) as f64 / 60_000.0;
        *tokens = (*tokens + elapsed_min * self.per_minute).min(self.per_minute);
        *at = now_ms;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_empties_and_refills() {
        let l = RateLimiter::new(3);
        assert!(l.check("a", 0));
        assert!(l.check("a", 0));
        assert!(l.check("a", 0));
        assert!(!l.check("a", 0));
        assert!(l.check("b", 0));
        assert!(l.check("a", 20_000));
        assert!(!l.check("a", 20_000));
    }
}
