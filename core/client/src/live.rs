//! Live events: `GET /v1/events`, the server's Server-Sent Events stream of the changes in the caller's
//! scopes. Every front end listens the same way: [`listen`] keeps the stream open, hands each event to
//! the caller (who wakes its sync round), and says why the stream ended, so the caller can show "offline"
//! and reconnect with [`Backoff`].
//!
//! The SSE framing is parsed here ([`SseParser`]) rather than with a crate: the blocking client reads the
//! body line by line, the framing needed is a dozen lines (`event:`, `data:`, blank line), and the async
//! SSE crates would bring a runtime into the phones' worker threads.

use std::ops::ControlFlow;
use std::time::Duration;

use crate::http::ApiClient;

/// One event of the stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LiveEvent {
    /// A change in the caller's scopes (its JSON, as the server projected it for the caller).
    Change(String),
    /// The caller fell behind the server's broadcast: pull from the cursor.
    Resync,
    /// The server ended the stream because its session is over or its scope changed: the registry code
    /// (`token_revoked`, `token_expired`, `forbidden`…). [`listen`] returns it as [`LiveEnd::Ended`].
    Ended(String),
}

/// Why [`listen`] returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LiveEnd {
    /// The caller asked to stop.
    Stopped,
    /// The server or the network closed the stream after it was open.
    Closed,
    /// The server refused the stream (an expired or revoked session: HTTP 401).
    Refused {
        /// The HTTP status.
        status: u16,
    },
    /// The server ended the stream: the session is over (revoked, expired) or what it may see changed;
    /// reconnecting tells which (a 401, or a stream with the new scope).
    Ended {
        /// The registry code the server gave.
        code: String,
    },
    /// The server could not be reached.
    Unreachable {
        /// What failed, in French.
        reason: String,
    },
}

/// Parses the SSE framing one line at a time.
#[derive(Debug, Default)]
pub struct SseParser {
    event: Option<String>,
    data: Vec<String>,
}

impl SseParser {
    /// Feeds one line (without its line ending); returns the event a blank line completes.
    pub fn line(&mut self, line: &str) -> Option<LiveEvent> {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            let event = self.event.take();
            let data = std::mem::take(&mut self.data).join("\n");
            return match event.as_deref() {
                Some("change") => Some(LiveEvent::Change(data)),
                Some("resync") => Some(LiveEvent::Resync),
                Some("end") => Some(LiveEvent::Ended(
                    serde_json::from_str::<serde_json::Value>(&data)
                        .ok()
                        .and_then(|v| v["code"].as_str().map(str::to_owned))
                        .unwrap_or_else(|| "unknown".to_owned()),
                )),
                _ => None,
            };
        }
        if line.starts_with(':') {
            return None; // a comment: the keep-alive
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => self.event = Some(value.to_owned()),
            "data" => self.data.push(value.to_owned()),
            _ => {}
        }
        None
    }
}

/// Opens the stream and hands every event to `on_event` until it returns [`ControlFlow::Break`] or the
/// stream ends. `on_open` runs once the server accepted the stream (the caller is online again and
/// should pull what it missed).
pub fn listen(
    api: &ApiClient,
    mut on_open: impl FnMut(),
    mut on_event: impl FnMut(LiveEvent) -> ControlFlow<()>,
) -> LiveEnd {
    let response = match api.open_stream("/v1/events") {
        Ok(r) => r,
        Err(e) => {
            return LiveEnd::Unreachable {
                reason: e.to_string(),
            };
        }
    };
    if !(200..300).contains(&response.status) {
        return LiveEnd::Refused {
            status: response.status,
        };
    }
    on_open();
    let mut parser = SseParser::default();
    let mut body = response.body;
    let mut line = String::new();
    loop {
        line.clear();
        match body.read_line(&mut line) {
            Ok(0) | Err(_) => return LiveEnd::Closed,
            Ok(_) => {}
        }
        let text = line.strip_suffix('\n').unwrap_or(&line);
        match parser.line(text) {
            Some(LiveEvent::Ended(code)) => return LiveEnd::Ended { code },
            Some(event) if on_event(event.clone()).is_break() => return LiveEnd::Stopped,
            Some(_) | None => {}
        }
    }
}

/// The wait before reconnecting: doubles from 500 ms up to 15 s, back to 500 ms once connected.
#[derive(Clone, Copy, Debug)]
pub struct Backoff {
    next: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self { next: Self::FIRST }
    }
}

impl Backoff {
    const FIRST: Duration = Duration::from_millis(500);
    const MOST: Duration = Duration::from_secs(15);

    /// The wait before the next attempt; the one after is twice as long (at most 15 s).
    pub fn next_wait(&mut self) -> Duration {
        let wait = self.next;
        self.next = (self.next * 2).min(Self::MOST);
        wait
    }

    /// Connected: the next failure waits the shortest time again.
    pub fn reset(&mut self) {
        self.next = Self::FIRST;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(lines: &[&str]) -> Vec<LiveEvent> {
        let mut parser = SseParser::default();
        lines.iter().filter_map(|l| parser.line(l)).collect()
    }

    #[test]
    fn events_are_dispatched_on_the_blank_line_with_their_data() {
        let events = feed(&[
            ": keep-alive",
            "event: change",
            "data: {\"id\":1}",
            "",
            "event:resync",
            "data:{}",
            "\r",
            "event: unknown",
            "data: x",
            "",
            "event: end",
            "data: {\"code\":\"token_revoked\"}",
            "",
        ]);
        assert_eq!(
            events,
            [
                LiveEvent::Change("{\"id\":1}".into()),
                LiveEvent::Resync,
                LiveEvent::Ended("token_revoked".into())
            ]
        );
    }

    #[test]
    fn multi_line_data_is_joined_and_a_data_without_event_is_ignored() {
        assert_eq!(
            feed(&["event: change", "data: a", "data: b", ""]),
            [LiveEvent::Change("a\nb".into())]
        );
        assert!(feed(&["data: orphan", ""]).is_empty());
    }

    #[test]
    fn backoff_doubles_to_fifteen_seconds_and_resets() {
        let mut b = Backoff::default();
        let waits: Vec<u128> = (0..7).map(|_| b.next_wait().as_millis()).collect();
        assert_eq!(waits, [500, 1_000, 2_000, 4_000, 8_000, 15_000, 15_000]);
        b.reset();
        assert_eq!(b.next_wait(), Duration::from_millis(500));
    }
}
