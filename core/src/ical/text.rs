//! RFC 5545 text rules shared by export and import: TEXT escaping (§3.3.11), line folding at 75 octets
//! (§3.1) and the reading of one unfolded content line into name, parameters and value.

/// Escapes a TEXT value: `\` `;` `,` and line breaks; other control characters (forbidden in TEXT) are
/// dropped so that no input can break the line structure of the file.
pub(crate) fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Reverses [`escape_text`] (also accepting `\N`); an unknown escape keeps the character.
pub(crate) fn unescape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Longest physical line, in octets without the CRLF (RFC 5545 §3.1).
const FOLD_AT: usize = 75;

/// Appends one content line to `out`, folded at 75 octets without splitting a UTF-8 character, each
/// physical line ended by CRLF. Continuation lines start with one space, which counts in their 75 octets.
pub(crate) fn push_folded(out: &mut String, line: &str) {
    let mut budget = FOLD_AT;
    let mut used = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if used + len > budget {
            out.push_str("\r\n ");
            used = 1;
            budget = FOLD_AT;
        }
        out.push(c);
        used += len;
    }
    out.push_str("\r\n");
}

/// One unfolded content line: `NAME;PARAM=VALUE;…:VALUE`, name and parameter names upper-cased,
/// parameter values unquoted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ContentLine {
    pub name: String,
    pub params: Vec<(String, String)>,
    pub value: String,
}

impl ContentLine {
    /// The first value of parameter `name` (upper-case).
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-'
}

/// Reads one unfolded line; `None` if it is not a content line.
pub(crate) fn parse_content_line(line: &str) -> Option<ContentLine> {
    let name_end = line.find(|c: char| !is_name_char(c))?;
    let name = &line[..name_end];
    if name.is_empty() {
        return None;
    }
    let mut rest = &line[name_end..];
    let mut params = Vec::new();
    while let Some(after) = rest.strip_prefix(';') {
        let eq = after.find('=')?;
        let pname = &after[..eq];
        if pname.is_empty() || !pname.chars().all(is_name_char) {
            return None;
        }
        let mut tail = &after[eq + 1..];
        // A parameter may hold several comma-separated values, each possibly quoted; keep them joined.
        let mut value = String::new();
        loop {
            if let Some(q) = tail.strip_prefix('"') {
                let close = q.find('"')?;
                value.push_str(&q[..close]);
                tail = &q[close + 1..];
            } else {
                let end = tail.find([';', ':', ',']).unwrap_or(tail.len());
                value.push_str(&tail[..end]);
                tail = &tail[end..];
            }
            match tail.strip_prefix(',') {
                Some(more) => {
                    value.push(',');
                    tail = more;
                }
                None => break,
            }
        }
        params.push((pname.to_ascii_uppercase(), value));
        rest = tail;
    }
    let value = rest.strip_prefix(':')?;
    Some(ContentLine {
        name: name.to_ascii_uppercase(),
        params,
        value: value.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_unescapes_text() {
        let raw = "Garde; CH Nord, bât. \\A\r\nétage 2\nfin\u{7}";
        let escaped = escape_text(raw);
        assert_eq!(escaped, "Garde\\; CH Nord\\, bât. \\\\A\\nétage 2\\nfin");
        assert_eq!(
            unescape_text(&escaped),
            "Garde; CH Nord, bât. \\A\nétage 2\nfin"
        );
    }

    #[test]
    fn folds_at_75_octets_without_splitting_characters() {
        let line = format!("SUMMARY:{}", "é".repeat(100));
        let mut out = String::new();
        push_folded(&mut out, &line);
        assert!(out.ends_with("\r\n"));
        let physical: Vec<&str> = out.trim_end_matches("\r\n").split("\r\n").collect();
        assert!(physical.len() > 2);
        for (i, p) in physical.iter().enumerate() {
            assert!(p.len() <= 75, "line {i} has {} octets", p.len());
            assert_eq!(i > 0, p.starts_with(' '));
        }
        // First line: 8 ASCII + 33 two-byte chars = 74 octets (one more would need 76).
        assert_eq!(physical[0].len(), 74);
        let unfolded: String = physical
            .iter()
            .enumerate()
            .map(|(i, p)| if i == 0 { *p } else { &p[1..] })
            .collect();
        assert_eq!(unfolded, line);
    }

    #[test]
    fn reads_content_lines_with_quoted_parameters() {
        let l = parse_content_line("dtstart;TZID=\"Europe/Paris\";X=a,\"b:c\":20260101T080000")
            .unwrap();
        assert_eq!(l.name, "DTSTART");
        assert_eq!(l.param("TZID"), Some("Europe/Paris"));
        assert_eq!(l.param("X"), Some("a,b:c"));
        assert_eq!(l.value, "20260101T080000");
        assert_eq!(parse_content_line("no colon here"), None);
        assert_eq!(parse_content_line(":value"), None);
        assert_eq!(parse_content_line("A;B:c"), None);
        assert_eq!(parse_content_line("A;B=\"unterminated:c"), None);
    }
}
