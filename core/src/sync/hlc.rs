//! Hybrid logical clock (HLC): timestamps that follow the wall clock when it behaves, stay strictly
//! increasing when it does not (a phone whose clock is set back, a NTP step), and order events of
//! different devices totally by `(physical, logical, device)`.
//!
//! Text form: `PPPPPPPPPPPPPPPP-LLLLLLLL-DDDD…` (16 hex digits of physical milliseconds, 8 hex digits of
//! logical counter, the 32 hex digits of the device id, all lowercase). Fixed width, so the text sorts
//! lexicographically in the same order as the values (SQLite `ORDER BY hlc` is correct).

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

use super::error::SyncError;
use crate::domain::DeviceId;
use crate::text::truncate_for_message;

/// Default bound on how far a remote timestamp may be ahead of the local wall clock.
pub const DEFAULT_MAX_DRIFT: Duration = Duration::from_mins(5);

/// One hybrid logical clock timestamp. Ordered by physical time, then logical counter, then device id, so
/// two devices never produce equal timestamps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hlc {
    physical_ms: u64,
    logical: u32,
    device: DeviceId,
}

impl Hlc {
    /// Builds a timestamp from its parts (read back from the network or storage).
    pub const fn new(physical_ms: u64, logical: u32, device: DeviceId) -> Self {
        Self {
            physical_ms,
            logical,
            device,
        }
    }

    /// Milliseconds since the Unix epoch, as the issuing clock knew them.
    pub const fn physical_ms(&self) -> u64 {
        self.physical_ms
    }

    /// Counter distinguishing timestamps issued within the same millisecond.
    pub const fn logical(&self) -> u32 {
        self.logical
    }

    /// The device that issued the timestamp; the last tie-breaker of the total order.
    pub const fn device(&self) -> DeviceId {
        self.device
    }
}

impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:016x}-{:08x}-{}",
            self.physical_ms,
            self.logical,
            self.device.as_uuid().simple()
        )
    }
}

impl FromStr for Hlc {
    type Err = SyncError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = |reason| SyncError::InvalidHlc {
            value: truncate_for_message(s),
            reason,
        };
        let mut parts = s.split('-');
        let (Some(p), Some(l), Some(d), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid("trois parties séparées par « - » attendues"));
        };
        let lower_hex = |part: &str, len: usize| {
            part.len() == len
                && part
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        };
        if !lower_hex(p, 16) || !lower_hex(l, 8) || !lower_hex(d, 32) {
            return Err(invalid(
                "chiffres hexadécimaux minuscules de longueur fixe attendus",
            ));
        }
        let physical_ms =
            u64::from_str_radix(p, 16).map_err(|_| invalid("temps physique illisible"))?;
        let logical =
            u32::from_str_radix(l, 16).map_err(|_| invalid("compteur logique illisible"))?;
        let device = Uuid::try_parse(d).map_err(|_| invalid("identifiant d'appareil illisible"))?;
        Ok(Self::new(physical_ms, logical, DeviceId::from_uuid(device)))
    }
}

impl Serialize for Hlc {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Hlc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Source of physical time in milliseconds since the Unix epoch; injectable so tests can move the wall
/// clock backwards.
pub type TimeSource = Box<dyn Fn() -> u64 + Send + Sync>;

/// The wall clock of the device.
pub fn system_time_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The clock of one device: issues strictly increasing [`Hlc`] timestamps and absorbs remote ones.
pub struct HlcClock {
    device: DeviceId,
    last: Option<Hlc>,
    time: TimeSource,
    max_drift_ms: u64,
}

impl fmt::Debug for HlcClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HlcClock")
            .field("device", &self.device)
            .field("last", &self.last)
            .field("max_drift_ms", &self.max_drift_ms)
            .finish_non_exhaustive()
    }
}

impl HlcClock {
    /// A clock for `device` reading the system wall clock, with the default drift bound.
    pub fn new(device: DeviceId) -> Self {
        Self::with_time_source(device, Box::new(system_time_ms))
    }

    /// A clock reading physical time from `time` (tests, simulations).
    pub fn with_time_source(device: DeviceId, time: TimeSource) -> Self {
        let max_drift_ms = u64::try_from(DEFAULT_MAX_DRIFT.as_millis()).unwrap_or(u64::MAX);
        Self {
            device,
            last: None,
            time,
            max_drift_ms,
        }
    }

    /// Changes the bound on how far ahead of local physical time a remote timestamp may be.
    #[must_use]
    pub fn with_max_drift(mut self, max_drift: Duration) -> Self {
        self.max_drift_ms = u64::try_from(max_drift.as_millis()).unwrap_or(u64::MAX);
        self
    }

    /// Continues after a timestamp persisted before a restart, so timestamps stay increasing across
    /// restarts even if the wall clock went back meanwhile.
    #[must_use]
    pub fn resume_after(mut self, last: Hlc) -> Self {
        self.catch_up(last);
        self
    }

    /// Moves the clock past a timestamp this device issued elsewhere (another connection to the same
    /// store), without the drift check that applies to remote timestamps.
    pub fn catch_up(&mut self, issued: Hlc) {
        self.last = Some(self.last.map_or(issued, |l| l.max(issued)));
    }

    /// Replaces the time source, keeping the device and the last timestamp issued.
    pub fn set_time_source(&mut self, time: TimeSource) {
        self.time = time;
    }

    /// The device this clock stamps for.
    pub const fn device(&self) -> DeviceId {
        self.device
    }

    /// The last timestamp issued or observed, if any.
    pub const fn last(&self) -> Option<Hlc> {
        self.last
    }

    /// A new timestamp, strictly greater than every timestamp this clock issued or observed before.
    pub fn now(&mut self) -> Hlc {
        let physical = (self.time)();
        let next = match self.last {
            Some(last) if last.physical_ms >= physical => Self::tick(last, self.device),
            _ => Hlc::new(physical, 0, self.device),
        };
        self.last = Some(next);
        next
    }

    /// Absorbs a timestamp received from another device or the server and returns a local timestamp
    /// greater than both it and everything issued before. Refuses timestamps more than the drift bound
    /// ahead of the local wall clock (the clock is left unchanged).
    pub fn observe(&mut self, remote: &Hlc) -> Result<Hlc, SyncError> {
        let physical = (self.time)();
        if remote.physical_ms > physical.saturating_add(self.max_drift_ms) {
            return Err(SyncError::ClockDrift {
                ahead_ms: remote.physical_ms - physical,
                max_drift_ms: self.max_drift_ms,
            });
        }
        let floor = self.last.map_or(*remote, |l| l.max(*remote));
        let next = if floor.physical_ms >= physical {
            Self::tick(floor, self.device)
        } else {
            Hlc::new(physical, 0, self.device)
        };
        self.last = Some(next);
        Ok(next)
    }

    /// The smallest timestamp of `device` strictly after `after`.
    fn tick(after: Hlc, device: DeviceId) -> Hlc {
        match after.logical.checked_add(1) {
            // Same (physical, logical) with a greater device id could still be ≤ `after` when `after`
            // comes from another device: bump the counter in every case to stay strictly above.
            Some(logical) => Hlc::new(after.physical_ms, logical, device),
            None => Hlc::new(after.physical_ms.saturating_add(1), 0, device),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    use proptest::prelude::*;

    use super::*;

    fn manual_clock(start: u64) -> (HlcClock, Arc<AtomicU64>) {
        let time = Arc::new(AtomicU64::new(start));
        let source = Arc::clone(&time);
        let clock = HlcClock::with_time_source(
            DeviceId::new(),
            Box::new(move || source.load(Ordering::SeqCst)),
        );
        (clock, time)
    }

    #[test]
    fn follows_the_wall_clock_when_it_advances() {
        let (mut clock, time) = manual_clock(1_000);
        assert_eq!(clock.now().physical_ms(), 1_000);
        assert_eq!(clock.now().logical(), 1);
        time.store(2_000, Ordering::SeqCst);
        let t = clock.now();
        assert_eq!((t.physical_ms(), t.logical()), (2_000, 0));
    }

    #[test]
    fn stays_increasing_when_the_wall_clock_goes_back() {
        let (mut clock, time) = manual_clock(10_000);
        let a = clock.now();
        time.store(5_000, Ordering::SeqCst);
        let b = clock.now();
        assert!(b > a);
        assert_eq!((b.physical_ms(), b.logical()), (10_000, 1));
    }

    #[test]
    fn text_form_round_trips_and_sorts_like_values() {
        let device = DeviceId::new();
        let a = Hlc::new(0x0102, 9, device);
        let b = Hlc::new(0x1001, 0, device);
        assert_eq!(a.to_string().parse::<Hlc>().unwrap(), a);
        assert!(a < b);
        assert!(a.to_string() < b.to_string());
        assert_eq!(a.to_string().len(), 16 + 1 + 8 + 1 + 32);
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(json, format!("\"{a}\""));
        assert_eq!(serde_json::from_str::<Hlc>(&json).unwrap(), a);
    }

    #[test]
    fn malformed_text_is_rejected() {
        for bad in [
            "",
            "12-34",
            "0000000000000001-00000000-XYZ",
            "0000000000000001-00000000-0123",
        ] {
            let err = bad.parse::<Hlc>().unwrap_err();
            assert_eq!(err.code(), "invalid_hlc", "{bad}");
        }
        let upper = format!(
            "{:016X}-00000000-{}",
            0xABu64,
            DeviceId::new().as_uuid().simple()
        );
        assert!(
            upper.parse::<Hlc>().is_err(),
            "upper case would break lexicographic order"
        );
        assert!(serde_json::from_str::<Hlc>("\"nope\"").is_err());
    }

    #[test]
    fn observe_rejects_timestamps_far_in_the_future() {
        let (mut clock, _time) = manual_clock(1_000_000);
        let before = clock.now();
        let remote = Hlc::new(1_000_000 + 5 * 60 * 1000 + 1, 0, DeviceId::new());
        let err = clock.observe(&remote).unwrap_err();
        assert_eq!(err.code(), "clock_drift");
        assert_eq!(
            clock.last(),
            Some(before),
            "a rejected timestamp leaves the clock unchanged"
        );
        let near = Hlc::new(1_000_000 + 60_000, 7, DeviceId::new());
        let t = clock.observe(&near).unwrap();
        assert!(t > near);
        assert_eq!((t.physical_ms(), t.logical()), (1_060_000, 8));
    }

    #[test]
    fn resume_after_keeps_order_across_restarts() {
        let device = DeviceId::new();
        let persisted = Hlc::new(50_000, 3, device);
        let mut clock =
            HlcClock::with_time_source(device, Box::new(|| 1_000)).resume_after(persisted);
        assert!(clock.now() > persisted);
    }

    proptest! {
        #[test]
        fn now_is_strictly_increasing_whatever_the_wall_clock(steps in prop::collection::vec(0u64..2_000_000, 1..200)) {
            let (mut clock, time) = manual_clock(0);
            let mut previous: Option<Hlc> = None;
            for physical in steps {
                time.store(physical, Ordering::SeqCst);
                let t = clock.now();
                if let Some(p) = previous {
                    prop_assert!(t > p);
                    prop_assert!(t.to_string() > p.to_string());
                }
                prop_assert!(t.physical_ms() >= physical);
                previous = Some(t);
            }
        }

        #[test]
        fn observe_keeps_monotonicity(events in prop::collection::vec((0u64..1_000_000, any::<bool>(), 0u64..1_000_000, 0u32..5), 1..200)) {
            let (mut clock, time) = manual_clock(0);
            let other = DeviceId::new();
            let mut previous: Option<Hlc> = None;
            for (physical, is_remote, remote_physical, remote_logical) in events {
                time.store(physical, Ordering::SeqCst);
                let t = if is_remote {
                    let remote = Hlc::new(remote_physical, remote_logical, other);
                    let Ok(t) = clock.observe(&remote) else {
                        prop_assert!(remote_physical > physical + 5 * 60 * 1000);
                        continue;
                    };
                    prop_assert!(t > remote);
                    t
                } else {
                    clock.now()
                };
                if let Some(p) = previous {
                    prop_assert!(t > p);
                }
                previous = Some(t);
            }
        }
    }
}
