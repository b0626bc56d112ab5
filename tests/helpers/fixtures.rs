//! Ready-made situations: a loaded survey, a wave with participants.

use super::cli::{mint, scratch_file};
use super::db::TestDb;
use mint_survey::survey::LAENDER;

/// A participants file with `n` regions spread over the Länder, addresses `person{i}@example.org`.
pub fn participants_csv(n: usize) -> String {
    let mut csv = String::from("Region;Bundesland;E-Mail;Ansprechperson;Landesnetzwerk\n");
    for i in 0..n {
        let (_, land) = LAENDER[i % LAENDER.len()];
        let network = if i % 3 == 0 { "ja" } else { "nein" };
        csv.push_str(&format!(
            "MINT-Region Nummer {i};{land};person{i}@example.org;Person {i};{network}\n"
        ));
    }
    csv
}

/// Loads `fruehjahr-2020`, creates an open wave "Frühjahr 2020" and imports `n` participants. Returns the slug.
pub fn open_wave(db: &TestDb, n: usize) -> String {
    mint(db, &["survey", "load", "surveys/fruehjahr-2020.toml"]).success();
    let slug = mint(
        db,
        &[
            "wave",
            "create",
            "--survey",
            "fruehjahr-2020",
            "--title",
            "Frühjahr 2020",
            "--closes",
            "2099-12-31",
        ],
    )
    .success()
    .trim()
    .to_owned();
    mint(db, &["wave", "open", &slug]).success();
    if n == 0 {
        return slug;
    }
    let file = scratch_file("participants.csv", participants_csv(n));
    mint(
        db,
        &[
            "participants",
            "import",
            "--wave",
            &slug,
            file.to_str().unwrap(),
        ],
    )
    .success();
    slug
}
