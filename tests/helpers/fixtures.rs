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
    import_participants(db, &slug, participants_csv(n));
    slug
}

/// Imports the participants file `csv` into wave `slug` through `participants import`; it must
/// succeed.
pub fn import_participants(db: &TestDb, slug: &str, csv: String) {
    let file = scratch_file("participants.csv", csv);
    mint(
        db,
        &[
            "participants",
            "import",
            "--wave",
            slug,
            file.to_str().unwrap(),
        ],
    )
    .success();
}

/// The path (`/t/{token}`) of a participant's personal link, as `participants link` prints it.
pub fn link_path(db: &TestDb, slug: &str, email: &str) -> String {
    let link = mint(
        db,
        &["participants", "link", "--wave", slug, "--email", email],
    )
    .success()
    .trim()
    .to_owned();
    let start = link.find("/t/").expect("a link with /t/");
    link[start..].to_owned()
}

/// Valid form fields for every visible question of `page` (the first real option, a number in range,
/// a short text, a date in range), plus `overrides` (field name, value) which replace generated ones.
pub fn answer_page(
    survey: &mint_survey::survey::Survey,
    page: usize,
    answers: &mint_survey::survey::answers::Answers,
    attributes: &mint_survey::survey::answers::Attributes,
    overrides: &[(&str, &str)],
) -> Vec<(String, String)> {
    use mint_survey::survey::QuestionKind;
    use mint_survey::survey::answers::{field_name, matrix_field_name, visible_questions};
    let mut fields: Vec<(String, String)> = Vec::new();
    for question in visible_questions(survey, page, answers, attributes) {
        let field = field_name(&question.id);
        if overrides.iter().any(|(name, _)| *name == field) {
            continue;
        }
        let first_real = |choices: &mint_survey::survey::Choices| {
            choices
                .options
                .iter()
                .find(|o| !o.missing && !o.other && !o.exclusive)
                .map(|o| o.code.clone())
                .unwrap_or_default()
        };
        match &question.kind {
            QuestionKind::Single { choices } | QuestionKind::Multiple { choices, .. } => {
                fields.push((field, first_real(choices)))
            }
            QuestionKind::Matrix { items, choices } => {
                for item in items {
                    fields.push((
                        matrix_field_name(&question.id, &item.id),
                        first_real(choices),
                    ));
                }
            }
            QuestionKind::Number { min, .. } => {
                fields.push((field, format!("{}", min.unwrap_or(1.0).max(1.0) as i64)))
            }
            QuestionKind::Text { .. } | QuestionKind::LongText { .. } => {
                fields.push((field, "Testantwort mit Umlauten: äöü".to_owned()))
            }
            QuestionKind::Date { min, .. } => fields.push((
                field,
                min.map_or("01.05.2020".to_owned(), |d| {
                    d.format("%d.%m.%Y").to_string()
                }),
            )),
            QuestionKind::Land => fields.push((field, "DE-TH".to_owned())),
        }
    }
    fields.extend(
        overrides
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned())),
    );
    fields
}

/// Valid fields for every page a respondent with `attributes` is shown (pages hidden by a condition
/// left out), with `overrides`, as one form.
pub fn whole_form(
    survey: &mint_survey::survey::Survey,
    attributes: &mint_survey::survey::answers::Attributes,
    overrides: &[(&str, &str)],
) -> Vec<(String, String)> {
    use mint_survey::survey::answers::{self as read, Answers, FormFields};
    let mut answers = Answers::new();
    let mut all = Vec::new();
    for page in 0..survey.pages.len() {
        if !read::visible_pages(survey, &answers, attributes).contains(&page) {
            continue;
        }
        let names: Vec<String> = survey.pages[page]
            .questions
            .iter()
            .flat_map(read::field_names)
            .collect();
        let here: Vec<(&str, &str)> = overrides
            .iter()
            .copied()
            .filter(|(name, _)| names.iter().any(|n| n == name))
            .collect();
        let fields = answer_page(survey, page, &answers, attributes, &here);
        let mut form = FormFields::new();
        for (k, v) in &fields {
            form.entry(k.clone()).or_default().push(v.clone());
        }
        answers.extend(read::read_page(survey, page, &form, &answers, attributes).answers);
        all.extend(fields);
    }
    all
}
