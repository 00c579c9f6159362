//! Valid French identifiers for tests, distinct for distinct numbers.

use rempla_core::domain::{Rpps, Siret};

/// A valid RPPS number (11 digits, Luhn key) derived from `n`; distinct for `n` below 95,000,000.
pub fn rpps(n: u64) -> String {
    Rpps::with_key(&format!("10{:08}", 5_000_000 + n % 95_000_000))
        .unwrap()
        .to_string()
}

/// A valid SIRET (14 digits) derived from `n`; distinct for `n` below 999,900,000.
pub fn siret(n: u64) -> String {
    let body = format!("7322{:09}", 100_000 + n % 999_900_000);
    (0..10)
        .map(|key| format!("{body}{key}"))
        .find(|s| Siret::parse(s).is_ok())
        .expect("one key digit makes a valid SIRET")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_valid_and_distinct() {
        let numbers: Vec<String> = (0..200).map(rpps).collect();
        let sirets: Vec<String> = (0..200).map(siret).collect();
        for (r, s) in numbers.iter().zip(&sirets) {
            assert!(Rpps::parse(r).is_ok(), "{r}");
            assert!(Siret::parse(s).is_ok(), "{s}");
        }
        let distinct = |v: &[String]| v.iter().collect::<std::collections::BTreeSet<_>>().len();
        assert_eq!((distinct(&numbers), distinct(&sirets)), (200, 200));
        // Numbers derived from seeds (end-to-end runs) stay valid.
        assert!(Rpps::parse(&rpps(u64::MAX)).is_ok());
        assert!(Siret::parse(&siret(u64::MAX)).is_ok());
    }
}
