//! Test support shared by the workspace's suites (dev-only, never shipped).
//!
//! - [`pg`]: the one throwaway PostgreSQL cluster helper. [`pg::fresh_database`] gives each test its own
//!   database in a cluster started once per test process; [`pg::Cluster`] is a cluster of one's own,
//!   stopped when dropped (the end-to-end runs).
//! - [`backend_tests!`]: runs a list of `async fn case(db: Db)` suite functions once on SQLite and once on
//!   PostgreSQL, as `sqlite::case` and `postgres::case` tests (the pattern of matrix-rust-sdk's
//!   `statestore_integration_tests!`).
//! - [`rpps`], [`siret`]: valid French identifiers derived from a number, and [`fixtures`]: the small
//!   domain records several suites need.
//!
//! PostgreSQL cases fail, never skip, when PostgreSQL cannot be started.

// Test support: a panic here is a test failure, which is the point (clippy.toml allows it in tests).
#![allow(clippy::missing_panics_doc, clippy::unwrap_used, clippy::expect_used)]

pub mod fixtures;
mod ids;
pub mod pg;

pub use ids::{rpps, siret};

/// Which database a suite function runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Db {
    /// The embedded SQLite file.
    Sqlite,
    /// A fresh database of the throwaway PostgreSQL cluster (or of `REMPLA_TEST_DATABASE_URL`).
    Postgres,
}

/// Runs each listed suite function on both backends.
///
/// Each `case` is an `async fn case(db: Db)` of the invoking module; the macro generates
/// `mod sqlite { #[tokio::test] async fn case() }` and `mod postgres { … }` calling
/// `super::case(Db::Sqlite)` and `super::case(Db::Postgres)`. Tests run on tokio's multi-thread runtime
/// with 2 workers; `#[worker_threads = N] case` asks for N. Invoke it once per test file (it defines
/// the two modules); the invoking crate depends on `tokio`.
///
/// ```ignore
/// use rempla_test_support::{Db, backend_tests};
///
/// async fn accounts_are_unique(db: Db) { /* … */ }
/// async fn fifty_concurrent_unlocks(db: Db) { /* … */ }
///
/// backend_tests!(accounts_are_unique, #[worker_threads = 4] fifty_concurrent_unlocks);
/// ```
#[macro_export]
macro_rules! backend_tests {
    ($($(#[worker_threads = $workers:tt])? $case:ident),* $(,)?) => {
        mod sqlite {
            $($crate::__backend_test!(Sqlite, $case $(, $workers)?);)*
        }
        mod postgres {
            $($crate::__backend_test!(Postgres, $case $(, $workers)?);)*
        }
    };
}

/// One generated test of [`backend_tests!`].
#[doc(hidden)]
#[macro_export]
macro_rules! __backend_test {
    ($db:ident, $case:ident) => {
        $crate::__backend_test!($db, $case, 2);
    };
    ($db:ident, $case:ident, $workers:tt) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = $workers)]
        async fn $case() {
            super::$case($crate::Db::$db).await;
        }
    };
}
