//! Bounds on how much of one costly thing runs at once: [`KeyedGate`] lets at most `per_key` holders per
//! key (an account) and `global` holders in all, waiting a short while for a global place. Rate limits
//! (`ratelimit.rs`) count requests over time; this counts work in progress (privacy exports, live-event
//! streams, password hashes), which is what memory and CPU depend on.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Why a gate did not let a caller in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GateRefusal {
    /// This key already holds its share.
    #[error("déjà en cours pour ce compte")]
    KeyBusy,
    /// Every global place stayed taken for the whole wait.
    #[error("serveur occupé")]
    Saturated,
}

/// At most `per_key` passes per key and `global` passes in all.
#[derive(Debug)]
pub struct KeyedGate {
    per_key: usize,
    wait: Duration,
    held: Mutex<HashMap<String, usize>>,
    global: Arc<Semaphore>,
}

impl KeyedGate {
    /// A gate; `wait` is how long [`Self::enter`] waits for a global place.
    pub fn new(per_key: usize, global: usize, wait: Duration) -> Arc<Self> {
        Arc::new(Self {
            per_key: per_key.max(1),
            wait,
            held: Mutex::new(HashMap::new()),
            global: Arc::new(Semaphore::new(global.max(1))),
        })
    }

    /// Takes a place for `key`: refused at once when the key holds its share, after the wait when the
    /// gate stays full. The place is given back when the [`Pass`] drops.
    pub async fn enter(self: &Arc<Self>, key: &str) -> Result<Pass, GateRefusal> {
        {
            let mut held = self.held.lock().map_err(|_| GateRefusal::Saturated)?;
            let count = held.entry(key.to_owned()).or_insert(0);
            if *count >= self.per_key {
                return Err(GateRefusal::KeyBusy);
            }
            *count += 1;
        }
        let key_share = KeyShare {
            gate: Arc::clone(self),
            key: key.to_owned(),
        };
        let permit = tokio::time::timeout(self.wait, Arc::clone(&self.global).acquire_owned())
            .await
            .map_err(|_| GateRefusal::Saturated)?
            .map_err(|_| GateRefusal::Saturated)?;
        Ok(Pass {
            _permit: permit,
            _share: key_share,
        })
    }

    /// Passes held now for `key`.
    pub fn held_by(&self, key: &str) -> usize {
        self.held
            .lock()
            .map_or(0, |h| h.get(key).copied().unwrap_or(0))
    }

    fn release(&self, key: &str) {
        if let Ok(mut held) = self.held.lock()
            && let Some(count) = held.get_mut(key)
        {
            *count = count.saturating_sub(1);
            if *count == 0 {
                held.remove(key);
            }
        }
    }
}

/// One key's share of a gate, given back on drop (also when the global wait fails).
#[derive(Debug)]
struct KeyShare {
    gate: Arc<KeyedGate>,
    key: String,
}

impl Drop for KeyShare {
    fn drop(&mut self) {
        self.gate.release(&self.key);
    }
}

/// A place in a [`KeyedGate`]; move it into the work it guards (a response stream) so the place is held
/// exactly as long as the work runs.
#[derive(Debug)]
pub struct Pass {
    _permit: OwnedSemaphorePermit,
    _share: KeyShare,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_key_gets_its_share_and_the_gate_its_total() {
        let gate = KeyedGate::new(1, 2, Duration::from_millis(50));
        let a = gate.enter("a").await.unwrap();
        assert_eq!(gate.enter("a").await.unwrap_err(), GateRefusal::KeyBusy);
        let b = gate.enter("b").await.unwrap();
        assert_eq!(gate.enter("c").await.unwrap_err(), GateRefusal::Saturated);
        assert_eq!(
            gate.held_by("c"),
            0,
            "a refused wait gives its key share back"
        );
        drop(a);
        let a_again = gate.enter("a").await.unwrap();
        drop((a_again, b));
        assert_eq!(gate.held_by("a") + gate.held_by("b"), 0);
    }

    #[tokio::test]
    async fn a_waiting_caller_gets_the_place_freed_during_its_wait() {
        let gate = KeyedGate::new(1, 1, Duration::from_secs(5));
        let first = gate.enter("a").await.unwrap();
        let waiter = {
            let gate = Arc::clone(&gate);
            tokio::spawn(async move { gate.enter("b").await.map(drop) })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        drop(first);
        assert_eq!(waiter.await.unwrap(), Ok(()));
    }
}
