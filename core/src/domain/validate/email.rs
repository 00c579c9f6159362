//! E-mail addresses, parsed by the `email_address` crate (RFC 5321/5322) with product limits on top.

use super::common::{check_length, string_newtype};
use crate::domain::error::ValidationError;

/// A syntactically valid e-mail address with a dotted domain, stored with its domain lower-cased.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

impl Email {
    /// Parses an address. Display names (`Jean <jean@x.fr>`) and single-label domains are refused: the
    /// product sends mail to real mailboxes on the internet.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        check_length("email", input, 254)?;
        let trimmed = input.trim();
        let parsed = email_address::EmailAddress::parse_with_options(
            trimmed,
            email_address::Options::default()
                .without_display_text()
                .without_domain_literal(),
        )
        .map_err(|e| ValidationError::Email {
            reason: e.to_string(),
        })?;
        let domain = parsed.domain().to_lowercase();
        if !domain.contains('.') || domain.ends_with('.') {
            return Err(ValidationError::Email {
                reason: "domaine sans point".to_owned(),
            });
        }
        Ok(Self(format!("{}@{domain}", parsed.local_part())))
    }
}

string_newtype!(Email);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises() {
        assert_eq!(
            Email::parse(" Dr.Martin@CHU-Lyon.FR ").unwrap().as_str(),
            "Dr.Martin@chu-lyon.fr"
        );
        assert!(Email::parse("prenom.nom+rempla@orange.fr").is_ok());
    }

    #[test]
    fn rejects() {
        for bad in [
            "",
            "jean",
            "jean@",
            "@x.fr",
            "jean@localhost",
            "Jean <jean@x.fr>",
            "a b@x.fr",
            "jean@[127.0.0.1]",
        ] {
            let err = Email::parse(bad).unwrap_err();
            assert_eq!(err.code(), "email", "{bad}");
        }
        assert_eq!(
            Email::parse(&format!("{}@x.fr", "a".repeat(300)))
                .unwrap_err()
                .code(),
            "too_long"
        );
    }
}
