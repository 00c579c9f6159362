//! Validated French identifiers. Each type can only be built through `parse`, so holding one means the
//! value was checked; serde goes through the same check.

mod common;
mod email;
mod luhn;
mod phone;
mod postcode;
mod rpps;
mod siret;

pub use email::Email;
pub use phone::PhoneNumber;
pub use postcode::Postcode;
pub use rpps::Rpps;
pub use siret::{Siren, Siret};

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Hostile text never panics a validator, and whatever is accepted re-parses to itself.
        #[test]
        fn validators_never_panic_and_are_idempotent(input in "\\PC{0,80}") {
            if let Ok(v) = Rpps::parse(&input) { prop_assert_eq!(Rpps::parse(v.as_str()), Ok(v.clone())); }
            if let Ok(v) = Siret::parse(&input) { prop_assert_eq!(Siret::parse(v.as_str()), Ok(v.clone())); }
            if let Ok(v) = Siren::parse(&input) { prop_assert_eq!(Siren::parse(v.as_str()), Ok(v.clone())); }
            if let Ok(v) = Postcode::parse(&input) { prop_assert_eq!(Postcode::parse(v.as_str()), Ok(v.clone())); }
            if let Ok(v) = Email::parse(&input) { prop_assert_eq!(Email::parse(v.as_str()), Ok(v.clone())); }
            if let Ok(v) = PhoneNumber::parse(&input) { prop_assert_eq!(PhoneNumber::parse(v.as_str()), Ok(v.clone())); }
        }

        /// Every 10-digit payload has exactly one valid RPPS key.
        #[test]
        fn exactly_one_key_per_payload(payload in "[0-9]{10}") {
            let valid = (0..10).filter(|k| Rpps::parse(&format!("{payload}{k}")).is_ok()).count();
            prop_assert_eq!(valid, 1);
        }
    }
}
