//! A minimal real SMTP server for tests (RFC 5321 subset): lettre talks real SMTP to it.
// Test support code: a panic here is a test failure, as clippy.toml allows for tests themselves.
#![allow(dead_code, missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};
use std::sync::{Arc, Mutex};

/// A local SMTP server (RFC 5321 subset: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) keeping
/// every message received; lettre talks real SMTP to it.
pub fn smtp_server() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let store = Arc::new(Mutex::new(Vec::new()));
    let inbox = Arc::clone(&store);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let inbox = Arc::clone(&inbox);
            std::thread::spawn(move || {
                let mut w = stream.try_clone().unwrap();
                let mut r = BufReader::new(stream);
                w.write_all(b"220 test.local ESMTP\r\n").unwrap();
                let mut line = String::new();
                loop {
                    line.clear();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let cmd = line.to_ascii_uppercase();
                    if cmd.starts_with("EHLO") {
                        w.write_all(b"250-test.local\r\n250 8BITMIME\r\n").unwrap();
                    } else if cmd.starts_with("DATA") {
                        w.write_all(b"354 go ahead\r\n").unwrap();
                        let mut message = String::new();
                        loop {
                            let mut l = String::new();
                            if r.read_line(&mut l).unwrap_or(0) == 0 || l == ".\r\n" {
                                break;
                            }
                            message.push_str(l.strip_prefix('.').unwrap_or(&l));
                        }
                        inbox.lock().unwrap().push(message);
                        w.write_all(b"250 queued\r\n").unwrap();
                    } else if cmd.starts_with("QUIT") {
                        w.write_all(b"221 bye\r\n").unwrap();
                        return;
                    } else {
                        w.write_all(b"250 OK\r\n").unwrap();
                    }
                }
            });
        }
    });
    (port, store)
}
