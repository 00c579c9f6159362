//! Which of the server's notifications (proposal answered, mission confirmed…) to announce as OS and
//! in-app notices after a sync round: each unread one once. Those already unread when the app starts
//! are summed up in one notice instead of a burst. Pure, so it is unit-tested without a window.

use std::collections::HashSet;

use rempla_core::domain::{Notification, NotificationId};

/// Most notices shown for one sync round; the rest are summed up in one.
pub const MAX_PER_ROUND: usize = 3;

/// What has been announced since the app started.
#[derive(Debug, Default)]
pub struct Announcer {
    primed: bool,
    seen: HashSet<NotificationId>,
}

/// One notice to show: title and body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Announcement {
    /// Short title.
    pub title: String,
    /// Body text.
    pub body: String,
}

impl Announcer {
    /// The notices for the unread notifications in `unread` that were not announced yet (and marks them
    /// announced). The first call announces only a count of what was already waiting.
    pub fn fresh(&mut self, unread: &[Notification]) -> Vec<Announcement> {
        let new: Vec<&Notification> = unread
            .iter()
            .filter(|n| n.read_at.is_none() && !self.seen.contains(&n.id))
            .collect();
        self.seen.extend(new.iter().map(|n| n.id));
        if !self.primed {
            self.primed = true;
            return match new.len() {
                0 => vec![],
                n => vec![Announcement {
                    title: "Notifications".to_owned(),
                    body: if n == 1 {
                        "1 notification non lue.".to_owned()
                    } else {
                        format!("{n} notifications non lues.")
                    },
                }],
            };
        }
        let mut out: Vec<Announcement> = new
            .iter()
            .take(MAX_PER_ROUND)
            .map(|n| Announcement {
                title: n.title.clone(),
                body: n.body.clone(),
            })
            .collect();
        if new.len() > MAX_PER_ROUND {
            out.push(Announcement {
                title: "Notifications".to_owned(),
                body: format!(
                    "… et {} autre(s) : voir l'écran Notifications.",
                    new.len() - MAX_PER_ROUND
                ),
            });
        }
        out
    }

    /// Forgets everything (sign-out: the next account starts afresh).
    pub fn reset(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(title: &str, read: bool) -> Notification {
        Notification {
            id: NotificationId::new(),
            kind: "proposal_answered".into(),
            title: title.into(),
            body: format!("{title} (détail)"),
            created_at: chrono::Utc::now(),
            read_at: read.then(chrono::Utc::now),
            payload: serde_json::Value::Null,
        }
    }

    #[test]
    fn waiting_ones_are_summed_up_then_each_new_one_shown_once() {
        let mut a = Announcer::default();
        let waiting = vec![n("a", false), n("b", false), n("c", true)];
        assert_eq!(
            a.fresh(&waiting),
            vec![Announcement {
                title: "Notifications".into(),
                body: "2 notifications non lues.".into()
            }]
        );
        assert!(a.fresh(&waiting).is_empty(), "nothing twice");
        let mut later = waiting.clone();
        later.insert(0, n("Proposition acceptée", false));
        let shown = a.fresh(&later);
        assert_eq!(shown.len(), 1);
        assert_eq!(shown[0].title, "Proposition acceptée");
        assert_eq!(shown[0].body, "Proposition acceptée (détail)");
        assert!(a.fresh(&later).is_empty());
    }

    #[test]
    fn a_burst_is_capped_and_reset_starts_afresh() {
        let mut a = Announcer::default();
        assert!(a.fresh(&[]).is_empty(), "nothing waiting: no summary");
        let burst: Vec<_> = (0..5).map(|i| n(&format!("n{i}"), false)).collect();
        let shown = a.fresh(&burst);
        assert_eq!(shown.len(), MAX_PER_ROUND + 1);
        assert!(shown[MAX_PER_ROUND].body.contains("2 autre(s)"));
        a.reset();
        assert_eq!(a.fresh(&burst).len(), 1, "summary again after reset");
    }
}
