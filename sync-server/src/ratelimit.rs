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
        evict_idle(&mut buckets, now_ms);
        let (tokens, at) = buckets
            .entry(key.to_owned())
            .or_insert((self.per_minute, now_ms));
        *tokens = refilled(*tokens, *at, now_ms, self.per_minute);
        *at = now_ms;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Whether `key` has a token now, without taking it (a limit that counts only failures checks first
    /// and takes on failure).
    pub fn allows(&self, key: &str, now_ms: i64) -> bool {
        let Ok(buckets) = self.buckets.lock() else {
            return true;
        };
        buckets
            .get(key)
            .is_none_or(|(tokens, at)| refilled(*tokens, *at, now_ms, self.per_minute) >= 1.0)
    }

    /// Keys held now (tests, metrics).
    pub fn len(&self) -> usize {
        self.buckets.lock().map_or(0, |b| b.len())
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Drops the buckets idle for a minute (they have refilled: forgetting them changes nothing), at most
/// once every 4,096 keys added, so memory follows the keys active in the last minute.
fn evict_idle(buckets: &mut HashMap<String, (f64, i64)>, now_ms: i64) {
    if buckets.len() >= 4096 && buckets.len().is_power_of_two() {
        buckets.retain(|_, (_, at)| now_ms - *at < 60_000);
    }
}

/// A bucket's tokens after refilling since `at`.
fn refilled(tokens: f64, at: i64, now_ms: i64, per_minute: f64) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let elapsed_min = (now_ms - at).max(0) as f64 / 60_000.0;
    (tokens + elapsed_min * per_minute).min(per_minute)
}

/// The client addresses each login e-mail signed in from lately (16 per e-mail, 100,000 e-mails), kept
/// in memory: a guessing attack from elsewhere never slows the owner's own devices.
#[derive(Debug, Default)]
pub struct KnownAddresses {
    seen: Mutex<HashMap<String, Vec<String>>>,
}

impl KnownAddresses {
    /// Remembers a successful sign-in of `email` from `ip`.
    pub fn remember(&self, email: &str, ip: &str) {
        let Ok(mut seen) = self.seen.lock() else {
            return;
        };
        if seen.len() >= 100_000 && !seen.contains_key(email) {
            seen.clear();
        }
        let list = seen.entry(email.to_owned()).or_default();
        if !list.iter().any(|known| known == ip) {
            if list.len() >= 16 {
                list.remove(0);
            }
            list.push(ip.to_owned());
        }
    }

    /// Whether `email` signed in from `ip` lately.
    pub fn knows(&self, email: &str, ip: &str) -> bool {
        self.seen
            .lock()
            .is_ok_and(|seen| seen.get(email).is_some_and(|l| l.iter().any(|k| k == ip)))
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
        assert!(!l.allows("a", 20_000));
        assert!(l.allows("a", 40_000), "allows refills without taking");
        assert!(l.allows("never-seen", 0));
    }

    #[test]
    fn idle_buckets_are_forgotten_whatever_their_level() {
        let l = RateLimiter::new(10);
        for n in 0..4095 {
            // One token taken each: none of these buckets is full, and they are still forgotten once
            // idle for a minute.
            assert!(l.check(&format!("spray-{n}"), 0));
        }
        assert_eq!(l.len(), 4095);
        assert!(l.check("late", 61_000));
        assert!(l.check("later", 61_000));
        assert!(l.len() < 10, "{} buckets kept", l.len());
    }

    #[test]
    fn known_addresses_are_kept_per_email_and_bounded() {
        let k = KnownAddresses::default();
        k.remember("a@x.fr", "1.2.3.4");
        assert!(k.knows("a@x.fr", "1.2.3.4"));
        assert!(!k.knows("a@x.fr", "5.6.7.8"));
        assert!(!k.knows("b@x.fr", "1.2.3.4"));
        for n in 0..20 {
            k.remember("a@x.fr", &format!("10.0.0.{n}"));
        }
        assert!(
            !k.knows("a@x.fr", "1.2.3.4"),
            "the oldest of 16 is forgotten"
        );
        assert!(k.knows("a@x.fr", "10.0.0.19"));
    }
}
