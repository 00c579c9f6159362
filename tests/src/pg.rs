//! A throwaway PostgreSQL cluster for the multi-instance runs: one cluster per run, with one database
//! `rempla`, stopped when dropped. The cluster itself is `rempla_test_support::pg::Cluster` (binaries
//! from the `PATH` or `/usr/lib/postgresql/<version>/bin`, run as the `postgres` user since tests run as
//! root; Debian's `postgresql` installed when missing unless `REMPLA_E2E_NO_INSTALL=1`).

use rempla_test_support::pg::Cluster;

/// A running throwaway cluster holding database `rempla`.
pub struct PgCluster {
    url: String,
    // Dropped after `url` is of no more use: stops the cluster.
    _cluster: Cluster,
}

impl PgCluster {
    /// Creates and starts a cluster with one database `rempla`; its URL is [`PgCluster::url`].
    pub fn start() -> std::io::Result<Self> {
        let cluster = Cluster::start()?;
        Ok(Self {
            url: cluster.create_database("rempla")?,
            _cluster: cluster,
        })
    }

    /// `postgres://postgres@127.0.0.1:PORT/rempla`.
    pub fn url(&self) -> String {
        self.url.clone()
    }
}
