//! The support crate's own checks: `backend_tests!` generates one test per backend, the shared cluster
//! hands out distinct empty databases, and an own cluster stops when dropped.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use rempla_test_support::{Db, backend_tests, pg};

fn query_one(url: &str, sql: &str) -> i64 {
    let (url, sql) = (url.to_owned(), sql.to_owned());
    std::thread::spawn(move || {
        let mut client = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
        client.query_one(sql.as_str(), &[]).unwrap().get(0)
    })
    .join()
    .unwrap()
}

async fn backend_is_reachable(db: Db) {
    match db {
        Db::Sqlite => {}
        Db::Postgres => {
            let (a, b) = (pg::fresh_database(), pg::fresh_database());
            assert_ne!(a, b);
            assert_eq!(query_one(&a, "SELECT 1::int8"), 1);
            let tables =
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'";
            assert_eq!(query_one(&b, tables), 0, "a fresh database is empty");
        }
    }
}

async fn runs_on_the_requested_workers(db: Db) {
    let handle = tokio::runtime::Handle::current();
    assert_eq!(handle.metrics().num_workers(), 3, "{db:?}");
}

backend_tests!(
    backend_is_reachable,
    #[worker_threads = 3]
    runs_on_the_requested_workers
);

#[test]
fn an_own_cluster_stops_when_dropped() {
    let cluster = pg::Cluster::start().unwrap();
    let url = cluster.create_database("rempla").unwrap();
    assert!(url.ends_with("/rempla"), "{url}");
    assert_eq!(query_one(&url, "SELECT 2::int8"), 2);
    drop(cluster);
    let refused =
        std::thread::spawn(move || ::postgres::Client::connect(&url, ::postgres::NoTls).is_err())
            .join()
            .unwrap();
    assert!(refused, "the cluster is stopped");
}
