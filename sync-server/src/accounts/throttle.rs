//! The throttles of the password and link routes. Why not one bucket per e-mail: that let anyone lock
//! an account's owner out of login and reset with ten bad guesses. Now every route is limited per client
//! address; login *failures* are limited per e-mail and address (the attacker's address is slowed) and,
//! from addresses the account never signed in from, per e-mail (a spread-out guess is slowed) — the
//! owner's own devices are never blocked by someone else's failures; reset e-mails have their own small
//! limit per address and never count against logins.

use crate::http::error::AppError;
use crate::http::state::AppState;

/// One attempt on a password or link route from `ip`: refused when that address made too many.
pub(crate) fn attempt(state: &AppState, ip: &str) -> Result<(), AppError> {
    if state.limits.login_ip.check(ip, state.clock.now_ms()) {
        Ok(())
    } else {
        Err(AppError::RateLimited)
    }
}

/// Before checking a password for `email` from `ip`: refused while that address, or (for an address
/// the account never signed in from) every address together, failed too often lately.
pub(crate) fn may_try_login(state: &AppState, email: &str, ip: &str) -> Result<(), AppError> {
    let now = state.clock.now_ms();
    attempt(state, ip)?;
    let pair = format!("{email}|{ip}");
    let known = state.limits.known_addresses.knows(email, ip);
    if !state.limits.login_failures.allows(&pair, now)
        || (!known && !state.limits.login_failures_unknown.allows(email, now))
    {
        return Err(AppError::RateLimited);
    }
    Ok(())
}

/// A failed login for `email` from `ip`.
pub(crate) fn login_failed(state: &AppState, email: &str, ip: &str) {
    let now = state.clock.now_ms();
    let _ = state
        .limits
        .login_failures
        .check(&format!("{email}|{ip}"), now);
    if !state.limits.known_addresses.knows(email, ip) {
        let _ = state.limits.login_failures_unknown.check(email, now);
    }
}

/// A successful login: `ip` becomes one of the account's known addresses.
pub(crate) fn login_succeeded(state: &AppState, email: &str, ip: &str) {
    state.limits.known_addresses.remember(email, ip);
}

/// Whether one more reset e-mail may go to `email` now (two a minute at most).
pub(crate) fn may_send_reset(state: &AppState, email: &str) -> bool {
    state.limits.reset_mail.check(email, state.clock.now_ms())
}
