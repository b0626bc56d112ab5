//! `report.pdf`: the report for the meeting, A4, German: a title page (survey, wave, field period,
//! n), the contents with page numbers, the response rates, the notes on method and suppression,
//! then per question its chart (vector graphics) with its tables and the free texts; page numbers
//! in the footer, the questions as bookmarks.
//!
//! It shows exactly the page's views ([`html::summary`], [`html::question_view`]): the same
//! rows, the same hidden cells, so the PDF can show nothing the page does not. The charts are the
//! same drawing as their SVG and PNG ([`chart::drawing`]: one layout, three outputs), drawn here
//! as rectangles, lines and text.
//!
//! krilla writes the PDF (DejaVu Sans embedded and subset). It does not lay out text, and typst
//! as a library would add a whole typesetting system to the build for one column of headings,
//! paragraphs, tables and charts, so the layout is ours: text is measured and set with the
//! advances and kerning the charts use (ab_glyph; German needs no shaping), wrapped at spaces,
//! and placed on pages by a breaker that keeps headings with what follows and repeats table
//! headers. (Parsing the SVGs again with usvg and krilla-svg, tried first, took 0.13 s for a
//! report's 40 charts and shaped every label anew.)

use ab_glyph::Font as _;
use krilla::Document;
use krilla::color::rgb;
use krilla::destination::XyzDestination;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};

use super::Report;
use super::chart::{self, BOLD_FONT, Drawing, Mark, REGULAR_FONT};
use super::html::{self, InlineChart, TableView};

/// Why the PDF could not be written.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The built-in fonts.
    #[error("the built-in font could not be read")]
    Font,
    /// krilla refused the A4 page size.
    #[error("the page size was refused")]
    PageSize,
    /// A chart.
    #[error("a chart could not be laid out: {0}")]
    Chart(#[from] chart::ChartError),
    /// krilla.
    #[error("the PDF could not be written: {0:?}")]
    Write(krilla::error::KrillaError),
}

// A4 in points, and the text area.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const LEFT: f32 = 56.0;
const WIDTH: f32 = PAGE_W - 2.0 * LEFT;
const TOP: f32 = 62.0;
const BOTTOM: f32 = PAGE_H - 64.0;

const INK: (u8, u8, u8) = (0x1a, 0x1a, 0x1a);
const GREY: (u8, u8, u8) = (0x55, 0x55, 0x55);
const NAVY: (u8, u8, u8) = (0x00, 0x33, 0x5e);
const RULE: (u8, u8, u8) = (0xbb, 0xbb, 0xbb);
const SHADE: (u8, u8, u8) = (0xe8, 0xee, 0xf4);

/// How a piece of text is set.
#[derive(Debug, Clone, Copy)]
struct Style {
    size: f32,
    bold: bool,
    colour: (u8, u8, u8),
}

impl Style {
    const fn new(size: f32, bold: bool, colour: (u8, u8, u8)) -> Style {
        Style { size, bold, colour }
    }

    fn line(self) -> f32 {
        self.size * 1.3
    }
}

const TITLE: Style = Style::new(22.0, true, NAVY);
const HEADING: Style = Style::new(14.0, true, NAVY);
const SUBHEADING: Style = Style::new(11.0, true, INK);
const BODY: Style = Style::new(10.0, false, INK);
const NOTE: Style = Style::new(8.5, false, GREY);
const CAPTION: Style = Style::new(8.5, true, INK);
const CELL: Style = Style::new(7.5, false, INK);
const CELL_BOLD: Style = Style::new(7.5, true, INK);
const CELL_NOTE: Style = Style::new(6.5, false, GREY);
const FOOTER: Style = Style::new(8.0, false, GREY);

/// What is drawn on a page, in points from its top left corner (`y` of text: its baseline).
#[derive(Debug, Clone)]
enum Item {
    Text {
        x: f32,
        y: f32,
        style: Style,
        text: String,
    },
    Rule {
        x: f32,
        y: f32,
        width: f32,
        weight: f32,
        colour: (u8, u8, u8),
    },
    Shade {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
    },
    /// A chart's drawing, its units scaled by `scale`.
    Chart {
        index: usize,
        x: f32,
        y: f32,
        scale: f32,
    },
}

/// Pages being filled from the top down.
struct Layout {
    /// Full pages.
    done: Vec<Vec<Item>>,
    /// The page being filled.
    page: Vec<Item>,
    y: f32,
    fonts: &'static chart::Fonts,
    /// Bookmarks: title, page (of this layout), y.
    anchors: Vec<(String, usize, f32)>,
}

impl Layout {
    fn new(fonts: &'static chart::Fonts) -> Layout {
        Layout {
            done: Vec::new(),
            page: Vec::new(),
            y: TOP,
            fonts,
            anchors: Vec::new(),
        }
    }

    fn push(&mut self, item: Item) {
        self.page.push(item);
    }

    fn new_page(&mut self) {
        self.done.push(std::mem::take(&mut self.page));
        self.y = TOP;
    }

    /// Every page, the one being filled included.
    fn pages(mut self) -> Vec<Vec<Item>> {
        self.done.push(self.page);
        self.done
    }

    /// Starts a new page unless `height` still fits on this one (or this one is empty).
    fn room(&mut self, height: f32) -> bool {
        if self.y + height > BOTTOM && self.y > TOP {
            self.new_page();
            return true;
        }
        false
    }

    fn width(&self, text: &str, style: Style) -> f32 {
        let face = &self.fonts[usize::from(style.bold)];
        let per_em = face.units_per_em().unwrap_or(2048.0);
        let units: f32 = text
            .chars()
            .map(|c| face.h_advance_unscaled(face.glyph_id(c)))
            .sum();
        units * style.size / per_em
    }

    /// `text` broken into lines of at most `width` at spaces (a word longer than a line is cut).
    fn wrap(&self, text: &str, style: Style, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if self.width(&candidate, style) <= width || line.is_empty() {
                line = candidate;
            } else {
                lines.push(std::mem::replace(&mut line, word.to_owned()));
            }
            while self.width(&line, style) > width && line.chars().count() > 1 {
                let mut head = String::new();
                for c in line.chars() {
                    if self.width(&format!("{head}{c}"), style) > width && !head.is_empty() {
                        break;
                    }
                    head.push(c);
                }
                let rest = line[head.len()..].to_owned();
                lines.push(head);
                line = rest;
            }
        }
        if !line.is_empty() || lines.is_empty() {
            lines.push(line);
        }
        lines
    }

    /// A paragraph, `indent` from the left, followed by `after` points of space.
    fn paragraph(&mut self, text: &str, style: Style, indent: f32, after: f32) {
        for line in self.wrap(text, style, WIDTH - indent) {
            self.room(style.line());
            let y = self.y + style.size;
            self.push(Item::Text {
                x: LEFT + indent,
                y,
                style,
                text: line,
            });
            self.y += style.line();
        }
        self.y += after;
    }

    /// A heading kept on one page with at least `keep` points of what follows; bookmarked.
    fn heading(&mut self, text: &str, style: Style, keep: f32, bookmark: bool) {
        let height = self.wrap(text, style, WIDTH).len() as f32 * style.line();
        self.room(height + keep);
        self.y += 4.0;
        if bookmark {
            self.anchors
                .push((text.to_owned(), self.done.len(), self.y - 4.0));
        }
        self.paragraph(text, style, 0.0, 4.0);
    }

    fn bullets(&mut self, items: &[String], style: Style) {
        for item in items {
            self.room(style.line());
            let y = self.y + style.size;
            self.push(Item::Text {
                x: LEFT + 4.0,
                y,
                style,
                text: "–".to_owned(),
            });
            self.paragraph(item, style, 14.0, 2.0);
        }
        self.y += 4.0;
    }

    fn rule(&mut self, x: f32, width: f32, weight: f32, colour: (u8, u8, u8)) {
        let y = self.y;
        self.push(Item::Rule {
            x,
            y,
            width,
            weight,
            colour,
        });
    }

    /// A table: the group column, the figures right-aligned, the notes; the header is repeated
    /// on every page the table continues on.
    fn table(&mut self, table: &TableView) {
        let notes = table.rows.iter().any(|r| !r.note.is_empty());
        let wide = table.columns.len() > 5;
        let label_width = 118.0;
        let note_width = match (notes, wide) {
            (false, _) => 0.0,
            (true, true) => 74.0,
            (true, false) => 92.0,
        };
        let figures = table.columns.len().max(1) as f32;
        let column = (WIDTH - label_width - note_width) / figures;
        let mut header = vec![("Gruppe".to_owned(), LEFT, label_width, false)];
        for (i, name) in table.columns.iter().enumerate() {
            let x = LEFT + label_width + i as f32 * column;
            header.push((name.clone(), x, column, true));
        }
        if notes {
            header.push((
                "Hinweis".to_owned(),
                LEFT + WIDTH - note_width,
                note_width,
                false,
            ));
        }
        let pad = 2.5;
        // Each header in the largest size (at most the cells') at which its longest word fits:
        // "zurückgehen" set smaller rather than cut into "zurückg-ehen".
        let header_lines: Vec<(Style, Vec<String>)> = header
            .iter()
            .map(|(name, _, width, _)| {
                let room = width - 2.0 * pad;
                let mut style = CELL_BOLD;
                while style.size > 5.0
                    && name
                        .split_whitespace()
                        .any(|word| self.width(word, style) > room)
                {
                    style.size -= 0.25;
                }
                (style, self.wrap(name, style, room))
            })
            .collect();
        let header_height = header_lines.iter().map(|(_, l)| l.len()).max().unwrap_or(1) as f32
            * CELL.line()
            + 2.0 * pad;
        let draw_header = |layout: &mut Layout, caption: &str| {
            layout.paragraph(caption, CAPTION, 0.0, 1.0);
            let top = layout.y;
            layout.push(Item::Shade {
                x: LEFT,
                y: top,
                width: WIDTH,
                height: header_height,
            });
            for ((_, x, width, right), (style, lines)) in header.iter().zip(&header_lines) {
                for (k, line) in lines.iter().enumerate() {
                    let y = top + pad + CELL.size + k as f32 * CELL.line();
                    let x = if *right {
                        x + width - pad - layout.width(line, *style)
                    } else {
                        x + pad
                    };
                    layout.push(Item::Text {
                        x,
                        y,
                        style: *style,
                        text: line.clone(),
                    });
                }
            }
            layout.y = top + header_height;
            layout.rule(LEFT, WIDTH, 0.6, INK);
        };
        let first_row = table.rows.first().map_or(0.0, |_| CELL.line() + 2.0 * pad);
        self.room(CAPTION.line() + header_height + first_row + 2.0);
        draw_header(self, &table.caption);
        for row in &table.rows {
            let style = if row.total { CELL_BOLD } else { CELL };
            let label = self.wrap(&row.label, style, label_width - 2.0 * pad);
            let note = if notes {
                self.wrap(&row.note, CELL_NOTE, note_width - 2.0 * pad)
            } else {
                Vec::new()
            };
            let height = (label.len() as f32 * CELL.line())
                .max(note.len() as f32 * CELL_NOTE.line())
                + 2.0 * pad;
            if self.room(height) {
                draw_header(self, &format!("{} (Fortsetzung)", table.caption));
            }
            let top = self.y;
            if row.total {
                self.rule(LEFT, WIDTH, 0.8, INK);
            }
            for (k, line) in label.into_iter().enumerate() {
                self.push(Item::Text {
                    x: LEFT + pad,
                    y: top + pad + CELL.size + k as f32 * CELL.line(),
                    style,
                    text: line,
                });
            }
            for (i, cell) in row.cells.iter().enumerate() {
                let x =
                    LEFT + label_width + (i as f32 + 1.0) * column - pad - self.width(cell, style);
                self.push(Item::Text {
                    x,
                    y: top + pad + CELL.size,
                    style,
                    text: cell.clone(),
                });
            }
            for (k, line) in note.into_iter().enumerate() {
                self.push(Item::Text {
                    x: LEFT + WIDTH - note_width + pad,
                    y: top + pad + CELL_NOTE.size + k as f32 * CELL_NOTE.line(),
                    style: CELL_NOTE,
                    text: line,
                });
            }
            self.y = top + height;
            self.rule(LEFT, WIDTH, 0.3, RULE);
        }
        self.y += 10.0;
    }

    /// A chart across the text width, on the next page if it does not fit on this one.
    fn chart(&mut self, index: usize, drawing: &Drawing) {
        let scale = WIDTH / drawing.width;
        let height = drawing.height * scale;
        self.room(height);
        let y = self.y;
        self.push(Item::Chart {
            index,
            x: LEFT,
            y,
            scale,
        });
        self.y += height + 8.0;
    }
}

/// One line of the contents.
struct Entry {
    title: String,
    page: usize,
}

/// The contents' pages (`entries` with their page numbers, counted from 1).
fn contents(fonts: &'static chart::Fonts, entries: &[Entry]) -> Vec<Vec<Item>> {
    let mut layout = Layout::new(fonts);
    layout.heading("Inhalt", HEADING, 40.0, false);
    for entry in entries {
        let number = entry.page.to_string();
        let lines = layout.wrap(&entry.title, BODY, WIDTH - 40.0);
        let count = lines.len();
        for (k, line) in lines.into_iter().enumerate() {
            layout.room(BODY.line());
            let y = layout.y + BODY.size;
            layout.push(Item::Text {
                x: LEFT,
                y,
                style: BODY,
                text: line,
            });
            if k + 1 == count {
                let x = LEFT + WIDTH - layout.width(&number, BODY);
                layout.push(Item::Text {
                    x,
                    y,
                    style: BODY,
                    text: number.clone(),
                });
            }
            layout.y += BODY.line();
        }
        layout.y += 3.0;
    }
    layout.pages()
}

/// The PDF of `report`, its charts drawn from `charts` (the same SVGs as the page's).
pub fn pdf(
    report: &Report,
    charts: &[InlineChart<'_>],
    trend: Option<(&super::trend::Trend, &[InlineChart<'_>])>,
) -> Result<Vec<u8>, PdfError> {
    let fonts = chart::fonts().map_err(|_| PdfError::Font)?;
    let (total, responses) = html::summary(report);
    let questions: Vec<html::QuestionView> = report
        .questions
        .iter()
        .map(|q| html::question_view(q, charts))
        .collect();

    // The charts from the same layout as their SVG and PNG, drawn natively.
    let mut drawings = Vec::new();
    let mut body = Layout::new(fonts);
    body.heading("Rücklauf", HEADING, 120.0, true);
    body.paragraph(
        &format!("Abgeschlossene Fragebögen: {total}."),
        BODY,
        0.0,
        6.0,
    );
    for table in &responses {
        body.table(table);
    }
    body.heading("Methode und Hinweise zur Darstellung", HEADING, 60.0, true);
    body.bullets(&html::hints(report), BODY);
    // A question's items: heading, chart, tables.
    let mut items = |body: &mut Layout,
                     items: &[html::ItemView],
                     charts: &[InlineChart<'_>]|
     -> Result<(), PdfError> {
        for item in items {
            if !item.heading.is_empty() {
                body.heading(&item.heading, SUBHEADING, 120.0, false);
            }
            let chart = item
                .figure
                .as_ref()
                .and_then(|f| charts.iter().find(|c| c.file == f.file));
            if let Some(chart) = chart {
                drawings.push(chart::drawing(chart.chart)?);
                body.chart(drawings.len() - 1, &drawings[drawings.len() - 1]);
            }
            for table in &item.tables {
                body.table(table);
            }
        }
        Ok(())
    };
    for q in &questions {
        body.new_page();
        body.heading(&q.text, HEADING, 60.0, true);
        if !q.note.is_empty() {
            body.paragraph(&q.note, NOTE, 0.0, 6.0);
        }
        items(&mut body, &q.items, charts)?;
        if !q.texts_note.is_empty() {
            let heading = if q.items.is_empty() {
                "Antworten"
            } else {
                "Angaben zu „Sonstiges“"
            };
            body.heading(heading, SUBHEADING, 40.0, false);
            body.paragraph(&q.texts_note, NOTE, 0.0, 4.0);
            body.bullets(&q.texts, BODY);
        }
    }
    if let Some((trend, trend_charts)) = trend {
        for (k, q) in html::trend_views(trend, trend_charts).iter().enumerate() {
            body.new_page();
            if k == 0 {
                body.heading("Verlauf über alle Wellen", HEADING, 80.0, true);
            }
            body.heading(&q.text, SUBHEADING, 80.0, false);
            body.paragraph(&q.note, NOTE, 0.0, 6.0);
            items(&mut body, &q.items, trend_charts)?;
        }
    }

    // The contents take as many pages with any numbers as with the right ones.
    let entries = |first: usize| -> Vec<Entry> {
        body.anchors
            .iter()
            .map(|(title, page, _)| Entry {
                title: title.clone(),
                page: first + page + 1,
            })
            .collect()
    };
    let contents_pages = contents(fonts, &entries(0)).len();
    let first_body_page = 1 + contents_pages;
    let mut pages = vec![title_page(fonts, report, &total)];
    pages.extend(contents(fonts, &entries(first_body_page)));
    let anchors = std::mem::take(&mut body.anchors);
    pages.extend(body.pages());

    render(report, fonts, &pages, &drawings, &anchors, first_body_page)
}

fn title_page(fonts: &'static chart::Fonts, report: &Report, total: &str) -> Vec<Item> {
    let mut layout = Layout::new(fonts);
    layout.y = 200.0;
    layout.paragraph(
        "MINT-Umfragen des Länderbeirats der MINT-Regionen",
        Style::new(11.0, false, GREY),
        0.0,
        18.0,
    );
    layout.paragraph(&report.wave.survey_title, TITLE, 0.0, 10.0);
    layout.paragraph(
        &format!("{}: Auswertung je Land", report.wave.title),
        Style::new(15.0, false, INK),
        0.0,
        30.0,
    );
    if !report.wave.period.is_empty() {
        layout.paragraph(
            &format!("Befragungszeitraum: {}", report.wave.period),
            BODY,
            0.0,
            4.0,
        );
    }
    layout.paragraph(
        &format!("Abgeschlossene Fragebögen: {total}"),
        BODY,
        0.0,
        4.0,
    );
    layout.paragraph(
        &format!(
            "Gruppen mit weniger als {} Antworten werden nicht ausgewiesen.",
            report.wave.threshold
        ),
        BODY,
        0.0,
        4.0,
    );
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Berlin)
        .format("%d.%m.%Y");
    layout.paragraph(&format!("Stand: {today}"), BODY, 0.0, 4.0);
    layout.page
}

/// A line of text to set: where, how large, how.
#[derive(Clone, Copy)]
struct Run {
    left: f32,
    baseline: f32,
    size: f32,
    bold: bool,
    colour: (u8, u8, u8),
}

/// Sets `text` with the advances and kerning of DejaVu as ab_glyph reads them, the same that
/// placed the charts' text and measured every line here (no shaping needed for German text).
fn draw_text(surface: &mut Surface<'_>, fonts: &chart::Fonts, font: &Font, run: Run, text: &str) {
    let face = &fonts[usize::from(run.bold)];
    let per_em = face.units_per_em().unwrap_or(2048.0);
    let mut glyphs: Vec<KrillaGlyph> = Vec::with_capacity(text.len());
    let mut previous = None;
    for (start, c) in text.char_indices() {
        let id = face.glyph_id(c);
        if let (Some(last), Some(p)) = (glyphs.last_mut(), previous) {
            last.x_advance += face.kern_unscaled(p, id) / per_em;
        }
        previous = Some(id);
        glyphs.push(KrillaGlyph::new(
            GlyphId::new(u32::from(id.0)),
            face.h_advance_unscaled(id) / per_em,
            0.0,
            0.0,
            0.0,
            start..start + c.len_utf8(),
            None,
        ));
    }
    surface.set_stroke(None);
    surface.set_fill(Some(fill(run.colour)));
    surface.draw_glyphs(
        Point::from_xy(run.left, run.baseline),
        &glyphs,
        font.clone(),
        text,
        run.size,
        false,
    );
}

fn rect(surface: &mut Surface<'_>, rect: Option<Rect>, colour: (u8, u8, u8)) {
    let mut path = PathBuilder::new();
    if let Some(rect) = rect {
        path.push_rect(rect);
    }
    if let Some(path) = path.finish() {
        surface.set_stroke(None);
        surface.set_fill(Some(fill(colour)));
        surface.draw_path(&path);
    }
}

fn line(surface: &mut Surface<'_>, from: (f32, f32), to: (f32, f32), width: f32, c: (u8, u8, u8)) {
    let mut path = PathBuilder::new();
    path.move_to(from.0, from.1);
    path.line_to(to.0, to.1);
    if let Some(path) = path.finish() {
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke {
            paint: colour(c),
            width,
            ..Stroke::default()
        }));
        surface.draw_path(&path);
    }
}

/// A chart's marks at `(x, y)`, scaled.
fn draw_chart(
    surface: &mut Surface<'_>,
    fonts: &chart::Fonts,
    (regular, bold): (&Font, &Font),
    drawing: &Drawing,
    (x, y): (f32, f32),
    scale: f32,
) {
    let at = |(px, py): (f32, f32)| (x + px * scale, y + py * scale);
    for mark in &drawing.marks {
        match mark {
            Mark::Rect {
                left,
                top,
                right,
                bottom,
                colour: [r, g, b],
            } => {
                let (x0, y0) = at((*left, *top));
                let (x1, y1) = at((*right, *bottom));
                rect(surface, Rect::from_ltrb(x0, y0, x1, y1), (*r, *g, *b));
            }
            Mark::Line {
                from,
                to,
                colour: [r, g, b],
            } => line(surface, at(*from), at(*to), scale, (*r, *g, *b)),
            Mark::Text {
                left,
                baseline,
                size,
                bold: is_bold,
                colour: [r, g, b],
                text,
            } => {
                let (left, baseline) = at((*left, *baseline));
                let run = Run {
                    left,
                    baseline,
                    size: size * scale,
                    bold: *is_bold,
                    colour: (*r, *g, *b),
                };
                let font = if *is_bold { bold } else { regular };
                draw_text(surface, fonts, font, run, text);
            }
        }
    }
}

fn colour((r, g, b): (u8, u8, u8)) -> krilla::paint::Paint {
    rgb::Color::new(r, g, b).into()
}

fn fill(c: (u8, u8, u8)) -> Fill {
    Fill {
        paint: colour(c),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

fn render(
    report: &Report,
    fonts: &'static chart::Fonts,
    pages: &[Vec<Item>],
    drawings: &[Drawing],
    anchors: &[(String, usize, f32)],
    first_body_page: usize,
) -> Result<Vec<u8>, PdfError> {
    let regular = Font::new(REGULAR_FONT.to_vec().into(), 0).ok_or(PdfError::Font)?;
    let bold = Font::new(BOLD_FONT.to_vec().into(), 0).ok_or(PdfError::Font)?;
    let mut document = Document::new();
    let count = pages.len();
    let footer_left = format!("{} – {}", report.wave.survey_title, report.wave.title);
    let measure = Layout::new(fonts);
    let a4 = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or(PdfError::PageSize)?;
    for (number, items) in pages.iter().enumerate() {
        let mut page = document.start_page_with(a4.clone());
        let mut surface = page.surface();
        let mut footer = Vec::new();
        if number > 0 {
            let text = format!("Seite {} von {count}", number + 1);
            let x = LEFT + WIDTH - measure.width(&text, FOOTER);
            footer.push(Item::Rule {
                x: LEFT,
                y: PAGE_H - 44.0,
                width: WIDTH,
                weight: 0.4,
                colour: RULE,
            });
            let left = measure
                .wrap(&footer_left, FOOTER, WIDTH - 90.0)
                .swap_remove(0);
            footer.push(Item::Text {
                x: LEFT,
                y: PAGE_H - 32.0,
                style: FOOTER,
                text: left,
            });
            footer.push(Item::Text {
                x,
                y: PAGE_H - 32.0,
                style: FOOTER,
                text,
            });
        }
        for item in items.iter().chain(&footer) {
            match item {
                Item::Text { x, y, style, text } => {
                    let font = if style.bold { &bold } else { &regular };
                    let run = Run {
                        left: *x,
                        baseline: *y,
                        size: style.size,
                        bold: style.bold,
                        colour: style.colour,
                    };
                    draw_text(&mut surface, fonts, font, run, text);
                }
                Item::Rule {
                    x,
                    y,
                    width,
                    weight,
                    colour: c,
                } => line(&mut surface, (*x, *y), (x + width, *y), *weight, *c),
                Item::Shade {
                    x,
                    y,
                    width,
                    height,
                } => rect(
                    &mut surface,
                    Rect::from_xywh(*x, *y, *width, *height),
                    SHADE,
                ),
                Item::Chart { index, x, y, scale } => {
                    let drawing = &drawings[*index];
                    let fonts_of = (&regular, &bold);
                    draw_chart(&mut surface, fonts, fonts_of, drawing, (*x, *y), *scale);
                }
            }
        }
        surface.finish();
        page.finish();
    }
    let mut outline = Outline::new();
    for (title, page, y) in anchors {
        outline.push_child(OutlineNode::new(
            title.clone(),
            XyzDestination::new(first_body_page + page, Point::from_xy(LEFT, *y)),
        ));
    }
    document.set_outline(outline);
    document.set_metadata(
        Metadata::new()
            .title(format!(
                "{}: Auswertung je Land – {}",
                report.wave.title, report.wave.survey_title
            ))
            .language("de".to_owned())
            .creator("mint-survey".to_owned()),
    );
    document.finish().map_err(PdfError::Write)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_words_and_sentences_are_wrapped_within_the_width() {
        let layout = Layout::new(chart::fonts().unwrap());
        let text = "Wie schätzen Sie die derzeitige Situation Ihres Netzwerks insgesamt ein? \
                    Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichen";
        let lines = layout.wrap(text, BODY, 120.0);
        assert!(lines.len() > 3, "{lines:?}");
        assert!(
            lines.iter().all(|l| layout.width(l, BODY) <= 120.0),
            "{lines:?}"
        );
        assert_eq!(lines.concat().replace(' ', ""), text.replace(' ', ""));
    }
}
