//! `rempla`: the headless Rempla client and admin tool.
//!
//! Every command is a thin call into `rempla-core`; this binary only parses arguments, prints results in
//! French and maps errors to exit codes: 0 success, 1 a rule said no (invalid RPPS, rejected input), 2 a
//! usage error (clap), 3 an I/O or store failure.

mod cli;
mod commands;
mod failure;
mod format;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("REMPLA_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(failure) => failure.report(),
    }
}
