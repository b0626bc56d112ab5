//! The progress chart of a wave: submissions per day as bars, with the days the invitations and
//! reminders went out marked, as a standalone SVG. Pure: days and counts in, SVG text out; drawn
//! with plotters' SVG backend from primitives (like `chart.rs`, no chart builder: the text needs no
//! font metrics then, and the output is deterministic).

use chrono::NaiveDate;
use plotters::prelude::{
    Color, FontDesc, FontFamily, FontStyle, IntoDrawingArea, PathElement, RGBColor, Rectangle,
    SVGBackend, TextStyle,
};
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// What the chart shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    /// Read by screen readers (`<title>`); the page shows the same numbers as a table.
    pub title: String,
    /// Submissions per day, oldest first.
    pub days: Vec<(NaiveDate, i64)>,
    /// Marked days with their label ("Einladung", "1. Erinnerung").
    pub marks: Vec<(NaiveDate, String)>,
    /// The last day drawn (today, or the wave's end), so a quiet stretch shows as one.
    pub until: NaiveDate,
}

const WIDTH: i32 = 900;
const HEIGHT: i32 = 300;
const LEFT: i32 = 56;
const RIGHT: i32 = 16;
const TOP: i32 = 44;
const BOTTOM: i32 = 40;
const FAMILY: &str = "DejaVu Sans, Verdana, sans-serif";
const INK: RGBColor = RGBColor(0x1a, 0x1a, 0x1a);
const GRID: RGBColor = RGBColor(0xdd, 0xdd, 0xdd);
const BAR: RGBColor = RGBColor(0x0e, 0x61, 0xa4);
const MARK: RGBColor = RGBColor(0xbb, 0x62, 0x12);

fn style(size: f64, color: &RGBColor, align: HPos) -> TextStyle<'_> {
    TextStyle::from(FontDesc::new(
        FontFamily::Name(FAMILY),
        size * 1.24,
        FontStyle::Normal,
    ))
    .color(color)
    .pos(Pos::new(align, VPos::Center))
}

/// A round step for the value axis: 1, 2, 5, 10, 20, 50, …
fn step_for(max: i64) -> i64 {
    let mut step = 1;
    while max / step > 5 {
        step = match step.to_string().as_bytes()[0] {
            b'1' => step * 2,
            b'2' => step / 2 * 5,
            _ => step * 2,
        };
    }
    step
}

/// The chart as an SVG document, 900 × 300 px.
pub fn svg(timeline: &Timeline) -> Result<String, String> {
    let first = timeline
        .days
        .iter()
        .map(|(d, _)| *d)
        .chain(timeline.marks.iter().map(|(d, _)| *d))
        .min()
        .unwrap_or(timeline.until);
    // At least two weeks, so that a single day is a bar, not the whole width.
    let last = timeline.until.max(first + chrono::Duration::days(13));
    let span = i32::try_from((last - first).num_days() + 1).unwrap_or(1);
    let max = timeline
        .days
        .iter()
        .map(|(_, n)| *n)
        .max()
        .unwrap_or(0)
        .max(1);
    let step = step_for(max);
    let top_value = (max + step - 1) / step * step;
    let (x0, x1, y0, y1) = (LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM);
    let day_width = f64::from(x1 - x0) / f64::from(span);
    let x_of = |day: NaiveDate| {
        let offset = (day - first).num_days() as f64;
        x0 + (offset * day_width).round() as i32
    };
    let y_of = |value: i64| y1 - ((value as f64 / top_value as f64) * f64::from(y1 - y0)) as i32;
    let mut out = String::new();
    {
        let root =
            SVGBackend::with_string(&mut out, (WIDTH as u32, HEIGHT as u32)).into_drawing_area();
        let err = |e: plotters::drawing::DrawingAreaErrorKind<_>| e.to_string();
        root.fill(&plotters::style::WHITE).map_err(err)?;
        let mut value = 0;
        while value <= top_value {
            let y = y_of(value);
            root.draw(&PathElement::new(vec![(x0, y), (x1, y)], GRID))
                .map_err(err)?;
            root.draw_text(
                &value.to_string(),
                &style(12.0, &INK, HPos::Right),
                (x0 - 6, y),
            )
            .map_err(err)?;
            value += step;
        }
        for (day, n) in &timeline.days {
            let left = x_of(*day) + 1;
            let right = (x_of(*day) + day_width as i32 - 1).max(left + 1);
            root.draw(&Rectangle::new(
                [(left, y_of(*n)), (right, y1)],
                BAR.filled(),
            ))
            .map_err(err)?;
        }
        for (i, (day, label)) in timeline.marks.iter().enumerate() {
            let x = x_of(*day) + (day_width / 2.0) as i32;
            root.draw(&PathElement::new(
                vec![(x, y0 - 4), (x, y1)],
                MARK.stroke_width(2),
            ))
            .map_err(err)?;
            // Labels alternate between two lines so that marks a few days apart stay readable.
            let y = 12 + 16 * (i as i32 % 2);
            let text = format!("{label} ({})", day.format("%d.%m."));
            root.draw_text(&text, &style(12.0, &MARK, HPos::Left), (x + 3, y))
                .map_err(err)?;
        }
        root.draw(&PathElement::new(vec![(x0, y1), (x1, y1)], INK))
            .map_err(err)?;
        let every = (span / 8).max(1);
        let mut offset = 0;
        while offset < span {
            let day = first + chrono::Duration::days(i64::from(offset));
            let x = x_of(day) + (day_width / 2.0) as i32;
            let label = day.format("%d.%m.").to_string();
            root.draw_text(&label, &style(12.0, &INK, HPos::Center), (x, y1 + 16))
                .map_err(err)?;
            offset += every;
        }
        root.present().map_err(|e| e.to_string())?;
    }
    let title = timeline
        .title
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    if let Some(at) = out.find(">\n") {
        out.insert_str(at + 2, &format!("<title>{title}</title>\n"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2020, 5, d).unwrap()
    }

    #[test]
    fn value_steps_are_round() {
        assert_eq!(step_for(1), 1);
        assert_eq!(step_for(9), 2);
        assert_eq!(step_for(24), 5);
        assert_eq!(step_for(45), 10);
        assert_eq!(step_for(180), 50);
    }

    #[test]
    fn the_chart_has_a_bar_per_day_with_answers_and_a_labelled_line_per_mailing() {
        let timeline = Timeline {
            title: "Abgeschickte Antworten je Tag <Frühjahr>".to_owned(),
            days: vec![(day(4), 12), (day(5), 3), (day(12), 7)],
            marks: vec![
                (day(4), "Einladung".to_owned()),
                (day(11), "1. Erinnerung".to_owned()),
            ],
            until: day(20),
        };
        let svg = svg(&timeline).unwrap();
        assert!(svg.contains("<title>Abgeschickte Antworten je Tag &lt;Frühjahr&gt;</title>"));
        assert_eq!(
            svg.matches("<rect").count(),
            1 + 3,
            "background and three bars"
        );
        assert!(svg.contains("Einladung (04.05.)") && svg.contains("1. Erinnerung (11.05.)"));
        assert!(svg.contains(">20.05.<") || svg.contains("20.05."), "{svg}");
        assert_eq!(svg, super::svg(&timeline).unwrap(), "deterministic");
    }
}
