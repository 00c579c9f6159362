//! How a command fails: a stable code, a French message, and an exit status.

use std::process::ExitCode;

/// A command failure, printed on stderr as `erreur [code] : message`.
#[derive(Debug)]
pub struct Failure {
    code: &'static str,
    message: String,
    exit: u8,
}

impl Failure {
    /// A rule refused the input (exit status 1).
    pub fn rejected(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            exit: 1,
        }
    }

    /// The environment failed: file, database (exit status 3).
    pub fn io(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            exit: 3,
        }
    }

    /// Prints the failure and returns the exit status.
    pub fn report(&self) -> ExitCode {
        eprintln!("erreur [{}] : {}", self.code, self.message);
        ExitCode::from(self.exit)
    }
}

impl From<rempla_core::domain::ValidationError> for Failure {
    fn from(e: rempla_core::domain::ValidationError) -> Self {
        Self::rejected(e.code(), e.to_string())
    }
}

impl From<rempla_core::calendar::CalendarError> for Failure {
    fn from(e: rempla_core::calendar::CalendarError) -> Self {
        Self::rejected(e.code(), e.to_string())
    }
}

impl From<rempla_store::StoreError> for Failure {
    fn from(e: rempla_store::StoreError) -> Self {
        use rempla_store::StoreError;
        match e {
            // The user asked for something the store refuses: a rule said no.
            StoreError::NotFound { .. }
            | StoreError::AlreadyExists { .. }
            | StoreError::AvailabilityBooked { .. }
            | StoreError::InvalidInput { .. }
            | StoreError::WindowTooWide { .. }
            | StoreError::Calendar(_) => Self::rejected(e.code(), e.to_string()),
            // Anything else is the environment: file, disk, lock, damaged or newer database.
            _ => Self::io(e.code(), e.to_string()),
        }
    }
}

impl From<rempla_core::ical::IcalError> for Failure {
    fn from(e: rempla_core::ical::IcalError) -> Self {
        Self::rejected(e.code(), e.to_string())
    }
}
