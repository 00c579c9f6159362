//! PDF rendering of the documents the server issues: the *contrat de remplacement* of a mission
//! ([`contract`]) and invoices / credit notes ([`invoice`]).
//!
//! Crate choice: `krilla` (the PDF writer behind Typst, actively maintained) embeds and subsets
//! TrueType fonts as CID fonts with a `ToUnicode` map, so every French character (é, è, à, ç, œ, « », €)
//! is drawn by the embedded font and comes back as the same text when a reader extracts it. The font is
//! DejaVu Sans (Bitstream Vera licence, `assets/fonts/LICENSE-DejaVu.txt`), bundled so rendering never
//! depends on the host's fonts.
//!
//! Layout is deliberately simple and pure: a document is first laid out into pages of positioned lines
//! ([`Layout`]), then drawn. Line breaking uses a conservative average glyph width for DejaVu Sans
//! (krilla does not expose glyph advances), so a line never runs past the right margin.

pub mod contract;
pub mod invoice;

use krilla::Document;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::text::{Font, TextDirection};

/// Regular face, embedded (subset) in every document.
static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// Bold face, for titles and labels.
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// A4 in PostScript points.
const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 56.0;
/// Average advance of a DejaVu Sans glyph in em, rounded up (bold is wider), for line breaking.
const AVG_EM_REGULAR: f32 = 0.56;
const AVG_EM_BOLD: f32 = 0.64;

/// Why a document could not be rendered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PdfError {
    /// The bundled font could not be read (a broken build).
    #[error("police intégrée illisible")]
    Font,
    /// The PDF writer refused the document.
    #[error("génération du PDF impossible : {0}")]
    Render(String),
    /// The facts to render are inconsistent (e.g. a mission without shifts).
    #[error("données du document invalides : {0}")]
    Facts(String),
}

impl PdfError {
    /// Stable code, for logs and API errors.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Font => "pdf_font",
            Self::Render(_) => "pdf_render",
            Self::Facts(_) => "pdf_facts",
        }
    }
}

/// One positioned piece of a page.
#[derive(Clone, Debug, PartialEq)]
enum Item {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        text: String,
    },
    Rule {
        y: f32,
    },
}

/// Lays out a document top-down into A4 pages; pure, so it is tested without a PDF.
#[derive(Clone, Debug)]
pub(crate) struct Layout {
    pages: Vec<Vec<Item>>,
    y: f32,
}

impl Layout {
    pub(crate) fn new() -> Self {
        Self {
            pages: vec![Vec::new()],
            y: MARGIN,
        }
    }

    fn ensure(&mut self, height: f32) {
        if self.y + height > PAGE_H - MARGIN {
            self.pages.push(Vec::new());
            self.y = MARGIN;
        }
    }

    fn push(&mut self, item: Item) {
        if let Some(page) = self.pages.last_mut() {
            page.push(item);
        }
    }

    /// Splits `text` into lines that fit `width` points at `size`.
    fn wrap(text: &str, size: f32, bold: bool, width: f32) -> Vec<String> {
        let em = if bold { AVG_EM_BOLD } else { AVG_EM_REGULAR };
        // Truncation is intended: a partial glyph does not fit.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let max_chars = ((width / (size * em)) as usize).max(10);
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for word in paragraph.split(' ') {
                let needed =
                    line.chars().count() + usize::from(!line.is_empty()) + word.chars().count();
                if needed > max_chars && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                if !line.is_empty() {
                    line.push(' ');
                }
                line.push_str(word);
            }
            lines.push(line);
        }
        lines
    }

    /// A wrapped paragraph starting at `indent` points from the left margin.
    pub(crate) fn text_at(&mut self, indent: f32, text: &str, size: f32, bold: bool) {
        let width = PAGE_W - 2.0 * MARGIN - indent;
        for line in Self::wrap(text, size, bold, width) {
            let height = size * 1.4;
            self.ensure(height);
            self.y += size;
            let y = self.y;
            self.push(Item::Text {
                x: MARGIN + indent,
                y,
                size,
                bold,
                text: line,
            });
            self.y += height - size;
        }
    }

    /// A wrapped paragraph in the regular face.
    pub(crate) fn para(&mut self, text: &str, size: f32) {
        self.text_at(0.0, text, size, false);
    }

    /// A title or label line in the bold face.
    pub(crate) fn bold(&mut self, text: &str, size: f32) {
        self.text_at(0.0, text, size, true);
    }

    /// Two columns on one line: a left text and a right-aligned one (amounts).
    pub(crate) fn row(&mut self, left: &str, right: &str, size: f32, bold: bool) {
        let em = if bold { AVG_EM_BOLD } else { AVG_EM_REGULAR };
        #[allow(clippy::cast_precision_loss)]
        let right_width = right.chars().count() as f32 * size * em;
        let right_x = PAGE_W - MARGIN - right_width;
        let left_lines = Self::wrap(left, size, bold, right_x - MARGIN - 12.0);
        let count = left_lines.len();
        for (i, line) in left_lines.into_iter().enumerate() {
            let height = size * 1.4;
            self.ensure(height);
            self.y += size;
            let y = self.y;
            self.push(Item::Text {
                x: MARGIN,
                y,
                size,
                bold,
                text: line,
            });
            if i + 1 == count {
                self.push(Item::Text {
                    x: right_x,
                    y,
                    size,
                    bold,
                    text: right.to_owned(),
                });
            }
            self.y += height - size;
        }
    }

    /// Vertical space.
    pub(crate) fn space(&mut self, points: f32) {
        self.y += points;
    }

    /// A thin horizontal rule.
    pub(crate) fn rule(&mut self) {
        self.ensure(8.0);
        self.y += 4.0;
        let y = self.y;
        self.push(Item::Rule { y });
        self.y += 4.0;
    }

    /// Draws the pages into a PDF, with a « page n / N » footer carrying `footer`.
    pub(crate) fn finish(self, title: &str, footer: &str) -> Result<Vec<u8>, PdfError> {
        let regular = Font::new(REGULAR.into(), 0).ok_or(PdfError::Font)?;
        let bold = Font::new(BOLD.into(), 0).ok_or(PdfError::Font)?;
        let mut document = Document::new();
        document.set_metadata(
            Metadata::new()
                .title(title.to_owned())
                .language("fr".to_owned())
                .creator("Rempla".to_owned()),
        );
        let total = self.pages.len();
        for (n, items) in self.pages.into_iter().enumerate() {
            let settings = PageSettings::from_wh(PAGE_W, PAGE_H)
                .ok_or_else(|| PdfError::Render("format de page".into()))?;
            let mut page = document.start_page_with(settings);
            let mut surface = page.surface();
            for item in items {
                match item {
                    Item::Text {
                        x,
                        y,
                        size,
                        bold: is_bold,
                        text,
                    } => {
                        let font = if is_bold {
                            bold.clone()
                        } else {
                            regular.clone()
                        };
                        surface.draw_text(
                            Point::from_xy(x, y),
                            font,
                            size,
                            &text,
                            false,
                            TextDirection::Auto,
                        );
                    }
                    Item::Rule { y } => {
                        let mut path = PathBuilder::new();
                        path.move_to(MARGIN, y);
                        path.line_to(PAGE_W - MARGIN, y);
                        if let Some(path) = path.finish() {
                            surface.set_stroke(Some(Stroke {
                                width: 0.5,
                                ..Stroke::default()
                            }));
                            surface.draw_path(&path);
                            surface.set_stroke(None);
                        }
                    }
                }
            }
            surface.draw_text(
                Point::from_xy(MARGIN, PAGE_H - MARGIN / 2.0),
                regular.clone(),
                7.5,
                &format!("{footer} — page {} / {total}", n + 1),
                false,
                TextDirection::Auto,
            );
            surface.finish();
            page.finish();
        }
        document
            .finish()
            .map_err(|e| PdfError::Render(format!("{e:?}")))
    }
}

/// `123456` cents → `1 234,56 €` (French grouping with no-break spaces, comma decimals).
pub fn format_eur(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let euros = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in euros.chars().enumerate() {
        if i > 0 && (euros.len() - i).is_multiple_of(3) {
            grouped.push('\u{a0}');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped},{:02}\u{a0}€", abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn euros_are_formatted_the_french_way() {
        assert_eq!(format_eur(0), "0,00\u{a0}€");
        assert_eq!(format_eur(5), "0,05\u{a0}€");
        assert_eq!(format_eur(123_456), "1\u{a0}234,56\u{a0}€");
        assert_eq!(format_eur(100_000_000), "1\u{a0}000\u{a0}000,00\u{a0}€");
        assert_eq!(format_eur(-2_050), "-20,50\u{a0}€");
        assert_eq!(format_eur(i64::MIN).chars().next(), Some('-'));
    }

    #[test]
    fn long_text_wraps_and_overflows_onto_new_pages() {
        let mut layout = Layout::new();
        let long = "mot ".repeat(2_000);
        layout.para(&long, 10.0);
        assert!(layout.pages.len() > 1, "{} pages", layout.pages.len());
        for page in &layout.pages {
            for item in page {
                if let Item::Text { y, text, size, .. } = item {
                    assert!(*y <= PAGE_H - MARGIN, "line below the margin");
                    #[allow(clippy::cast_precision_loss)]
                    let width = text.chars().count() as f32 * size * AVG_EM_REGULAR;
                    assert!(
                        width <= PAGE_W - 2.0 * MARGIN + 1.0,
                        "line too wide: {text}"
                    );
                }
            }
        }
    }
}
