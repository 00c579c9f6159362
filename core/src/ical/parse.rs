//! The component tree of an iCalendar file: unfolding, content lines, BEGIN/END matching.
//!
//! Written by hand rather than with the `icalendar` crate's parser because import must hold on hostile
//! files: this reader never recurses (deep nesting cannot overflow the stack), checks every limit of
//! [`ImportOptions`] while it reads (it stops at the 50 001st event, not after building a million), and
//! reports one precise [`IcalError`] with a line number.

use super::error::IcalError;
use super::limits::ImportOptions;
use super::text::{ContentLine, parse_content_line};

/// One component (`VCALENDAR`, `VEVENT`, `VTIMEZONE`…) with its properties and sub-components.
#[derive(Debug, Default)]
pub(crate) struct Component {
    pub name: String,
    pub props: Vec<ContentLine>,
    pub children: Vec<usize>,
}

impl Component {
    /// First property named `name`.
    pub(crate) fn prop(&self, name: &str) -> Option<&ContentLine> {
        self.props.iter().find(|p| p.name == name)
    }

    /// All properties named `name`.
    pub(crate) fn props_named<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = &'a ContentLine> + 'a {
        self.props.iter().filter(move |p| p.name == name)
    }
}

/// All components of a file in an arena; `roots` are the top-level `VCALENDAR`s.
#[derive(Debug, Default)]
pub(crate) struct Tree {
    pub components: Vec<Component>,
    pub roots: Vec<usize>,
}

/// Reads `text` into a [`Tree`] within the limits of `opts`.
pub(crate) fn parse_tree(text: &str, opts: &ImportOptions) -> Result<Tree, IcalError> {
    let mut builder = Builder {
        tree: Tree::default(),
        stack: Vec::new(),
        events: 0,
        props: 0,
        opts,
    };
    let mut current: Option<(usize, String)> = None;
    for (i, raw) in text.split('\n').enumerate() {
        let line_no = i + 1;
        let physical = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(cont) = physical.strip_prefix([' ', '\t']) {
            let Some((_, logical)) = current.as_mut() else {
                return Err(IcalError::MalformedLine { line: line_no });
            };
            if logical.len() + cont.len() > opts.max_line_bytes {
                return Err(IcalError::LineTooLong {
                    line: line_no,
                    max: opts.max_line_bytes,
                });
            }
            logical.push_str(cont);
            continue;
        }
        if let Some((start, logical)) = current.take() {
            builder.line(start, &logical)?;
        }
        if physical.len() > opts.max_line_bytes {
            return Err(IcalError::LineTooLong {
                line: line_no,
                max: opts.max_line_bytes,
            });
        }
        if !physical.is_empty() {
            current = Some((line_no, physical.to_owned()));
        }
    }
    if let Some((start, logical)) = current.take() {
        builder.line(start, &logical)?;
    }
    if let Some(open) = builder.stack.last() {
        return Err(IcalError::UnterminatedComponent {
            name: builder.tree.components[*open].name.clone(),
        });
    }
    if builder.tree.roots.is_empty() {
        return Err(IcalError::NotACalendar);
    }
    Ok(builder.tree)
}

struct Builder<'a> {
    tree: Tree,
    stack: Vec<usize>,
    events: usize,
    props: usize,
    opts: &'a ImportOptions,
}

impl Builder<'_> {
    fn line(&mut self, line: usize, logical: &str) -> Result<(), IcalError> {
        let content = parse_content_line(logical).ok_or(IcalError::MalformedLine { line })?;
        match content.name.as_str() {
            "BEGIN" => self.begin(line, &content.value),
            "END" => self.end(line, &content.value),
            _ => {
                let Some(top) = self.stack.last() else {
                    return Err(IcalError::NotACalendar);
                };
                self.props += 1;
                if self.props > self.opts.max_properties {
                    return Err(IcalError::TooManyProperties {
                        max: self.opts.max_properties,
                    });
                }
                self.tree.components[*top].props.push(content);
                Ok(())
            }
        }
    }

    fn component_name(line: usize, value: &str) -> Result<String, IcalError> {
        let name = value.trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(IcalError::MalformedLine { line });
        }
        Ok(name.to_ascii_uppercase())
    }

    fn begin(&mut self, line: usize, value: &str) -> Result<(), IcalError> {
        let name = Self::component_name(line, value)?;
        if self.stack.len() >= self.opts.max_depth {
            return Err(IcalError::NestingTooDeep {
                max: self.opts.max_depth,
            });
        }
        if self.stack.is_empty() && name != "VCALENDAR" {
            return Err(IcalError::NotACalendar);
        }
        if name == "VEVENT" {
            self.events += 1;
            if self.events > self.opts.max_events {
                return Err(IcalError::TooManyEvents {
                    max: self.opts.max_events,
                });
            }
        }
        let index = self.tree.components.len();
        self.tree.components.push(Component {
            name,
            ..Component::default()
        });
        match self.stack.last() {
            Some(parent) => self.tree.components[*parent].children.push(index),
            None => self.tree.roots.push(index),
        }
        self.stack.push(index);
        Ok(())
    }

    fn end(&mut self, line: usize, value: &str) -> Result<(), IcalError> {
        let found = Self::component_name(line, value)?;
        let Some(open) = self.stack.pop() else {
            return Err(IcalError::UnbalancedComponent {
                line,
                expected: String::new(),
                found,
            });
        };
        let expected = &self.tree.components[open].name;
        if *expected != found {
            return Err(IcalError::UnbalancedComponent {
                line,
                expected: expected.clone(),
                found,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Interval;
    use chrono::{TimeZone, Utc};

    fn opts() -> ImportOptions {
        let w = Interval::new(
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap(),
        )
        .unwrap();
        ImportOptions::new(chrono_tz::Europe::Paris, w)
    }

    fn code(text: &str) -> &'static str {
        parse_tree(text, &opts()).unwrap_err().code()
    }

    #[test]
    fn builds_the_tree_and_unfolds_lines() {
        let t = parse_tree(
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:a long\r\n  title\r\nBEGIN:VALARM\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            &opts(),
        )
        .unwrap();
        assert_eq!(t.roots.len(), 1);
        let ev = &t.components[t.components[t.roots[0]].children[0]];
        assert_eq!(ev.name, "VEVENT");
        assert_eq!(ev.prop("SUMMARY").unwrap().value, "a long title");
        assert_eq!(ev.children.len(), 1);
    }

    #[test]
    fn rejects_broken_structures() {
        assert_eq!(code("hello"), "ical_malformed_line");
        assert_eq!(code("BEGIN:VEVENT\nEND:VEVENT\n"), "ical_not_a_calendar");
        assert_eq!(
            code("BEGIN:VCALENDAR\nBEGIN:VEVENT\n"),
            "ical_unterminated_component"
        );
        assert_eq!(
            code("BEGIN:VCALENDAR\nEND:VEVENT\n"),
            "ical_unbalanced_component"
        );
        assert_eq!(
            code("BEGIN:VCALENDAR\nEND:VCALENDAR\nEND:VCALENDAR\n"),
            "ical_unbalanced_component"
        );
        assert_eq!(code(""), "ical_not_a_calendar");
        assert_eq!(code(" continuation first"), "ical_malformed_line");
        let deep = format!("BEGIN:VCALENDAR\n{}", "BEGIN:X\n".repeat(100_000));
        assert_eq!(code(&deep), "ical_nesting_too_deep");
        let long = format!(
            "BEGIN:VCALENDAR\nX-A:{}\nEND:VCALENDAR\n",
            "a".repeat(300_000)
        );
        assert_eq!(code(&long), "ical_line_too_long");
        let folded = format!(
            "BEGIN:VCALENDAR\nX-A:a\n{}END:VCALENDAR\n",
            " aaaaaaaaaa\n".repeat(30_000)
        );
        assert_eq!(code(&folded), "ical_line_too_long");
    }
}
