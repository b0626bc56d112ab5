use super::*;

const LAENDER: [&str; 16] = [
    "Baden-Württemberg",
    "Bayern",
    "Berlin",
    "Brandenburg",
    "Hamburg",
    "Hessen",
    "Mecklenburg-Vorpommern",
    "Niedersachsen",
    "Nordrhein-Westfalen",
    "Rheinland-Pfalz",
    "Sachsen",
    "Sachsen-Anhalt",
    "Schleswig-Holstein",
    "Thüringen",
    "Bremen",
    "Saarland",
];

/// Six shares rounded to one decimal, so they sum to about, not exactly, 100.
fn shares(seed: usize) -> Vec<f64> {
    let weights: Vec<f64> = (0..6)
        .map(|i| ((seed * 7 + i * 13) % 17 + 2) as f64)
        .collect();
    let total: f64 = weights.iter().sum();
    weights
        .iter()
        .map(|w| (w / total * 1000.0).round() / 10.0)
        .collect()
}

fn row(label: &str, shares: Option<Vec<f64>>) -> ChartRow {
    let (label, note) = (label.to_owned(), "zu wenige Antworten".to_owned());
    ChartRow {
        label,
        shares,
        note,
        separator_above: false,
        emphasis: false,
    }
}

/// 16 Länder (Hamburg, Bremen, Saarland suppressed), "weitere Länder", the total, two groups.
fn laender_chart() -> StackedChart {
    let labels = [
        "trifft voll zu",
        "trifft eher zu",
        "teils/teils",
        "trifft eher nicht zu",
    ];
    let labels = labels
        .into_iter()
        .chain(["trifft gar nicht zu", "weiß nicht / keine Angabe"]);
    let categories = (0..).zip(labels).map(|(i, l)| Category {
        label: l.into(),
        missing: i == 5,
    });
    let mut rows: Vec<ChartRow> = (0..)
        .zip(LAENDER)
        .map(|(i, land)| match i {
            4 | 14 | 15 => row(land, None),
            _ => row(&format!("{land} (n = {})", 5 + i * 3), Some(shares(i))),
        })
        .collect();
    rows.push(row("weitere Länder: HB, SL (n = 7)", Some(shares(20))));
    let total = row("Deutschland gesamt (n = 130)", Some(shares(21)));
    rows.push(ChartRow {
        separator_above: true,
        emphasis: true,
        ..total
    });
    let group = row("Landesnetzwerk: ja (n = 40)", Some(shares(22)));
    rows.push(ChartRow {
        separator_above: true,
        ..group
    });
    rows.push(row("Landesnetzwerk: nein (n = 90)", Some(shares(23))));
    let title = "Wie zufrieden sind Sie mit der Unterstützung durch das Landesnetzwerk – \
                     Vernetzung mit Schulen und außerschulischen Lernorten?";
    StackedChart {
        title: title.into(),
        palette: Palette::Ordered {
            direction: Direction::PositiveNegative,
            neutral: Some(2),
        },
        categories: categories.collect(),
        rows,
    }
}

fn bar_chart() -> BarChart {
    let options = [
        ("Workshops für Lehrkräfte", 57.3),
        ("Schülerwettbewerbe", 41.5),
        ("Berufsorientierung in Unternehmen", 66.9),
        ("Sonstiges", 3.1),
        ("MINT-Tage an Hochschulen", 100.0),
    ];
    BarChart {
        title: "Welche Angebote macht Ihre MINT-Region?".into(),
        subtitle: "Deutschland gesamt, n = 130; Mehrfachnennungen".into(),
        rows: options
            .map(|(l, percent)| BarRow {
                label: l.into(),
                percent,
            })
            .into(),
    }
}

#[test]
fn stacked_chart_svg_matches_snapshot() {
    insta::assert_snapshot!(svg(&Chart::Stacked(laender_chart())).unwrap());
}

#[test]
fn bar_chart_svg_matches_snapshot() {
    insta::assert_snapshot!(svg(&Chart::Bars(bar_chart())).unwrap());
}

#[test]
fn svg_contains_umlauts_the_note_and_a_title() {
    let svg = svg(&Chart::Stacked(laender_chart())).unwrap();
    assert!(svg.contains("Thüringen (n = 44)"));
    assert!(svg.contains("zu wenige Antworten"));
    assert!(svg.contains("weiß nicht / keine Angabe"));
    assert!(svg.contains("<title>Wie zufrieden sind Sie"));
    for size in svg.split("font-size=\"").skip(1) {
        assert!(
            size.find('"').is_some_and(|end| end <= 5),
            "float noise: {size:.20}"
        );
    }
}

#[test]
fn same_chart_gives_identical_svg() {
    let chart = Chart::Stacked(laender_chart());
    assert_eq!(svg(&chart).unwrap(), svg(&chart).unwrap());
}

#[test]
fn png_has_the_signature_and_the_size_of_the_svg() {
    for chart in [Chart::Stacked(laender_chart()), Chart::Bars(bar_chart())] {
        let bytes = png(&chart).unwrap();
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
        let reader = png::Decoder::new(std::io::Cursor::new(&bytes))
            .read_info()
            .unwrap();
        let (width, height) = (reader.info().width, reader.info().height);
        assert_eq!((width, height), layout(&chart).unwrap().size());
        assert_eq!(width, 900);
        assert!(height > 200);
        let svg = svg(&chart).unwrap();
        assert!(svg.contains(&format!("width=\"900\" height=\"{height}\"")));
    }
}

#[test]
fn chart_grows_with_its_rows() {
    let tall = layout(&Chart::Stacked(laender_chart())).unwrap().height;
    let mut chart = laender_chart();
    chart.rows.truncate(3);
    let short = layout(&Chart::Stacked(chart)).unwrap().height;
    assert!(short + 14 * ROW_HEIGHT < tall);
}

#[test]
fn empty_charts_show_their_title_and_a_note() {
    let no_categories = StackedChart {
        categories: Vec::new(),
        ..laender_chart()
    };
    let no_rows = StackedChart {
        rows: Vec::new(),
        ..laender_chart()
    };
    let no_bars = BarChart {
        rows: Vec::new(),
        ..bar_chart()
    };
    for chart in [
        Chart::Stacked(no_categories),
        Chart::Stacked(no_rows),
        Chart::Bars(no_bars),
    ] {
        let svg = svg(&chart).unwrap();
        assert!(svg.contains("Keine Daten vorhanden."));
        assert!(png(&chart).unwrap().starts_with(b"\x89PNG"));
    }
}

#[test]
fn shares_that_do_not_sum_to_100_still_fill_the_bar() {
    let mut chart = laender_chart();
    let thirds = vec![33.3, 33.3, 33.3, 0.0, 0.0, 0.0];
    let fifths = vec![20.2, 20.2, 20.2, 20.2, 20.2, 0.0];
    chart.rows = vec![
        row("Berlin (n = 9)", Some(thirds)),
        row("Bayern (n = 5)", Some(fifths)),
    ];
    let canvas = layout(&Chart::Stacked(chart)).unwrap();
    let ends = canvas.shapes.iter().filter_map(|s| match s {
        Shape::Rect([_, y0, x1, y1], _) if y1 - y0 == BAR_HEIGHT => Some(*x1),
        _ => None,
    });
    assert_eq!(ends.filter(|x| *x == canvas.x1).count(), 2);
    let labels = canvas.shapes.iter().filter_map(|s| match s {
        Shape::Text(_, text, ..) if text.ends_with(" %") => Some(text.as_str()),
        _ => None,
    });
    let labels: Vec<&str> = labels.collect();
    assert_eq!(
        labels[..8],
        [
            "33 %", "33 %", "33 %", "20 %", "20 %", "20 %", "20 %", "20 %"
        ]
    );
}

#[test]
fn shares_that_do_not_fit_the_categories_are_an_error_naming_the_row() {
    let mut chart = laender_chart();
    chart.rows[1].shares = Some(vec![50.0, 50.0]);
    let err = svg(&Chart::Stacked(chart)).unwrap_err();
    assert!(matches!(err, ChartError::Row(1, _, _)));
    assert_eq!(
        err.to_string(),
        "chart row 1 (\"Bayern (n = 8)\"): 2 shares for 6 categories"
    );
    let mut bars = bar_chart();
    bars.rows[0].percent = f64::NAN;
    assert!(matches!(
        png(&Chart::Bars(bars)),
        Err(ChartError::Row(0, _, _))
    ));
}

#[test]
fn missing_categories_come_last_in_legend_and_bar() {
    let mut chart = laender_chart();
    chart.categories.rotate_right(1);
    for row in &mut chart.rows {
        if let Some(shares) = &mut row.shares {
            shares.rotate_right(1);
        }
    }
    let moved = svg(&Chart::Stacked(chart)).unwrap();
    assert_eq!(moved, svg(&Chart::Stacked(laender_chart())).unwrap());
}

#[test]
fn the_same_meaning_has_the_same_colour_whichever_way_a_scale_runs() {
    let forward = Palette::Ordered {
        direction: Direction::PositiveNegative,
        neutral: Some(2),
    };
    let backward = Palette::Ordered {
        direction: Direction::NegativePositive,
        neutral: Some(2),
    };
    // "sehr gut" first in one scale, last in the other: navy in both; "sehr schlecht" the darkest
    // orange in both; the neutral middle grey.
    assert_eq!(scale_color(forward, 0, 5), rgb(BLUE[6]));
    assert_eq!(scale_color(backward, 4, 5), rgb(BLUE[6]));
    assert_eq!(scale_color(forward, 4, 5), rgb(ORANGE[6]));
    assert_eq!(scale_color(backward, 0, 5), rgb(ORANGE[6]));
    assert_eq!(scale_color(forward, 2, 5), NEUTRAL);
    // A decrease is never coloured like "gut" or "schlecht".
    let change = Palette::Ordered {
        direction: Direction::DecreaseIncrease,
        neutral: Some(2),
    };
    let colours: Vec<RGBColor> = (0..5).map(|i| scale_color(change, i, 5)).collect();
    assert_eq!(colours[0], rgb(PURPLE[6]));
    assert_eq!(colours[4], rgb(GREEN[6]));
    assert!(
        !colours
            .iter()
            .any(|c| BLUE.iter().chain(&ORANGE).any(|b| rgb(*b) == *c))
    );
    // Unordered options cycle through the qualitative palette.
    assert_eq!(scale_color(Palette::Nominal, 1, 3), rgb(QUALITATIVE[1]));
}

#[test]
fn text_and_neighbouring_segments_have_enough_contrast() {
    let contrast = |a: RGBColor, b: RGBColor| {
        let (a, b) = (luminance(a), luminance(b));
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    };
    let ramps = [BLUE, ORANGE, PURPLE, GREEN, TEAL].into_iter().flatten();
    let fills = ramps.chain(QUALITATIVE).map(rgb);
    for fill in fills.chain(MISSING).chain([NEUTRAL]) {
        assert!(contrast(fill, text_on(fill)) >= 4.5);
    }
    let diverging = [
        Direction::PositiveNegative,
        Direction::NegativePositive,
        Direction::DecreaseIncrease,
        Direction::IncreaseDecrease,
    ];
    for direction in diverging {
        for k in [2, 3, 5] {
            let neutral = (k % 2 == 1).then_some(k / 2);
            let palette = Palette::Ordered { direction, neutral };
            for i in 1..k {
                let (a, b) = (scale_color(palette, i - 1, k), scale_color(palette, i, k));
                assert!(contrast(a, b) >= 3.0, "{direction:?}: {i} of {k}");
            }
        }
    }
    for text in [INK, MUTED, RULE] {
        assert!(contrast(text, WHITE) >= 4.5);
    }
}
