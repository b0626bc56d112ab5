//! Charts of the report: 100 % stacked horizontal bars per group, and plain bars from 0 to 100 %.
//!
//! Pure functions from a [`Chart`] description to bytes: [`svg`] gives a standalone SVG document,
//! [`png`] the same drawing as a PNG image. Both come from one layout in pixel coordinates, measured
//! with the DejaVu Sans shipped in `assets/fonts/` (built into the binary, so a machine without fonts
//! draws the same), and the output is deterministic: the same chart gives byte-identical SVG.
//!
//! The charts do not rely on colour alone (greyscale print, colour-blind readers): every segment wide
//! enough carries its rounded percentage in black or white, whichever contrasts more; neighbouring
//! segments are separated by a white gap and differ in lightness (a diverging blue–orange palette, dark
//! at the ends and light towards the middle); the legend lists the categories in segment order; and
//! "weiß nicht / keine Angabe" is grey under a white hatch, after the scale. Aggregation and
//! suppression happen before: this module draws what it is given.

use std::sync::OnceLock;

use crate::survey::definition::Direction;
use ab_glyph::{Font as _, FontRef, PxScaleFont, ScaleFont, point};
use plotters::coord::Shift;
use plotters::prelude::{
    BitMapBackend, Color, DrawingArea, DrawingBackend, FontDesc, FontFamily, FontStyle,
    IntoDrawingArea, PathElement, RGBColor, Rectangle, SVGBackend, TextStyle, WHITE,
};
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One chart, ready to draw.
pub enum Chart {
    /// 100 % stacked bars, one per group (a single-choice question, or one item of a matrix).
    Stacked(StackedChart),
    /// Plain bars, one per option (a multiple-choice question).
    Bars(BarChart),
}

/// A 100 % stacked horizontal bar per group (Land, "weitere Länder", "Deutschland gesamt", attribute groups).
pub struct StackedChart {
    /// Heading drawn above the chart (the question text, for matrix questions "question – item"); wrapped.
    pub title: String,
    /// How the categories are coloured.
    pub palette: Palette,
    /// The answer options in scale order, as legend entries.
    pub categories: Vec<Category>,
    /// One bar per row, top to bottom.
    pub rows: Vec<ChartRow>,
}

/// How the categories of a stacked chart are coloured, so that a colour means the same in every
/// chart of every wave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Palette {
    /// An ordered scale: each end in the hue of its meaning (positive blue, negative orange;
    /// decrease purple, increase green; low to high one teal ramp), darker towards the ends and
    /// the neutral option grey.
    Ordered {
        /// Which way the scale runs.
        direction: Direction,
        /// The neutral option's index among the categories that are not missing.
        neutral: Option<usize>,
    },
    /// Unordered options: a qualitative palette (Okabe–Ito, safe for colour-blind readers).
    Nominal,
}

/// One answer option of a stacked chart.
pub struct Category {
    /// Legend text, e.g. "trifft eher zu".
    pub label: String,
    /// "weiß nicht / keine Angabe": drawn in neutral grey with a hatch, after the scale categories.
    pub missing: bool,
}

/// One group, one bar of a stacked chart.
pub struct ChartRow {
    /// Label left of the bar, already containing n, e.g. "Bayern (n = 12)" or "Saarland".
    pub label: String,
    /// Percent per category (same order as categories, summing to about 100), or None when the group is
    /// suppressed. The bar always fills 0–100 %: shares are scaled by their sum (all 0: no bar).
    pub shares: Option<Vec<f64>>,
    /// Text drawn instead of a bar when shares is None, e.g. "zu wenige Antworten".
    pub note: String,
    /// Draw a separator line above this row (before "Deutschland gesamt" and before the attribute groups).
    pub separator_above: bool,
    /// Bold label (the total row).
    pub emphasis: bool,
}

/// Plain horizontal bars from 0 to 100 %, e.g. a multiple-choice question's options with the share of
/// respondents that ticked each.
pub struct BarChart {
    /// Heading drawn above the chart (the question text); wrapped.
    pub title: String,
    /// Line below the title, such as "Deutschland gesamt, n = 130; Mehrfachnennungen"; may be empty.
    pub subtitle: String,
    /// One bar per row, top to bottom.
    pub rows: Vec<BarRow>,
}

/// One bar of a [`BarChart`].
pub struct BarRow {
    /// Label left of the bar, e.g. the option text.
    pub label: String,
    /// Share in percent, 0 to 100 (more is drawn as 100).
    pub percent: f64,
}

/// Why a chart could not be drawn.
///
/// A chart without rows or without categories is not an error: it is drawn with its title and the
/// note "Keine Daten vorhanden.".
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The shipped font could not be parsed (a broken file in `assets/fonts/`).
    #[error("the chart font {0} could not be loaded")]
    Font(&'static str),
    /// A row's values cannot be drawn: row index (from 0), row label, what is wrong. A bug in the caller.
    #[error("chart row {0} (\"{1}\"): {2}")]
    Row(usize, String, String),
    /// plotters failed while drawing.
    #[error("drawing the chart failed: {0}")]
    Draw(String),
    /// The PNG encoder failed.
    #[error("encoding the chart as PNG failed: {0}")]
    Png(#[from] png::EncodingError),
}

/// The chart as a standalone SVG document (UTF-8 text), 900 px wide.
///
/// Text asks for "DejaVu Sans", then Verdana and sans-serif (similar widths), so the layout holds where
/// the viewer lacks DejaVu. A `<title>` carries the chart title for screen readers.
pub fn svg(chart: &Chart) -> Result<String, ChartError> {
    let canvas = layout(chart)?;
    let mut out = String::new();
    paint(
        &canvas,
        SVGBackend::with_string(&mut out, canvas.size()),
        true,
    )?;
    let title = match chart {
        Chart::Stacked(c) => &c.title,
        Chart::Bars(c) => &c.title,
    };
    let escaped = title
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    if let Some(at) = out.find(">\n") {
        out.insert_str(at + 2, &format!("<title>{escaped}</title>\n"));
    }
    Ok(out)
}

/// A chart laid out, in the units of its SVG (pixels): what a PDF draws natively, from the same
/// layout as the SVG and the PNG.
#[derive(Debug, Clone, PartialEq)]
pub struct Drawing {
    /// Width.
    pub width: f32,
    /// Height.
    pub height: f32,
    /// What to draw, in order.
    pub marks: Vec<Mark>,
}

/// One mark of a [`Drawing`]; colours as RGB.
#[derive(Debug, Clone, PartialEq)]
pub enum Mark {
    /// A filled rectangle.
    Rect {
        /// Left edge.
        left: f32,
        /// Top edge.
        top: f32,
        /// Right edge.
        right: f32,
        /// Bottom edge.
        bottom: f32,
        /// Fill.
        colour: [u8; 3],
    },
    /// A line one unit wide (the white hatch of "weiß nicht").
    Line {
        /// Start.
        from: (f32, f32),
        /// End.
        to: (f32, f32),
        /// Colour.
        colour: [u8; 3],
    },
    /// A line of text in DejaVu Sans, its alignment already resolved.
    Text {
        /// Left end of the text.
        left: f32,
        /// Baseline.
        baseline: f32,
        /// Size (em).
        size: f32,
        /// Bold.
        bold: bool,
        /// Colour.
        colour: [u8; 3],
        /// The text.
        text: String,
    },
}

/// The chart laid out as marks (see [`Drawing`]).
pub fn drawing(chart: &Chart) -> Result<Drawing, ChartError> {
    let canvas = layout(chart)?;
    let (width, height) = canvas.size();
    let rgb = |c: &RGBColor| [c.0, c.1, c.2];
    let marks = canvas
        .shapes
        .iter()
        .map(|shape| match shape {
            Shape::Rect([x0, y0, x1, y1], colour) => Mark::Rect {
                left: *x0 as f32,
                top: *y0 as f32,
                right: *x1 as f32,
                bottom: *y1 as f32,
                colour: rgb(colour),
            },
            Shape::Line((x0, y0), (x1, y1)) => Mark::Line {
                from: (*x0 as f32, *y0 as f32),
                to: (*x1 as f32, *y1 as f32),
                colour: rgb(&WHITE),
            },
            Shape::Text((x, y), text, font, colour, align) => {
                let shift = match align {
                    HPos::Left => 0.0,
                    HPos::Center => font.advance(canvas.fonts, text) / 2.0,
                    HPos::Right => font.advance(canvas.fonts, text),
                };
                Mark::Text {
                    left: *x as f32 - shift,
                    baseline: *y as f32 + HALF_EX * font.0,
                    size: font.0,
                    bold: font.1,
                    colour: rgb(colour),
                    text: text.clone(),
                }
            }
        })
        .collect();
    Ok(Drawing {
        width: width as f32,
        height: height as f32,
        marks,
    })
}

/// The chart as PNG bytes (same drawing, rendered with the shipped font).
///
/// plotters draws the shapes; the text is rasterised here with ab_glyph, because plotters' own
/// ab_glyph text drops each glyph's side bearing and rounds baselines per glyph (uneven letters).
pub fn png(chart: &Chart) -> Result<Vec<u8>, ChartError> {
    let canvas = layout(chart)?;
    let (width, height) = canvas.size();
    let mut pixels = vec![255; width as usize * height as usize * 3];
    paint(
        &canvas,
        BitMapBackend::with_buffer(&mut pixels, (width, height)),
        false,
    )?;
    canvas.rasterize_text(&mut pixels);
    let mut out = Vec::with_capacity(pixels.len() / 8);
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    // Fast deflate: ~3 ms for a 22-row chart; Default halves the size but takes ~19 ms.
    encoder.set_compression(png::Compression::Fast);
    encoder.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&pixels)?;
    writer.finish()?;
    Ok(out)
}

// --- Fonts, colours, sizes ---------------------------------------------------------------------

/// The SVG `font-family`; the PNG always uses the shipped DejaVu Sans.
const FAMILY: &str = "DejaVu Sans, Verdana, sans-serif";
const WIDTH: i32 = 900;
const MARGIN: i32 = 16;
const TITLE: Font = Font(16.0, true);
const TEXT: Font = Font(14.0, false);
const SMALL: Font = Font(12.0, false);
const ROW_HEIGHT: i32 = 26;
const BAR_HEIGHT: i32 = 20;
const LINE_HEIGHT: i32 = 18;
const MAX_LABEL_WIDTH: i32 = 360;
/// Half DejaVu's x-height (1120/2048 em): SVG centres text on `y` with `dy="0.5ex"`, so does the PNG.
const HALF_EX: f32 = 0.2734;

const INK: RGBColor = rgb(0x1a1a1a);
const MUTED: RGBColor = rgb(0x595959);
const RULE: RGBColor = rgb(0x767676);
const GRID: RGBColor = rgb(0xdddddd);
const BLACK: RGBColor = rgb(0x000000);
/// Blue and orange ramps, light to dark, in steps of 1.5:1 luminance contrast (OKLCH hues 250 and
/// 55, equal luminance per step): three steps apart give 3.4:1.
const BLUE: [u32; 7] = [
    0xd3e7fc, 0x86c1fc, 0x549de5, 0x337ec3, 0x0e61a4, 0x064679, 0x032a4b,
];
const ORANGE: [u32; 7] = [
    0xfedfca, 0xfda96d, 0xdd823b, 0xbb6212, 0x934b04, 0x6c3604, 0x431f00,
];
/// Purple and green ramps for decrease and increase, and teal for low to high: the same
/// luminance per step as the blue one (OKLCH hues 315, 150 and 195, computed to match).
const PURPLE: [u32; 7] = [
    0xf3ddfe, 0xe3a4ff, 0xbe81d9, 0x9e62b8, 0x814699, 0x642a7b, 0x46055c,
];
const GREEN: [u32; 7] = [
    0xd6f5dc, 0x6fd086, 0x49ab64, 0x238c47, 0x046e30, 0x025021, 0x013011,
];
const TEAL: [u32; 7] = [
    0xd0f0f0, 0x5fcdcc, 0x35a8a8, 0x078889, 0x046a6a, 0x024d4d, 0x012e2e,
];
/// Unordered options: the Okabe–Ito palette, told apart by colour-blind readers too.
const QUALITATIVE: [u32; 8] = [
    0x0072b2, 0xe69f00, 0x009e73, 0xcc79a7, 0x56b4e9, 0xd55e00, 0xf0e442, 0x000000,
];
/// Centre of an odd-length scale ("teils/teils"), as light as the lightest ramp step.
const NEUTRAL: RGBColor = rgb(0xe5e5e5);
/// Missing categories: greys under a white hatch.
const MISSING: [RGBColor; 2] = [rgb(0x959595), rgb(0xc4c4c4)];

const fn rgb(hex: u32) -> RGBColor {
    RGBColor((hex >> 16) as u8, (hex >> 8) as u8, hex as u8)
}

/// DejaVu Sans regular and bold.
pub(super) type Fonts = [FontRef<'static>; 2];

/// DejaVu Sans, built into the binary: the charts' font and the PDF report's.
pub const REGULAR_FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// DejaVu Sans Bold.
pub const BOLD_FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// The fonts, parsed once per process from the bytes built into the binary.
pub(super) fn fonts() -> Result<&'static Fonts, ChartError> {
    static FONTS: OnceLock<Result<Fonts, &'static str>> = OnceLock::new();
    let parse = |bytes: &'static [u8], name| FontRef::try_from_slice(bytes).map_err(|_| name);
    let fonts = FONTS.get_or_init(|| {
        Ok([
            parse(REGULAR_FONT, "DejaVuSans.ttf")?,
            parse(BOLD_FONT, "DejaVuSans-Bold.ttf")?,
        ])
    });
    fonts.as_ref().map_err(|name| ChartError::Font(name))
}

/// A text size in pixels per em (SVG's `font-size`), and whether it is bold.
#[derive(Clone, Copy)]
struct Font(f32, bool);

impl Font {
    fn face(self, fonts: &Fonts) -> PxScaleFont<&FontRef<'static>> {
        let face = &fonts[usize::from(self.1)];
        let per_em = face
            .units_per_em()
            .map_or(1.0, |upm| face.height_unscaled() / upm);
        face.as_scaled(self.0 * per_em)
    }

    /// Advance width of `text` in pixels, with kerning.
    fn advance(self, fonts: &Fonts, text: &str) -> f32 {
        let face = self.face(fonts);
        let mut previous = None;
        let mut width = 0.0;
        for id in text.chars().map(|c| face.glyph_id(c)) {
            width += face.h_advance(id) + previous.map_or(0.0, |p| face.kern(p, id));
            previous = Some(id);
        }
        width
    }

    /// The plotters style for the SVG backend, which writes `font-size` as size / 1.24 (the em sizes
    /// above survive that round trip exactly; 13 would come out as "13.000000000000002").
    fn style(self, color: &RGBColor, align: HPos) -> TextStyle<'_> {
        let size = f64::from(self.0) * 1.24;
        let weight = if self.1 {
            FontStyle::Bold
        } else {
            FontStyle::Normal
        };
        TextStyle::from(FontDesc::new(FontFamily::Name(FAMILY), size, weight))
            .color(color)
            .pos(Pos::new(align, VPos::Center))
    }
}

/// Colour of the `i`-th of `k` categories (those that are not missing) under `palette`.
///
/// Ordered scales diverge from the neutral option (grey; without one declared, the middle option
/// of an odd scale): each side takes the hue of what its end means, from a middle step next to the
/// centre to the darkest at the end, so neighbours differ in lightness and "sehr gut" is the same
/// navy in every chart. Low-to-high scales run along one ramp, light to dark.
fn scale_color(palette: Palette, i: usize, k: usize) -> RGBColor {
    let (direction, neutral) = match palette {
        Palette::Nominal => return rgb(QUALITATIVE[i % QUALITATIVE.len()]),
        Palette::Ordered { direction, neutral } => (direction, neutral),
    };
    let ramp = |first: bool| -> &'static [u32; 7] {
        match (direction, first) {
            (Direction::PositiveNegative, true) | (Direction::NegativePositive, false) => &BLUE,
            (Direction::PositiveNegative, false) | (Direction::NegativePositive, true) => &ORANGE,
            (Direction::DecreaseIncrease, true) | (Direction::IncreaseDecrease, false) => &PURPLE,
            (Direction::DecreaseIncrease, false) | (Direction::IncreaseDecrease, true) => &GREEN,
            (Direction::LowHigh | Direction::HighLow, _) => &TEAL,
        }
    };
    match direction {
        Direction::LowHigh | Direction::HighLow => {
            let position = if direction == Direction::LowHigh {
                i
            } else {
                k - 1 - i
            };
            let step = 1 + (position * 5).checked_div(k - 1).unwrap_or(2);
            return rgb(TEAL[step]);
        }
        _ => {}
    }
    let centre = neutral.filter(|&n| n < k).or((k % 2 == 1).then_some(k / 2));
    if centre == Some(i) {
        return NEUTRAL;
    }
    // The two sides: before the centre (or the first half) and after it.
    let (first, side, distance) = match centre {
        Some(c) if i < c => (true, c, c - i),
        Some(c) => (false, k - 1 - c, i - c),
        None if i < k / 2 => (true, k / 2, k / 2 - i),
        None => (false, k - k / 2, i + 1 - k / 2),
    };
    // One option on a side: step 5 beside a neutral one; a two-option scale dark against light
    // (so it reads in greyscale too); two: 3 and 6; more: from 2 next to the centre to 6 at the
    // end.
    let step = match (side, centre) {
        (0 | 1, Some(_)) => 5,
        (0 | 1, None) if first => 6,
        (0 | 1, None) => 1,
        (2, _) => 3 * distance,
        _ => 2 + (distance - 1) * 4 / (side - 1),
    };
    rgb(ramp(first)[step])
}

/// Relative luminance (WCAG 2) of a colour.
fn luminance(c: RGBColor) -> f64 {
    let linear = |v: u8| match f64::from(v) / 255.0 {
        v if v <= 0.04045 => v / 12.92,
        v => ((v + 0.055) / 1.055).powf(2.4),
    };
    0.2126 * linear(c.0) + 0.7152 * linear(c.1) + 0.0722 * linear(c.2)
}

/// Black or white, whichever contrasts more with `fill` (at least 4.58:1 for any colour).
fn text_on(fill: RGBColor) -> RGBColor {
    let l = luminance(fill);
    if (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) {
        BLACK
    } else {
        WHITE
    }
}

fn percent_text(value: f64) -> String {
    format!("{} %", value.round() as i64)
}

// --- Layout: the chart as shapes in pixel coordinates --------------------------------------------

enum Shape {
    /// A filled rectangle: left, top, right, bottom (right and bottom exclusive).
    Rect([i32; 4], RGBColor),
    /// A thin white line (hatching).
    Line((i32, i32), (i32, i32)),
    /// Text anchored at a point, vertically centred on it.
    Text((i32, i32), String, Font, RGBColor, HPos),
}

#[derive(Clone, Copy)]
enum Fill {
    Solid(RGBColor),
    Hatched(RGBColor),
}

/// The shapes of one chart, its height, and the columns of the bar rows (label column, plot area
/// from `x0` to `x1`); the width is always [`WIDTH`].
struct Canvas {
    fonts: &'static Fonts,
    shapes: Vec<Shape>,
    height: i32,
    label_width: i32,
    x0: i32,
    x1: i32,
}

impl Canvas {
    fn size(&self) -> (u32, u32) {
        (WIDTH.unsigned_abs(), self.height.unsigned_abs())
    }

    /// Width of `text` in whole pixels, rounded up.
    fn width(&self, font: Font, text: &str) -> i32 {
        font.advance(self.fonts, text).ceil() as i32
    }

    /// The x of `percent` in the plot area.
    fn x(&self, percent: f64) -> i32 {
        let share = percent.clamp(0.0, 100.0) / 100.0;
        self.x0 + (share * f64::from(self.x1 - self.x0)).round() as i32
    }

    fn rect(&mut self, x0: i32, y0: i32, x1: i32, y1: i32, color: RGBColor) {
        self.shapes.push(Shape::Rect([x0, y0, x1, y1], color));
    }

    fn text(&mut self, (x, y): (i32, i32), text: &str, font: Font, color: RGBColor, align: HPos) {
        // One pixel down: `dy="0.5ex"` centres the x-height, which leaves digits and capitals high.
        let shape = Shape::Text((x, y + 1), text.to_owned(), font, color, align);
        self.shapes.push(shape);
    }

    /// A rectangle in `fill`; hatched fills get white diagonal lines every 6 px.
    fn fill(&mut self, [x0, y0, x1, y1]: [i32; 4], fill: Fill) {
        let (Fill::Solid(color) | Fill::Hatched(color)) = fill;
        self.rect(x0, y0, x1, y1, color);
        if let Fill::Hatched(_) = fill {
            for c in ((x0 + y0 + 3)..(x1 + y1 - 1)).step_by(6) {
                let (xa, xb) = ((c - (y1 - 1)).max(x0), (c - y0).min(x1 - 1));
                if xa < xb {
                    self.shapes.push(Shape::Line((xa, c - xa), (xb, c - xb)));
                }
            }
        }
    }

    /// Greedy word wrap by measured width; a word wider than a line is broken between characters.
    fn wrap(&self, text: &str, font: Font, max_width: i32) -> Vec<String> {
        let (mut lines, mut line) = (Vec::new(), String::new());
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if self.width(font, &candidate) <= max_width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            for c in word.chars() {
                line.push(c);
                if self.width(font, &line) > max_width && line.chars().count() > 1 {
                    line.pop();
                    lines.push(std::mem::replace(&mut line, c.to_string()));
                }
            }
        }
        if !line.is_empty() || lines.is_empty() {
            lines.push(line);
        }
        lines
    }

    /// `text` wrapped to the chart width, a line every `step` px from `y`; returns the y below it.
    fn paragraph(&mut self, text: &str, font: Font, color: RGBColor, y: i32, step: i32) -> i32 {
        let lines = self.wrap(text, font, WIDTH - 2 * MARGIN);
        for (i, line) in (0..).zip(&lines) {
            self.text(
                (MARGIN, y + step * i + step / 2),
                line,
                font,
                color,
                HPos::Left,
            );
        }
        y + step * lines.len() as i32
    }

    /// Title, subtitle, and "Keine Daten vorhanden." when there is nothing to draw; returns the y below.
    fn heading(&mut self, title: &str, subtitle: &str, empty: bool) -> i32 {
        let mut y = self.paragraph(title, TITLE, INK, MARGIN, 22);
        if !subtitle.is_empty() {
            y = self.paragraph(subtitle, TEXT, MUTED, y, 20);
        }
        if empty {
            y = self.paragraph("Keine Daten vorhanden.", TEXT, MUTED, y + 8, 20);
            self.height = y + 10 + MARGIN;
        }
        y + 10
    }

    /// The legend: a swatch and label per category in segment order, flowing onto further lines.
    fn legend(&mut self, entries: &[(&str, Fill)], mut y: i32) -> i32 {
        let (swatch, gap, spacing, step) = (16, 6, 20, 22);
        let mut x = MARGIN;
        for (label, fill) in entries {
            let lines = self.wrap(label, SMALL, WIDTH - 2 * MARGIN - swatch - gap);
            let text_width = lines
                .iter()
                .map(|l| self.width(SMALL, l))
                .max()
                .unwrap_or(0);
            let width = swatch + gap + text_width;
            if x > MARGIN && (x + width > WIDTH - MARGIN || lines.len() > 1) {
                (x, y) = (MARGIN, y + step);
            }
            let top = y + (step - swatch) / 2;
            self.rect(x, top, x + swatch, top + swatch, RULE);
            self.fill([x + 1, top + 1, x + swatch - 1, top + swatch - 1], *fill);
            for (i, line) in (0..).zip(&lines) {
                let at = (x + swatch + gap, y + step / 2 + LINE_HEIGHT * i);
                self.text(at, line, SMALL, INK, HPos::Left);
            }
            y += LINE_HEIGHT * (lines.len() as i32 - 1);
            x += width + spacing;
        }
        y + step
    }

    /// Sets the label column to the widest of `labels` (text, bold), capped, and the plot area
    /// after it, leaving `right` px after 100 %.
    fn columns<'a>(&mut self, labels: impl Iterator<Item = (&'a str, bool)>, right: i32) {
        let widest = labels
            .map(|(label, bold)| self.width(Font(TEXT.0, bold), label))
            .max();
        self.label_width = widest.unwrap_or(0).min(MAX_LABEL_WIDTH);
        (self.x0, self.x1) = (MARGIN + self.label_width + 10, WIDTH - MARGIN - right);
    }

    /// A row label right-aligned before the plot area, wrapped when too long; returns the row height.
    fn row_label(&mut self, label: &str, bold: bool, y: i32) -> i32 {
        let font = Font(TEXT.0, bold);
        let lines = self.wrap(label, font, self.label_width);
        let count = lines.len() as i32;
        let height = ROW_HEIGHT.max(LINE_HEIGHT * count + 8);
        for (i, line) in (0..).zip(&lines) {
            let at = (
                self.x0 - 10,
                y + height / 2 + LINE_HEIGHT * (2 * i - count + 1) / 2,
            );
            self.text(at, line, font, INK, HPos::Right);
        }
        height
    }

    /// The x axis at `y` with ticks at 0, 25, 50, 75 and 100 %; grid lines from `top` if `grid`.
    fn axis(&mut self, top: i32, y: i32, grid: bool) {
        let y = y + 4;
        self.rect(self.x0, y, self.x1 + 1, y + 1, RULE);
        for p in [0.0, 25.0, 50.0, 75.0, 100.0] {
            let x = self.x(p);
            if grid {
                self.shapes.insert(0, Shape::Rect([x, top, x + 1, y], GRID));
            }
            self.rect(x, y, x + 1, y + 6, RULE);
            self.text((x, y + 16), &percent_text(p), SMALL, INK, HPos::Center);
        }
        self.height = y + 26 + MARGIN;
    }

    /// One stacked bar from `y`: a segment per category in `order`, labelled with its percentage
    /// when the label fits, and a 2 px white gap between segments.
    fn stacked_bar(&mut self, shares: &[f64], order: &[usize], fills: &[Fill], y: i32) {
        let total: f64 = shares.iter().sum();
        let (mut cumulative, mut left) = (0.0, self.x0);
        for &i in order.iter().filter(|_| total > 0.0) {
            cumulative += shares[i];
            let right = self.x(cumulative / total * 100.0);
            let end = if right < self.x1 && right - left > 2 {
                right - 2
            } else {
                right
            };
            if end > left {
                self.fill([left, y, end, y + BAR_HEIGHT], fills[i]);
                let (text, Fill::Solid(color) | Fill::Hatched(color)) =
                    (percent_text(shares[i]), fills[i]);
                let (width, centre) = (self.width(SMALL, &text), (left + end) / 2);
                if width + 6 <= end - left {
                    if let Fill::Hatched(_) = fills[i] {
                        let [x0, x1] = [centre - width / 2 - 2, centre + width / 2 + 3];
                        self.rect(x0, y + 3, x1, y + BAR_HEIGHT - 3, color);
                    }
                    let at = (centre, y + BAR_HEIGHT / 2);
                    self.text(at, &text, SMALL, text_on(color), HPos::Center);
                }
            }
            left = right;
        }
    }

    /// Draws the text shapes into an RGB buffer of width [`WIDTH`], centred like the SVG's.
    fn rasterize_text(&self, pixels: &mut [u8]) {
        for shape in &self.shapes {
            let Shape::Text((x, y), text, font, color, align) = shape else {
                continue;
            };
            let face = font.face(self.fonts);
            let left = match align {
                HPos::Left => 0.0,
                HPos::Center => font.advance(self.fonts, text) / 2.0,
                HPos::Right => font.advance(self.fonts, text),
            };
            let mut caret = point(*x as f32 - left, (*y as f32 + HALF_EX * font.0).round());
            let mut previous = None;
            for id in text.chars().map(|c| face.glyph_id(c)) {
                caret.x += previous.map_or(0.0, |p| face.kern(p, id));
                previous = Some(id);
                let glyph = id.with_scale_and_position(face.scale(), caret);
                caret.x += face.h_advance(id);
                let Some(outline) = face.outline_glyph(glyph) else {
                    continue;
                };
                let min = outline.px_bounds().min;
                outline.draw(|gx, gy, coverage| {
                    let (px, py) = (min.x as i32 + gx as i32, min.y as i32 + gy as i32);
                    if !(0..WIDTH).contains(&px) || py < 0 {
                        return;
                    }
                    let at = (py as usize * WIDTH as usize + px as usize) * 3;
                    let Some(pixel) = pixels.get_mut(at..at + 3) else {
                        return;
                    };
                    for (channel, ink) in pixel.iter_mut().zip([color.0, color.1, color.2]) {
                        let mixed =
                            f32::from(*channel) * (1.0 - coverage) + f32::from(ink) * coverage;
                        *channel = mixed.round().clamp(0.0, 255.0) as u8;
                    }
                });
            }
        }
    }
}

fn layout(chart: &Chart) -> Result<Canvas, ChartError> {
    let fonts = fonts()?;
    let mut canvas = Canvas {
        fonts,
        shapes: Vec::new(),
        height: 0,
        label_width: 0,
        x0: 0,
        x1: 0,
    };
    match chart {
        Chart::Stacked(c) => layout_stacked(&mut canvas, c)?,
        Chart::Bars(c) => layout_bars(&mut canvas, c)?,
    }
    Ok(canvas)
}

/// Checks every shown row against the categories.
fn check_shares(chart: &StackedChart) -> Result<(), ChartError> {
    let expected = chart.categories.len();
    for (i, row) in chart.rows.iter().enumerate() {
        let Some(shares) = &row.shares else { continue };
        let problem = if shares.len() != expected {
            format!("{} shares for {expected} categories", shares.len())
        } else if shares.iter().any(|s| !s.is_finite() || *s < 0.0) {
            "a share is negative or not a number".to_owned()
        } else {
            continue;
        };
        return Err(ChartError::Row(i, row.label.clone(), problem));
    }
    Ok(())
}

fn layout_stacked(canvas: &mut Canvas, chart: &StackedChart) -> Result<(), ChartError> {
    let empty = chart.rows.is_empty() || chart.categories.is_empty();
    let mut y = canvas.heading(&chart.title, "", empty);
    if empty {
        return Ok(());
    }
    check_shares(chart)?;
    // Scale categories first, missing ones after them, in the legend and in the bars.
    let (scale, missing): (Vec<usize>, Vec<usize>) =
        (0..chart.categories.len()).partition(|&i| !chart.categories[i].missing);
    let mut fills = vec![Fill::Solid(NEUTRAL); chart.categories.len()];
    for (n, &i) in scale.iter().enumerate() {
        fills[i] = Fill::Solid(scale_color(chart.palette, n, scale.len()));
    }
    for (n, &i) in missing.iter().enumerate() {
        fills[i] = Fill::Hatched(MISSING[n % MISSING.len()]);
    }
    let order: Vec<usize> = scale.into_iter().chain(missing).collect();
    let entries: Vec<(&str, Fill)> = order
        .iter()
        .map(|&i| (chart.categories[i].label.as_str(), fills[i]))
        .collect();
    y = canvas.legend(&entries, y) + 6;

    let right = canvas.width(SMALL, "100 %") / 2 + 2;
    canvas.columns(
        chart.rows.iter().map(|r| (r.label.as_str(), r.emphasis)),
        right,
    );
    let top = y;
    for row in &chart.rows {
        if row.separator_above && y > top {
            canvas.rect(MARGIN, y + 4, canvas.x1, y + 5, RULE);
            y += 9;
        }
        let height = canvas.row_label(&row.label, row.emphasis, y);
        match &row.shares {
            Some(shares) => {
                canvas.stacked_bar(shares, &order, &fills, y + (height - BAR_HEIGHT) / 2);
            }
            None => {
                let at = (canvas.x0 + 6, y + height / 2);
                canvas.text(at, &row.note, SMALL, MUTED, HPos::Left);
            }
        }
        y += height;
    }
    canvas.axis(top, y, false);
    Ok(())
}

fn layout_bars(canvas: &mut Canvas, chart: &BarChart) -> Result<(), ChartError> {
    let y = canvas.heading(&chart.title, &chart.subtitle, chart.rows.is_empty());
    if let Some(i) = chart
        .rows
        .iter()
        .position(|r| !r.percent.is_finite() || r.percent < 0.0)
    {
        let problem = "the percentage is negative or not a number".to_owned();
        return Err(ChartError::Row(i, chart.rows[i].label.clone(), problem));
    }
    if chart.rows.is_empty() {
        return Ok(());
    }
    let right = canvas.width(SMALL, "100 %") + 8;
    canvas.columns(chart.rows.iter().map(|r| (r.label.as_str(), false)), right);
    let (top, mut y) = (y + 6, y + 6);
    for row in &chart.rows {
        let height = canvas.row_label(&row.label, false, y);
        let (bar_top, end) = (y + (height - BAR_HEIGHT) / 2, canvas.x(row.percent));
        canvas.rect(
            canvas.x0,
            bar_top,
            end.max(canvas.x0 + 1),
            bar_top + BAR_HEIGHT,
            rgb(BLUE[4]),
        );
        let at = (end + 6, y + height / 2);
        canvas.text(at, &percent_text(row.percent), SMALL, INK, HPos::Left);
        y += height;
    }
    canvas.axis(top, y, true);
    Ok(())
}

/// Draws the shapes with plotters; text only when `with_text` (the PNG rasterises its own).
fn paint<DB: DrawingBackend>(
    canvas: &Canvas,
    backend: DB,
    with_text: bool,
) -> Result<(), ChartError> {
    let area: DrawingArea<DB, Shift> = backend.into_drawing_area();
    let failed =
        |e: plotters::drawing::DrawingAreaErrorKind<DB::ErrorType>| ChartError::Draw(e.to_string());
    area.fill(&WHITE).map_err(failed)?;
    for shape in &canvas.shapes {
        match shape {
            Shape::Rect([x0, y0, x1, y1], color) => {
                area.draw(&Rectangle::new([(*x0, *y0), (*x1, *y1)], color.filled()))
                    .map_err(failed)?;
            }
            Shape::Line(from, to) => {
                area.draw(&PathElement::new([*from, *to], WHITE))
                    .map_err(failed)?;
            }
            Shape::Text(at, text, font, color, align) if with_text => {
                area.draw_text(text, &font.style(color, *align), *at)
                    .map_err(failed)?;
            }
            Shape::Text(..) => {}
        }
    }
    area.present().map_err(failed)
}

#[cfg(test)]
mod tests;
