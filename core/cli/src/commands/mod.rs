//! One module per command; each turns parsed arguments into calls into `rempla-core` and prints.

mod calendar;
mod dataset;
mod deadline;
mod holidays;
mod matching;
mod rpps;
mod sync;

use std::process::ExitCode;

use crate::cli::{Cli, Command, RppsAction};
use crate::failure::Failure;

/// Runs the parsed command.
pub fn run(cli: Cli) -> Result<ExitCode, Failure> {
    match cli.command {
        Command::Rpps {
            action: RppsAction::Check { number },
        } => rpps::check(&number, cli.json),
        Command::Holidays { year, department } => holidays::list(year, &department, cli.json),
        Command::Deadline {
            sent,
            department,
            business_days,
        } => deadline::compute(&sent, &department, business_days, cli.json),
        Command::Calendar(args) => calendar::run(args, cli.json),
        Command::Match(args) => matching::run(&args, cli.json),
        Command::Dataset { action } => dataset::run(action, cli.json),
        Command::Login(args) => sync::login(&args, cli.json),
        Command::Logout(store) => sync::logout(&store, cli.json),
        Command::Sync(store) => sync::sync(&store, cli.json),
        Command::Status(store) => sync::status(&store, cli.json),
    }
}
