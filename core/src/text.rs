//! Small text helpers shared by every module (the floor of the crate: it imports nothing from it).

/// Keeps error messages short when hostile input is echoed back: at most 64 characters, then `…`.
pub fn truncate_for_message(s: &str) -> String {
    const MAX: usize = 64;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(MAX).collect();
        out.push('…');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_kept_and_long_text_is_cut_at_64_characters() {
        assert_eq!(truncate_for_message("abc"), "abc");
        let long = "é".repeat(100);
        let cut = truncate_for_message(&long);
        assert_eq!(cut.chars().count(), 65);
        assert!(cut.ends_with('…'));
    }
}
