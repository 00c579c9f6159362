//! The server's wall clock, with an offset tests can move (token expiry, clock drift) without sleeping.

use std::sync::atomic::{AtomicI64, Ordering};

/// Wall clock in Unix milliseconds plus an adjustable offset.
#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    /// Now, in Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        let system = i64::try_from(rempla_core::sync::hlc::system_time_ms()).unwrap_or(i64::MAX);
        system.saturating_add(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Moves the clock forward (or back with a negative value); for tests and drills.
    pub fn advance(&self, ms: i64) {
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
    }
}
