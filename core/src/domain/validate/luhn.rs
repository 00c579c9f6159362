//! The Luhn (mod 10) checksum used by RPPS, SIREN and SIRET numbers.
//!
//! Written here rather than taken from a crate: it is ten lines, fully specified, and the available crates
//! are unmaintained or pull in far more than this.

/// Whether an all-ASCII-digit string passes the Luhn check (its last digit being the key).
pub(crate) fn is_valid(digits: &str) -> bool {
    luhn_sum(digits).is_some_and(|sum| sum % 10 == 0)
}

/// Luhn sum of the digits, the rightmost digit undoubled; `None` if a character is not a digit.
fn luhn_sum(digits: &str) -> Option<u32> {
    let mut sum = 0;
    for (position, c) in digits.chars().rev().enumerate() {
        let d = c.to_digit(10)?;
        sum += if position % 2 == 1 {
            let doubled = d * 2;
            if doubled > 9 { doubled - 9 } else { doubled }
        } else {
            d
        };
    }
    Some(sum)
}

/// The check digit to append to `payload` so that the whole passes the Luhn check.
pub(crate) fn check_digit(payload: &str) -> Option<u32> {
    // Appending a 0 puts every payload digit at its final parity; the key cancels the remainder.
    let sum = luhn_sum(&format!("{payload}0"))?;
    Some((10 - sum % 10) % 10)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_values() {
        assert!(is_valid("79927398713"));
        assert!(!is_valid("79927398710"));
        assert!(is_valid("10000001916"));
        assert_eq!(check_digit("7992739871"), Some(3));
        assert!(!is_valid("12a4"));
    }

    proptest! {
        #[test]
        fn appending_the_check_digit_always_validates(payload in "[0-9]{1,20}") {
            let key = check_digit(&payload).unwrap();
            let full = format!("{payload}{key}");
            prop_assert!(is_valid(&full));
        }

        #[test]
        fn any_single_digit_change_is_detected(payload in "[0-9]{10}", pos in 0usize..11, delta in 1u32..10) {
            let key = check_digit(&payload).unwrap();
            let full: Vec<u32> = format!("{payload}{key}").chars().map(|c| c.to_digit(10).unwrap()).collect();
            let mut changed = full.clone();
            changed[pos] = (changed[pos] + delta) % 10;
            let text: String = changed.iter().map(|d| char::from_digit(*d, 10).unwrap()).collect();
            prop_assert!(!is_valid(&text));
        }
    }
}
