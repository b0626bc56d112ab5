//! Golden tests: a small fixed data set whose expected figures are worked out by hand below.

use super::build::build;
use super::figures::{Figures, Stratum, Value};
use super::{WaveInfo, csv, files, tables};
use crate::survey::{Format, Survey, parse_definition};

mod excel;

const SURVEY: &str = r#"
id = "probe"
title = "Probe"
[attributes.landesnetzwerk]
label = "Landesnetzwerk"
values = ["ja", "nein"]
[[pages]]
id = "p1"
title = "Seite 1"
[[pages.questions]]
id = "lage"
type = "single"
text = "Wie ist die Lage?"
required = true
direction = "positive-negative"
options = [
  { code = "gut", label = "gut", value = 1 },
  { code = "schlecht", label = "schlecht", value = 2 },
  { code = "99", label = "weiß nicht", missing = true },
]
[[pages.questions]]
id = "werkzeuge"
type = "multiple"
text = "Welche Werkzeuge?"
options = [
  { code = "video", label = "Video" },
  { code = "sonstiges", label = "Sonstiges", other = true },
]
[[pages.questions]]
id = "personen"
type = "number"
text = "Wie viele Personen?"
min = 0
max = 100
[[pages]]
id = "p2"
title = "Seite 2"
[[pages.questions]]
id = "hilfe"
type = "long_text"
text = "Was hilft?"
max_length = 500
show_if = { question = "lage", any_of = ["schlecht"] }
"#;

fn survey() -> Survey {
    parse_definition("probe.toml", SURVEY.as_bytes(), Format::Toml).unwrap()
}

fn stratum(land: &str, network: &str) -> Stratum {
    Stratum {
        land: land.to_owned(),
        attributes: vec![Some(network.to_owned())],
    }
}

/// Bayern 10 responses (6 in a Landesnetzwerk), Nordrhein-Westfalen 6, Bremen 2, Saarland 1.
fn figures() -> Figures {
    let mut f = Figures::default();
    let strata = [
        ("DE-BY", "ja", 6, [2, 3, 1], 3),
        ("DE-BY", "nein", 4, [2, 2, 0], 2),
        ("DE-NW", "nein", 6, [1, 4, 1], 4),
        ("DE-HB", "ja", 2, [2, 0, 0], 0),
        ("DE-SL", "nein", 1, [0, 0, 1], 0),
    ];
    for (land, network, n, lage, schlecht) in strata {
        let s = stratum(land, network);
        f.add_shown(&s, ["lage", "werkzeuge", "personen"], n);
        if schlecht > 0 {
            *f.shown.entry(("hilfe".into(), s.clone())).or_default() += schlecht;
        }
        for (code, count) in ["gut", "schlecht", "99"].into_iter().zip(lage) {
            if count > 0 {
                f.counts.insert(
                    ("lage".into(), String::new(), code.into(), s.clone()),
                    count,
                );
            }
        }
    }
    let mut tick = |land, network, code: &str, count| {
        let key = (
            "werkzeuge".into(),
            String::new(),
            code.to_owned(),
            stratum(land, network),
        );
        f.counts.insert(key, count);
    };
    tick("DE-BY", "ja", "video", 5);
    tick("DE-BY", "nein", "video", 3);
    tick("DE-BY", "ja", "sonstiges", 2);
    tick("DE-NW", "nein", "video", 3);
    tick("DE-HB", "ja", "video", 1);
    let mut number = |land, network, values: &[(f64, u64)]| {
        let d = values.iter().map(|&(v, c)| (Value(v), c)).collect();
        f.numbers
            .insert(("personen".into(), stratum(land, network)), d);
    };
    number("DE-BY", "ja", &[(3.0, 2), (5.0, 3)]);
    number("DE-NW", "nein", &[(10.0, 1)]);
    number("DE-HB", "ja", &[(2.0, 2)]);
    f.texts
        .insert("hilfe".into(), vec!["Geld".into(), "Zeit".into()]);
    f.texts.insert(
        "werkzeuge".into(),
        vec!["=HYPERLINK(\"http://x\")".into(), "Padlet".into()],
    );
    f
}

fn report() -> super::Report {
    let wave = WaveInfo {
        slug: "probe".into(),
        title: "Probe 2020".into(),
        survey_title: "Probe".into(),
        period: String::new(),
        threshold: 5,
    };
    build(&survey(), wave, &figures())
}

fn lines(sheet: &tables::Sheet) -> Vec<String> {
    String::from_utf8(csv::to_csv(sheet, csv::Dialect::Tidy).unwrap())
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_wave_without_personal_invitations_has_no_response_rates() {
    let report = report();
    assert!(report.rates.is_empty());
    assert!(tables::rates(&report).is_none());
}

#[test]
fn per_land_counts_show_large_groups_and_pool_the_small_ones() {
    let rows = lines(&tables::per_land(&report()));
    let q = "probe,lage,Wie ist die Lage?,,";
    // Bayern: gut 2 + 2 = 4 of 10.
    assert!(rows.contains(&format!("{q},gut,gut,DE-BY,Bayern,10,4,40.0,")));
    // Bremen (2) and Saarland (1) are too small; with them alone the pool would be 3 < 5 and
    // readable as total − Bayern − NRW, so NRW (6, the smallest shown) joins: pool 2 + 1 + 6 = 9,
    // gut 2 (HB) + 1 (NW) = 3 → 33.3 %.
    assert!(rows.contains(&format!(
        "{q},gut,gut,DE-HB,Bremen,.,.,.,zu wenige Antworten"
    )));
    assert!(rows.contains(&format!(
        "{q},gut,gut,DE-NW,Nordrhein-Westfalen,.,.,.,\"ausgeblendet, damit kleine Gruppen geschützt bleiben\""
    )));
    assert!(rows.contains(&format!("{q},gut,gut,weitere,weitere Länder,9,3,33.3,")));
    // Everyone: 19 responses, gut 7 (36.8 %), schlecht 3 + 2 + 4 = 9 (47.4 %), weiß nicht 3.
    assert!(rows.contains(&format!("{q},gut,gut,DE,Deutschland gesamt,19,7,36.8,")));
    assert!(rows.contains(&format!(
        "{q},schlecht,schlecht,DE,Deutschland gesamt,19,9,47.4,"
    )));
    assert!(rows.contains(&format!(
        "{q},99,weiß nicht,DE,Deutschland gesamt,19,3,15.8,"
    )));
    // Multiple choice: percent of respondents; video 5 + 3 + 3 + 1 = 12 of 19.
    let m = "probe,werkzeuge,Welche Werkzeuge?,,";
    assert!(rows.contains(&format!(
        "{m},video,Video,DE,Deutschland gesamt,19,12,63.2,"
    )));
    assert!(rows.contains(&format!("{m},video,Video,DE-BY,Bayern,10,8,80.0,")));
    // 16 Länder + pool + total, per option: 3 + 2 options.
    assert_eq!(rows.len(), 1 + 18 * 5);
}

#[test]
fn the_attribute_breakdown_shows_both_groups_when_both_are_large_enough() {
    let rows = lines(&tables::per_attribute(&report()));
    let q = "probe,lage,Wie ist die Lage?,,";
    // ja: BY 6 + HB 2 = 8, gut 2 + 2 = 4; nein: BY 4 + NW 6 + SL 1 = 11, gut 2 + 1 = 3 (27.3 %).
    assert!(rows.contains(&format!(
        "{q},gut,gut,landesnetzwerk,ja,Landesnetzwerk: ja,8,4,50.0,"
    )));
    assert!(rows.contains(&format!(
        "{q},gut,gut,landesnetzwerk,nein,Landesnetzwerk: nein,11,3,27.3,"
    )));
}

#[test]
fn means_leave_out_dont_know_and_follow_the_same_suppression() {
    let rows = lines(&tables::numeric(&report()));
    let q = "probe,lage,Wie ist die Lage?,,";
    // Bayern: 4 × 1 + 5 × 2 = 14 over 9 → 1.56; median of 1,1,1,1,2,2,2,2,2 is 2.
    assert!(rows.contains(&format!(
        "{q},DE-BY,Bayern,9,1.56,2.00,1.00,2.00,,1 = gut … 2 = schlecht"
    )));
    // Pool: gut 3, schlecht 4 (NW) → 11 / 7 = 1.57.
    assert!(rows.contains(&format!(
        "{q},weitere,weitere Länder,7,1.57,2.00,1.00,2.00,,1 = gut … 2 = schlecht"
    )));
    // All: 7 × 1 + 9 × 2 = 25 over 16 → 1.5625.
    assert!(rows.contains(&format!(
        "{q},DE,Deutschland gesamt,16,1.56,2.00,1.00,2.00,,1 = gut … 2 = schlecht"
    )));
    // Numbers: Bayern 5 values, NRW 1, Bremen 2. NRW and Bremen are too small; the pool of 3
    // takes in Bayern, so only the pool (everyone) shows: 2,2,3,3,5,5,5,10 → mean 4.375, median 4.
    let p = "probe,personen,Wie viele Personen?,,";
    assert!(rows.contains(&format!(
        "{p},DE-BY,Bayern,.,.,.,.,.,\"ausgeblendet, damit kleine Gruppen geschützt bleiben\","
    )));
    assert!(rows.contains(&format!(
        "{p},weitere,weitere Länder,8,4.38,4.00,2.00,10.00,,"
    )));
    assert!(rows.contains(&format!(
        "{p},DE,Deutschland gesamt,8,4.38,4.00,2.00,10.00,,"
    )));
}

#[test]
fn the_codebook_lists_every_option_and_every_other_question_once() {
    let rows = lines(&tables::codebook(&survey()));
    assert_eq!(
        rows[0],
        "question_id,page_id,type,question,item_id,item,option_code,option,value,missing"
    );
    assert!(rows.contains(&"lage,p1,single,Wie ist die Lage?,,,99,weiß nicht,,ja".to_owned()));
    assert!(rows.contains(&"lage,p1,single,Wie ist die Lage?,,,gut,gut,1,".to_owned()));
    assert!(rows.contains(&"hilfe,p2,long_text,Was hilft?,,,,,,".to_owned()));
    assert_eq!(rows.len(), 1 + 3 + 2 + 1 + 1);
}

#[test]
fn free_texts_are_listed_without_attribution_and_escaped() {
    let report = report();
    let hilfe = report.questions.iter().find(|q| q.id == "hilfe").unwrap();
    assert_eq!(hilfe.texts, ["Geld", "Zeit"]);
    let files = files::render(&survey(), &report, None, None).unwrap();
    let index = files.iter().find(|f| f.path == "index.html").unwrap();
    let html = String::from_utf8(index.bytes.clone()).unwrap();
    assert!(html.contains("<li>Geld</li>"));
    assert!(
        html.contains("=HYPERLINK(&#34;http://x&#34;)")
            || html.contains("=HYPERLINK(&quot;http://x&quot;)"),
        "texts are escaped"
    );
    // Hidden groups show no n anywhere.
    assert!(!html.contains("Bremen (n ="));
    assert!(!html.contains("Nordrhein-Westfalen (n ="));
    assert!(html.contains("Bayern (n = 10)"));
}

#[test]
fn every_file_of_a_report_is_there_and_the_zip_holds_them_all() {
    let files = files::render(&survey(), &report(), None, None).unwrap();
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    for expected in [
        "index.html",
        "per-land.csv",
        "per-land-excel.csv",
        "per-attribute.csv",
        "per-attribute-excel.csv",
        "numeric.csv",
        "numeric-excel.csv",
        "codebook.csv",
        "codebook-excel.csv",
        "report.xlsx",
        "charts/lage.svg",
        "charts/lage.png",
        "charts/werkzeuge.svg",
        "report.zip",
    ] {
        assert!(
            paths.contains(&expected),
            "{expected} missing from {paths:?}"
        );
    }
    let zip = files.iter().find(|f| f.path == "report.zip").unwrap();
    let archive = zip::ZipArchive::new(std::io::Cursor::new(zip.bytes.clone())).unwrap();
    assert_eq!(archive.len(), files.len() - 1);
}

#[test]
fn nothing_is_shown_when_the_whole_wave_is_under_the_threshold() {
    let mut f = Figures::default();
    f.add_shown(
        &stratum("DE-BY", "ja"),
        ["lage", "werkzeuge", "personen"],
        3,
    );
    f.counts.insert(
        (
            "lage".into(),
            String::new(),
            "gut".into(),
            stratum("DE-BY", "ja"),
        ),
        3,
    );
    f.texts.insert("werkzeuge".into(), vec!["secret".into()]);
    let wave = WaveInfo {
        slug: "probe".into(),
        title: "Probe".into(),
        survey_title: "Probe".into(),
        period: String::new(),
        threshold: 5,
    };
    let report = build(&survey(), wave, &f);
    let rows = lines(&tables::per_land(&report));
    assert!(
        rows.iter().skip(1).all(|r| r.contains(",.,.,.,")),
        "{rows:?}"
    );
    assert!(report.questions.iter().all(|q| q.texts.is_empty()));
}

mod properties {
    use super::*;
    use crate::report::{Body, GroupKind, Report, compare};
    use crate::survey::LAENDER;
    use proptest::prelude::*;

    /// A report of the probe survey with these responses per Land, `good[i]` of them "gut".
    fn report_of(sizes: &[u64], good: &[u64], threshold: u64) -> Report {
        build(&survey(), wave(threshold), &figures_of(sizes, good))
    }

    fn wave(threshold: u64) -> WaveInfo {
        WaveInfo {
            slug: "w".into(),
            title: "W".into(),
            survey_title: "Probe".into(),
            period: String::new(),
            threshold,
        }
    }

    fn figures_of(sizes: &[u64], good: &[u64]) -> Figures {
        let mut f = Figures::default();
        for (i, (&n, &g)) in sizes.iter().zip(good).enumerate() {
            let s = stratum(LAENDER[i].0, if i % 2 == 0 { "ja" } else { "nein" });
            f.add_shown(&s, ["lage", "werkzeuge", "personen"], n);
            let g = g.min(n);
            for (code, count) in [("gut", g), ("schlecht", n - g)] {
                f.counts.insert(
                    ("lage".into(), String::new(), code.into(), s.clone()),
                    count,
                );
            }
        }
        f
    }

    /// Checks one published table against the truth (`sizes`, `good` per group).
    fn check_table(
        table: &crate::report::Table,
        truth: &[(String, u64, u64)],
        threshold: u64,
    ) -> Result<(), TestCaseError> {
        let mut hidden = Vec::new();
        let mut shown_sum = (0, 0);
        let mut pool = None;
        let mut total = None;
        for g in &table.groups {
            prop_assert_eq!(
                g.figures.is_some(),
                g.status == crate::report::suppress::Status::Shown
            );
            if let Some(f) = &g.figures {
                // Every question here is asked of everyone, so n = 0 means no response at all.
                prop_assert!(
                    f.n >= threshold || (f.n == 0 && g.kind == GroupKind::Member),
                    "{} shown with n = {}",
                    g.label,
                    f.n
                );
            }
            match g.kind {
                GroupKind::Member => match &g.figures {
                    Some(f) => {
                        let (_, n, good) = truth.iter().find(|(c, ..)| *c == g.code).unwrap();
                        prop_assert_eq!((f.n, f.counts[0]), (*n, *good));
                        shown_sum = (shown_sum.0 + f.n, shown_sum.1 + f.counts[0]);
                    }
                    None => hidden.push(g.code.clone()),
                },
                GroupKind::Pool => pool = g.figures.clone(),
                GroupKind::Total => total = g.figures.clone(),
            }
        }
        // Groups with no responses are not listed in the truth; count them hidden as well.
        let hidden_truth: Vec<&(String, u64, u64)> =
            truth.iter().filter(|(c, ..)| hidden.contains(c)).collect();
        let hidden_n: u64 = hidden_truth.iter().map(|t| t.1).sum();
        if let Some(total) = &total {
            // What total minus the shown groups leaves is the pool, which is itself large enough.
            let rest = (total.n - shown_sum.0, total.counts[0] - shown_sum.1);
            prop_assert_eq!(rest.0, hidden_n);
            if !hidden.is_empty() {
                prop_assert!(
                    hidden.len() >= 2,
                    "a single hidden group {:?} = total − shown",
                    hidden
                );
                prop_assert!(rest.0 >= threshold);
                let pool = pool.as_ref().unwrap();
                prop_assert_eq!((pool.n, pool.counts[0]), rest);
            }
            for t in &hidden_truth {
                if t.1 > 0 && t.1 < threshold {
                    prop_assert!(rest.0 > t.1, "{} could be isolated", t.0);
                }
            }
        } else {
            prop_assert!(pool.is_none());
            prop_assert!(table.groups.iter().all(|g| g.figures.is_none()));
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// A trend shows each wave's figures exactly as that wave's own report does: a point is
        /// hidden where the wave hides the group, equal where it shows it, the pool never drawn,
        /// so it adds nothing to what the waves publish one by one (each checked above).
        #[test]
        fn a_trend_shows_no_figure_its_waves_do_not(
            first in proptest::collection::vec(0u64..30, 16),
            second in proptest::collection::vec(0u64..30, 16),
            good in proptest::collection::vec(0u64..30, 16),
            thresholds in (1u64..10, 1u64..10),
        ) {
            let reports = [report_of(&first, &good, thresholds.0), report_of(&second, &good, thresholds.1)];
            let trend = crate::report::trend::trend(&[&reports[0], &reports[1]]);
            prop_assert!(!trend.questions.is_empty());
            for q in &trend.questions {
                for g in &q.groups {
                    prop_assert!(g.kind != GroupKind::Pool);
                    for ((point, _), &w) in g.points.iter().zip(&q.waves) {
                        let Body::Choice(c) = &reports[w].questions.iter().find(|x| x.id == q.id).unwrap().body else {
                            panic!("a choice question")
                        };
                        let item = c.items.iter().find(|i| i.id == q.item_id).unwrap();
                        let published = item.by_land.groups.iter().find(|x| x.code == g.code).and_then(|x| x.figures.clone());
                        prop_assert_eq!(point, &published);
                    }
                }
            }
            // Every hidden point is dots in trend.csv.
            for row in crate::report::trend::sheet(&trend).rows {
                if row[9] == tables::Cell::Text(".".into()) {
                    prop_assert!(row[10..13].iter().all(|c| *c == tables::Cell::Text(".".into())));
                }
            }
        }

        /// Response rates carry figures exactly where the response count is shown; the pool's
        /// invitations are its hidden members' and the total's everyone's, so a hidden Land's
        /// submissions cannot be recovered from the rates either.
        #[test]
        fn response_rates_are_shown_exactly_where_counts_are(
            sizes in proptest::collection::vec(0u64..30, 16),
            not_answered in proptest::collection::vec(0u64..10, 16),
            threshold in 1u64..10,
        ) {
            let mut f = figures_of(&sizes, &sizes);
            for (i, (code, _)) in LAENDER.iter().enumerate() {
                let invited = sizes[i] + not_answered[i];
                if invited > 0 {
                    f.invited.insert((*code).to_owned(), invited);
                }
            }
            let report = build(&survey(), wave(threshold), &f);
            let invited_of = |code: &str| f.invited.get(code).copied().unwrap_or(0);
            for rate in &report.rates {
                let group = report.responses.groups.iter().find(|g| g.code == rate.code).unwrap();
                prop_assert_eq!(rate.figures.is_some(), group.figures.is_some());
                if let Some(figures) = rate.figures {
                    prop_assert_eq!(figures.submitted, group.figures.as_ref().unwrap().n);
                    let invited = match rate.kind {
                        GroupKind::Member => invited_of(&rate.code),
                        GroupKind::Pool => group.members.iter().map(|c| invited_of(c)).sum(),
                        GroupKind::Total => f.invited.values().sum(),
                    };
                    prop_assert_eq!(figures.invited, invited);
                }
            }
            // Every Land with invitations has its row.
            for code in f.invited.keys() {
                prop_assert!(report.rates.iter().any(|r| &r.code == code), "{} missing", code);
            }
            if let Some(sheet) = tables::rates(&report) {
                for row in sheet.rows {
                    let hidden = matches!(&row[6], tables::Cell::Text(t) if t == "zu wenige Antworten" || t.starts_with("ausgeblendet"));
                    if hidden {
                        prop_assert!(row[3..6].iter().all(|c| *c == tables::Cell::Text(".".into())));
                    }
                }
            }
        }

        /// The API's results carry exactly the figures the report publishes: a hidden group's rows
        /// have no number at all and say why, a shown group's rows its published n and count; a
        /// Land's own results hold its rows only.
        #[test]
        fn the_api_results_carry_no_figure_the_report_hides(
            sizes in proptest::collection::vec(0u64..30, 16),
            good in proptest::collection::vec(0u64..30, 16),
            threshold in 1u64..10,
            land in 0usize..16,
        ) {
            let mut f = figures_of(&sizes, &good);
            for (i, (code, _)) in LAENDER.iter().enumerate() {
                f.invited.insert((*code).to_owned(), sizes[i] + 1);
            }
            let report = build(&survey(), wave(threshold), &f);
            let Body::Choice(choice) = &report.questions[0].body else { panic!("lage is a choice") };
            let published = |code: &str| choice.items[0].by_land.groups.iter().find(|g| g.code == code).map(|g| g.figures.clone());
            let results = crate::report::json::results(&report, None);
            for row in results.figures.iter().filter(|r| r.question_id == "lage") {
                match published(&row.land_code).flatten() {
                    None => {
                        prop_assert!(row.n.is_none() && row.count.is_none() && row.percent.is_none(), "{:?}", row);
                        prop_assert!(row.suppressed.is_some());
                    }
                    Some(figures) => {
                        let at = choice.options.iter().position(|o| o.code == row.option_code).unwrap();
                        prop_assert_eq!(row.n, Some(figures.n));
                        prop_assert_eq!(row.count, Some(figures.counts[at]));
                    }
                }
            }
            for row in &results.responses {
                let group = report.responses.groups.iter().find(|g| g.code == row.group_code);
                if row.breakdown == "land" {
                    prop_assert_eq!(row.n, group.and_then(|g| g.figures.as_ref()).map(|f| f.n));
                }
            }
            for row in &results.rates {
                let rate = report.rates.iter().find(|r| r.code == row.land_code).unwrap();
                prop_assert_eq!(row.submitted, rate.figures.map(|f| f.submitted));
                prop_assert_eq!(row.invited, rate.figures.map(|f| f.invited));
            }
            for row in &results.means {
                if published(&row.land_code).flatten().is_none() {
                    prop_assert!(row.mean.is_none() && row.n.is_none(), "{:?}", row);
                }
            }
            let code = LAENDER[land].0;
            let own = crate::report::json::results(&report, Some(code));
            prop_assert!(own.figures.iter().all(|r| r.land_code == code));
            prop_assert!(own.means.iter().all(|r| r.land_code == code));
            prop_assert!(own.rates.iter().all(|r| r.land_code == code));
            prop_assert!(own.responses.iter().all(|r| r.breakdown == "land" && r.group_code == code));
        }

        /// Over random per-Land counts, in the report (and so in every file written from it) and in
        /// the comparison of two such reports: no figure under the threshold, no hidden Land's
        /// count recoverable from the total and the shown Länder.
        #[test]
        fn no_suppressed_count_can_be_recovered_from_any_output(
            sizes in proptest::collection::vec(0u64..30, 16),
            good in proptest::collection::vec(0u64..30, 16),
            sizes2 in proptest::collection::vec(0u64..30, 16),
            threshold in 1u64..10,
        ) {
            let report = report_of(&sizes, &good, threshold);
            let Body::Choice(choice) = &report.questions[0].body else { panic!("lage is a choice") };
            let truth: Vec<(String, u64, u64)> = LAENDER
                .iter()
                .enumerate()
                .map(|(i, (code, _))| ((*code).to_owned(), sizes[i], good[i].min(sizes[i])))
                .collect();
            check_table(&choice.items[0].by_land, &truth, threshold)?;
            let by_network: Vec<(String, u64, u64)> = ["ja", "nein"]
                .iter()
                .enumerate()
                .map(|(k, v)| {
                    let pick = |i: &usize| i % 2 == k;
                    let n = (0..16).filter(pick).map(|i| sizes[i]).sum();
                    let g = (0..16).filter(pick).map(|i| good[i].min(sizes[i])).sum();
                    ((*v).to_owned(), n, g)
                })
                .collect();
            check_table(&choice.items[0].by_attribute[0], &by_network, threshold)?;
            // Every CSV row of a hidden group is dots only.
            for row in tables::per_land(&report).rows {
                let hidden = matches!(&row[12], tables::Cell::Text(t) if t == "zu wenige Antworten" || t.starts_with("ausgeblendet"));
                if hidden {
                    prop_assert!(row[9..12].iter().all(|c| *c == tables::Cell::Text(".".into())));
                }
            }
            // The comparison shows a Land only where both waves show it.
            let other = report_of(&sizes2, &good, threshold);
            let comparison = compare::compare(&report, &other);
            let Body::Choice(other_choice) = &other.questions[0].body else { panic!() };
            for g in &comparison.questions[0].items[0].groups {
                let shown_in = |t: &crate::report::Table| t.groups.iter().any(|x| x.code == g.code && x.figures.is_some());
                prop_assert_eq!(g.this.is_some(), g.compared.is_some());
                if g.this.is_some() {
                    prop_assert!(shown_in(&choice.items[0].by_land) && shown_in(&other_choice.items[0].by_land));
                }
            }
        }
    }
}
