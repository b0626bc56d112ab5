//! The JSON API: keys and roles, a wave run from a script, bad input as problem documents, results
//! suppressed as on the board with an ETag, the rate limit. Every response is checked against its
//! schema in `/api/v1/openapi.json`, so the description cannot drift from what the API does.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::helpers::app::{TestApp, staff_account};
use crate::helpers::cli::mint;
use crate::helpers::db::TestDb;
use crate::reports::{answer, fill, wave_with_participants};
use mint_survey::accounts::Role;

/// An answer of the API.
struct Reply {
    status: u16,
    headers: ureq::http::HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }

    fn content_type(&self) -> String {
        self.header("content-type")
    }

    /// The problem document's detail and its field pointers.
    fn problem(&self) -> (String, Vec<(String, String)>) {
        assert_eq!(
            self.content_type(),
            "application/problem+json",
            "{}",
            self.text()
        );
        let body = self.json();
        let errors = body["errors"]
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|e| {
                        (
                            e["pointer"].as_str().unwrap().to_owned(),
                            e["detail"].as_str().unwrap().to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        (body["detail"].as_str().unwrap().to_owned(), errors)
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A client of the API that checks every answer against the OpenAPI description.
struct Api {
    app: TestApp,
    document: Value,
    /// (method, path template, status) of every checked answer.
    checked: std::cell::RefCell<Vec<(String, String, u16)>>,
}

impl Api {
    fn new(app: TestApp) -> Api {
        let mut response = app
            .client
            .get(format!("{}/api/v1/openapi.json", app.address))
            .call()
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let document: Value =
            serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap();
        assert_eq!(document["openapi"], "3.1.0");
        Api {
            app,
            document,
            checked: Default::default(),
        }
    }

    fn call(
        &self,
        method: &str,
        path: &str,
        key: Option<&str>,
        body: Option<(&str, Vec<u8>)>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let url = format!("{}{path}", self.app.address);
        let mut builder = ureq::http::Request::builder().method(method).uri(&url);
        if let Some(key) = key {
            builder = builder.header("Authorization", format!("Bearer {key}"));
        }
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let (content_type, bytes) = body.unwrap_or(("", Vec::new()));
        if !content_type.is_empty() {
            builder = builder.header("Content-Type", content_type);
        }
        let request = builder.body(bytes).unwrap();
        let mut response = self.app.client.run(request).unwrap();
        let reply = Reply {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body: response
                .body_mut()
                .with_config()
                .limit(64 << 20)
                .read_to_vec()
                .unwrap(),
        };
        self.check(method, path, &reply);
        reply
    }

    fn get(&self, path: &str, key: &str) -> Reply {
        self.call("GET", path, Some(key), None, &[])
    }

    fn post(&self, path: &str, key: &str, body: Value) -> Reply {
        let bytes = serde_json::to_vec(&body).unwrap();
        self.call(
            "POST",
            path,
            Some(key),
            Some(("application/json", bytes)),
            &[],
        )
    }

    /// Validates the answer against the schema the description gives for its path, method,
    /// status and media type.
    fn check(&self, method: &str, path: &str, reply: &Reply) {
        let path = path.split('?').next().unwrap();
        let paths = self.document["paths"].as_object().unwrap();
        let Some((template, item)) = paths.iter().find(|(template, _)| matches(template, path))
        else {
            // Only unknown paths are undescribed; they must still be problem documents.
            assert_eq!(reply.status, 404, "{method} {path} is not described");
            self.check_problem(reply);
            return;
        };
        let operation = &item[method.to_lowercase()];
        assert!(
            operation.is_object(),
            "{method} {template} is not described"
        );
        let response = &operation["responses"][reply.status.to_string()];
        assert!(
            response.is_object(),
            "{method} {template} answered {} which the description does not list: {}",
            reply.status,
            reply.text()
        );
        self.checked
            .borrow_mut()
            .push((method.to_owned(), template.clone(), reply.status));
        if reply.status == 304 {
            assert!(reply.body.is_empty());
            return;
        }
        let media_type = reply.content_type();
        let media_type = media_type.split(';').next().unwrap().trim();
        let content = &response["content"][media_type];
        assert!(
            content.is_object(),
            "{method} {template} {}: {media_type} not described",
            reply.status
        );
        if let Some(schema) = content.get("schema")
            && media_type.ends_with("json")
        {
            self.validate(
                schema,
                &reply.json(),
                &format!("{method} {template} {}", reply.status),
            );
        }
    }

    fn check_problem(&self, reply: &Reply) {
        let schema = json!({"$ref": "#/components/schemas/Problem"});
        self.validate(&schema, &reply.json(), "problem");
    }

    fn validate(&self, schema: &Value, instance: &Value, what: &str) {
        let mut root = schema.as_object().unwrap().clone();
        root.insert("components".into(), self.document["components"].clone());
        let validator = jsonschema::validator_for(&Value::Object(root)).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(instance)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{what} does not match its schema: {errors:?}"
        );
    }
}

/// Whether a concrete path fits a path template of the description.
fn matches(template: &str, path: &str) -> bool {
    let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| (t.starts_with('{') && !p.is_empty()) || t == p)
}

/// Makes an API key for the account `email` through the command line; returns it.
fn key_for(db: &TestDb, email: &str, name: &str) -> String {
    let out = mint(
        db,
        &[
            "user", "api-key", "create", "--email", email, "--name", name,
        ],
    )
    .success()
    .to_owned();
    out.split_whitespace()
        .find(|w| w.starts_with("mint_"))
        .unwrap_or_else(|| panic!("no key in {out}"))
        .to_owned()
}

fn audit(db: &TestDb) -> Vec<(String, String, String)> {
    let mut conn = db.conn();
    mint_survey::store::users::find_audit(&mut conn, None, None, 1000)
        .unwrap()
        .into_iter()
        .map(|e| (e.actor, e.action, e.subject))
        .collect()
}

fn wave_count(db: &TestDb) -> usize {
    let mut conn = db.conn();
    mint_survey::store::waves::find_summaries(&mut conn)
        .unwrap()
        .len()
}

#[test]
fn keys_act_with_their_accounts_role_and_are_refused_when_revoked() {
    let db = TestDb::new();
    mint(&db, &["survey", "load", "surveys/fruehjahr-2020.toml"]).success();
    staff_account(&db, "admin@example.org", Role::Admin, None);
    staff_account(&db, "beirat@example.org", Role::Board, None);
    let admin = key_for(&db, "admin@example.org", "CRM");
    let board = key_for(&db, "beirat@example.org", "Website");
    let api = Api::new(TestApp::spawn(&db));

    // No key: 401 with a challenge without error code; a wrong one: invalid_token.
    let reply = api.call("GET", "/api/v1/waves", None, None, &[]);
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.header("www-authenticate"),
        "Bearer realm=\"mint-survey\""
    );
    assert!(reply.problem().0.contains("Authorization: Bearer"));
    let wrong = format!("mint_{}", "0".repeat(64));
    let reply = api.get("/api/v1/waves", &wrong);
    assert_eq!(reply.status, 401);
    assert!(reply.header("www-authenticate").contains("invalid_token"));
    assert_eq!(api.get("/api/v1/waves", "kein-schluessel").status, 401);

    // The board's key reads but creates nothing.
    let new_wave = json!({"survey": "fruehjahr-2020", "title": "Frühjahr 2027"});
    let reply = api.post("/api/v1/waves", &board, new_wave.clone());
    assert_eq!(reply.status, 403);
    assert!(
        reply.problem().0.contains("Länderbeirat"),
        "{}",
        reply.text()
    );
    assert_eq!(wave_count(&db), 0);

    // The admin's key creates; the audit log names the key.
    let reply = api.post("/api/v1/waves", &admin, new_wave);
    assert_eq!(reply.status, 201, "{}", reply.text());
    assert_eq!(reply.header("location"), "/api/v1/waves/fruehjahr-2027");
    assert!(audit(&db).contains(&(
        "API-Schlüssel „CRM“ (admin@example.org)".into(),
        "wave_created".into(),
        "fruehjahr-2027".into()
    )));

    // The list shows the keys with their last use; the key itself is nowhere.
    let listing = mint(&db, &["user", "api-key", "list"]).success().to_owned();
    assert!(!listing.contains(&admin[5..]), "{listing}");
    let crm = listing.lines().find(|l| l.contains("CRM")).unwrap();
    assert!(crm.contains("live") && !crm.ends_with("\t-"), "{crm}");
    let id = crm.split('\t').next().unwrap();
    mint(&db, &["user", "api-key", "revoke", id]).success();
    let reply = api.get("/api/v1/waves", &admin);
    assert_eq!(reply.status, 401);
    assert!(reply.problem().0.contains("widerrufen"));
    let failure = mint(&db, &["user", "api-key", "revoke", id])
        .failure()
        .to_owned();
    assert!(failure.contains("revoked already"), "{failure}");
    let actions: Vec<String> = audit(&db).into_iter().map(|(_, a, _)| a).collect();
    assert!(actions.contains(&"api_key_created".into()));
    assert!(actions.contains(&"api_key_revoked".into()));
}

#[test]
fn a_wave_is_created_filled_and_invited_from_a_script() {
    let db = TestDb::new();
    mint(&db, &["survey", "load", "surveys/fruehjahr-2020.toml"]).success();
    staff_account(&db, "admin@example.org", Role::Admin, None);
    let key = key_for(&db, "admin@example.org", "CRM");
    let api = Api::new(TestApp::spawn(&db));

    // Surveys: check (a problem with its line), load, read back.
    let broken =
        b"id = \"herbst-2027\"\ntitle = \"Herbst 2027\"\naccess = \"token\"\nrequird = true\n";
    let reply = api.call(
        "POST",
        "/api/v1/surveys/check?name=herbst-2027.toml",
        Some(&key),
        Some(("application/toml", broken.to_vec())),
        &[],
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    let checked = reply.json();
    assert_eq!(checked["valid"], false);
    assert!(
        checked["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["line"] == 4),
        "{checked}"
    );
    let reply = api.call(
        "POST",
        "/api/v1/surveys?name=herbst-2027.toml",
        Some(&key),
        Some(("application/toml", broken.to_vec())),
        &[],
    );
    assert_eq!(reply.status, 422);
    let definition = std::fs::read("surveys/herbst-2020.toml").unwrap();
    let reply = api.call(
        "POST",
        "/api/v1/surveys?name=herbst-2020.toml",
        Some(&key),
        Some(("application/toml", definition.clone())),
        &[],
    );
    assert_eq!(reply.status, 201, "{}", reply.text());
    assert_eq!(
        (
            reply.json()["version"].clone(),
            reply.json()["stored"].clone()
        ),
        (json!(1), json!(true))
    );
    let reply = api.call(
        "POST",
        "/api/v1/surveys?name=herbst-2020.toml",
        Some(&key),
        Some(("application/toml", definition)),
        &[],
    );
    assert_eq!(reply.json()["stored"], false);
    let version = api.get("/api/v1/surveys/herbst-2020", &key).json();
    assert_eq!(version["definition"]["id"], "herbst-2020");
    assert!(version["definition"]["pages"].as_array().unwrap().len() > 1);
    assert_eq!(api.get("/api/v1/surveys/gibt-es-nicht", &key).status, 404);
    let surveys = api.get("/api/v1/surveys", &key).json();
    assert_eq!(api.get("/api/v1/waves", &key).json(), json!([]));
    assert!(
        surveys
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == "fruehjahr-2020")
    );
    let reply = api.post(
        "/api/v1/waves",
        &key,
        json!({"survey": "fruehjahr-2020", "title": "Frühjahr 2027", "closes": "2099-12-31", "reminders": 1}),
    );
    assert_eq!(reply.status, 201, "{}", reply.text());
    assert_eq!(reply.json()["state"], "draft");
    assert_eq!(reply.json()["reminders"], 1);

    let people = json!({"participants": [
        {"email": "a@example.org", "name": "Anna", "region": "MINT-Region Passau", "land": "Bayern", "attributes": {"landesnetzwerk": "ja"}},
        {"email": "b@example.org", "region": "MINT-Region Köln", "land": "DE-NW", "attributes": {"landesnetzwerk": "nein"}},
        {"email": "c@example.org", "region": "MINT-Region Jena", "land": "Thüringen", "attributes": {"landesnetzwerk": "ja"}},
    ]});
    let path = "/api/v1/waves/fruehjahr-2027/participants";
    let dry = api.post(&format!("{path}?dry_run=true"), &key, people.clone());
    assert_eq!(dry.status, 200, "{}", dry.text());
    assert_eq!(
        (
            dry.json()["dry_run"].clone(),
            dry.json()["imported"].clone()
        ),
        (json!(true), json!(3))
    );
    assert_eq!(api.get(path, &key).json()["participants"], json!([]));
    let stored = api.post(path, &key, people.clone());
    assert_eq!(stored.status, 201, "{}", stored.text());
    assert_eq!(stored.json()["imported"], 3);
    let again = api.post(path, &key, people);
    assert_eq!(
        (
            again.json()["imported"].clone(),
            again.json()["already_there"].clone()
        ),
        (json!(0), json!(3))
    );

    // A CSV file, as on the page.
    let csv = "Region;Bundesland;E-Mail;Landesnetzwerk\nMINT-Region Kiel;Schleswig-Holstein;d@example.org;nein\n";
    let reply = api.call(
        "POST",
        path,
        Some(&key),
        Some(("text/csv", csv.as_bytes().to_vec())),
        &[],
    );
    assert_eq!(reply.status, 201, "{}", reply.text());

    // Paged by id.
    let first = api.get(&format!("{path}?limit=3"), &key).json();
    assert_eq!(first["participants"].as_array().unwrap().len(), 3);
    assert_eq!(first["participants"][0]["email"], "a@example.org");
    assert_eq!(first["participants"][0]["state"], "nicht-eingeladen");
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let second = api
        .get(&format!("{path}?limit=3&cursor={cursor}"), &key)
        .json();
    assert_eq!(second["participants"].as_array().unwrap().len(), 1);
    assert_eq!(second["participants"][0]["land_code"], "DE-SH");
    assert!(second["next_cursor"].is_null());

    // Settings: a wrong date names its field and changes nothing.
    let reply = api.call(
        "PATCH",
        "/api/v1/waves/fruehjahr-2027",
        Some(&key),
        Some(("application/json", br#"{"closes": "31.02.2099"}"#.to_vec())),
        &[],
    );
    assert_eq!(reply.status, 422, "{}", reply.text());
    assert_eq!(reply.problem().1[0].0, "/closes");
    let reply = api.call(
        "PATCH",
        "/api/v1/waves/fruehjahr-2027",
        Some(&key),
        Some(("application/json", br#"{"reminders": 2}"#.to_vec())),
        &[],
    );
    assert_eq!(reply.json()["reminders"], 2);

    // The schedule: a wrong window names its field; then invitations by themselves.
    let schedule = "/api/v1/waves/fruehjahr-2027/schedule";
    let reply = api.call(
        "PUT",
        schedule,
        Some(&key),
        Some(("application/json", br#"{"hours": "18-8"}"#.to_vec())),
        &[],
    );
    assert_eq!(reply.status, 422, "{}", reply.text());
    assert_eq!(reply.problem().1[0].0, "/hours");
    let reply = api.call(
        "PUT",
        schedule,
        Some(&key),
        Some((
            "application/json",
            br#"{"invitations_auto": false, "hours": "9-17", "days": "mo-fr"}"#.to_vec(),
        )),
        &[],
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["schedule"]["window"], "9-17 mo-fr");
    assert_eq!(
        api.get("/api/v1/waves", &key).json()[0]["schedule"]["invitations_auto"],
        false
    );

    // Open, preview, confirm with an outdated count (nothing sent), then the right one.
    let mailing = "/api/v1/waves/fruehjahr-2027/mailings/invitations";
    assert_eq!(
        api.get(mailing, &key).status,
        422,
        "a draft wave sends nothing"
    );
    let opened = api.post("/api/v1/waves/fruehjahr-2027/open", &key, json!(null));
    assert_eq!(opened.json()["state"], "open", "{}", opened.text());
    let wave = api.get("/api/v1/waves/fruehjahr-2027", &key).json();
    assert_eq!(
        (wave["participants"].clone(), wave["submitted"].clone()),
        (json!(4), json!(0))
    );
    let preview = api.get(mailing, &key).json();
    assert_eq!(preview["count"], 4);
    assert_eq!(
        preview["per_land"][0],
        json!({"land_code": "DE-BY", "land": "Bayern", "count": 1})
    );
    let reply = api.post(mailing, &key, json!({"confirmed": 3}));
    assert_eq!(reply.status, 409);
    assert_eq!(reply.problem().1[0].0, "/confirmed");
    let reply = api.post(mailing, &key, json!({"confirmed": 4}));
    assert_eq!(reply.status, 202, "{}", reply.text());
    assert_eq!(reply.json()["queued"], 4);
    // Renew one link, revoke another.
    let id = first["participants"][0]["id"].as_i64().unwrap();
    let renewed = api.post(&format!("{path}/{id}/renew"), &key, json!(null));
    assert_eq!(renewed.status, 200, "{}", renewed.text());
    assert!(renewed.json()["link"].as_str().unwrap().contains("/t/"));
    let revoked = api.post(&format!("{path}/{id}/revoke"), &key, json!(null));
    assert_eq!(revoked.json()["region"], "MINT-Region Passau");
    assert!(revoked.json()["link"].is_null());
    assert_eq!(
        api.post(&format!("{path}/999999/revoke"), &key, json!(null))
            .status,
        404
    );
    assert_eq!(
        api.post(&format!("{path}/{id}/loeschen"), &key, json!(null))
            .status,
        404
    );
    let closed = api.post("/api/v1/waves/fruehjahr-2027/close", &key, json!(null));
    assert_eq!(closed.json()["state"], "closed");

    let by_key: Vec<String> = audit(&db)
        .into_iter()
        .filter(|(actor, ..)| actor == "API-Schlüssel „CRM“ (admin@example.org)")
        .map(|(_, action, _)| action)
        .collect();
    for action in [
        "wave_created",
        "participants_imported",
        "wave_settings_changed",
        "wave_opened",
        "invitations_started",
        "wave_closed",
        "schedule_changed",
        "link_renewed",
        "link_revoked",
        "survey_loaded",
    ] {
        assert!(
            by_key.contains(&action.to_owned()),
            "{action} not audited: {by_key:?}"
        );
    }
    // Every endpoint of the description was called and checked at least once.
    let checked = api.checked.borrow();
    let called: std::collections::HashSet<(String, String)> = checked
        .iter()
        .map(|(m, t, _)| (m.clone(), t.clone()))
        .collect();
    for (template, item) in api.document["paths"].as_object().unwrap() {
        for method in ["get", "post", "patch", "put"] {
            let elsewhere = ["results", "files", "trend"]
                .iter()
                .any(|t| template.contains(t));
            if item.get(method).is_some() && !elsewhere {
                assert!(
                    called.contains(&(method.to_uppercase(), template.clone())),
                    "{method} {template} untested"
                );
            }
        }
    }
}

#[test]
fn bad_input_gets_a_problem_document_and_changes_nothing() {
    let db = TestDb::new();
    mint(&db, &["survey", "load", "surveys/fruehjahr-2020.toml"]).success();
    staff_account(&db, "admin@example.org", Role::Admin, None);
    let key = key_for(&db, "admin@example.org", "CRM");
    let api = Api::new(TestApp::spawn(&db));
    let send = |path: &str, content_type: &str, body: &[u8]| {
        api.call(
            "POST",
            path,
            Some(&key),
            Some((content_type, body.to_vec())),
            &[],
        )
    };

    let reply = send(
        "/api/v1/waves",
        "application/json",
        b"{\"survey\": \"fruehjahr-2020\",\n \"title\": }",
    );
    assert_eq!(reply.status, 400);
    assert!(
        reply.problem().0.contains("Zeile 2, Spalte 11"),
        "{}",
        reply.text()
    );
    let reply = send(
        "/api/v1/waves",
        "application/json",
        br#"{"survey": "fruehjahr-2020", "title": "X", "farbe": "blau"}"#,
    );
    assert_eq!(reply.status, 400);
    let (detail, errors) = reply.problem();
    assert!(detail.contains("Unbekanntes Feld „farbe“"), "{detail}");
    assert_eq!(errors[0].0, "/farbe");
    let reply = send(
        "/api/v1/waves",
        "application/json",
        br#"{"survey": "fruehjahr-2020", "title": "X", "reminders": "zwei"}"#,
    );
    assert_eq!(
        reply.problem().1,
        vec![(
            "/reminders".to_owned(),
            "Falscher Typ: Text \"zwei\" statt ganze Zahl".to_owned()
        )]
    );
    let reply = send("/api/v1/waves", "text/plain", b"survey=x");
    assert_eq!(reply.status, 415);
    let reply = send(
        "/api/v1/waves",
        "application/json",
        br#"{"survey": "gibt-es-nicht", "title": "X"}"#,
    );
    assert_eq!(reply.status, 422);
    assert_eq!(reply.problem().1[0].0, "/survey");
    let big = vec![b' '; 10 * 1024 * 1024];
    let reply = send("/api/v1/waves", "application/json", &big);
    assert_eq!(reply.status, 413);
    assert_eq!(wave_count(&db), 0);

    assert_eq!(api.get("/api/v1/waves/gibt-es-nicht", &key).status, 404);
    let reply = api.get("/api/v1/gibt-es-nicht", &key);
    assert_eq!(reply.status, 404);
    assert!(reply.problem().0.contains("openapi.json"));

    // A list with a bad address in entry 1 and an unknown Land in entry 2: all named, none stored.
    let reply = api.post(
        "/api/v1/waves",
        &key,
        json!({"survey": "fruehjahr-2020", "title": "W", "closes": "2099-12-31"}),
    );
    assert_eq!(reply.status, 201);
    let path = "/api/v1/waves/w/participants";
    let reply = api.post(path, &key, json!({"participants": [
        {"email": "a@example.org", "region": "R1", "land": "Bayern", "attributes": {"landesnetzwerk": "ja"}},
        {"email": "kein-mail", "region": "R2", "land": "Bayern", "attributes": {"landesnetzwerk": "ja"}},
        {"email": "c@example.org", "region": "R3", "land": "Atlantis", "attributes": {"landesnetzwerk": "vielleicht"}},
    ]}));
    assert_eq!(reply.status, 422, "{}", reply.text());
    let pointers: Vec<String> = reply.problem().1.into_iter().map(|(p, _)| p).collect();
    assert!(
        pointers.contains(&"/participants/1/email".to_owned()),
        "{pointers:?}"
    );
    assert!(
        pointers.contains(&"/participants/2/land".to_owned()),
        "{pointers:?}"
    );
    assert!(
        pointers.contains(&"/participants/2/attributes/landesnetzwerk".to_owned()),
        "{pointers:?}"
    );
    assert!(reply.problem().0.contains("nichts wurde importiert"));
    let csv = "Region;Bundesland;E-Mail;Landesnetzwerk\nR1;Bayern;a@example.org;ja\nR2;Bayern;kein-mail;ja\n";
    let reply = send(path, "text/csv", csv.as_bytes());
    assert_eq!(reply.status, 422);
    assert_eq!(reply.problem().1[0].0, "#row=3");
    let reply = api.post(path, &key, json!({"participants": [{"email": "a@example.org", "region": "R", "land": "BY", "phone": "1"}]}));
    assert_eq!(reply.problem().1[0].0, "/participants/0/phone");
    assert_eq!(api.get(path, &key).json()["participants"], json!([]));
    let reply = api.get(&format!("{path}?limit=0"), &key);
    assert_eq!(reply.status, 400);
    assert_eq!(reply.problem().1[0].0, "limit");
}

#[test]
fn results_are_suppressed_as_on_the_board_and_answer_304_while_unchanged() {
    let db = TestDb::new();
    let slug = wave_with_participants(&db);
    fill(&db, &slug);
    staff_account(&db, "beirat@example.org", Role::Board, None);
    staff_account(&db, "by@example.org", Role::Coordinator, Some("DE-BY"));
    let board = key_for(&db, "beirat@example.org", "Website");
    let bavaria = key_for(&db, "by@example.org", "Bayern");
    let api = Api::new(TestApp::spawn(&db));
    let path = format!("/api/v1/waves/{slug}/results");

    let reply = api.get(&path, &board);
    assert_eq!(reply.status, 200);
    let results = reply.json();
    let n_of = |results: &Value, code: &str| -> Value {
        results["responses"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["breakdown"] == "land" && r["group_code"] == code)
            .map(|r| r["n"].clone())
            .unwrap_or(Value::Null)
    };
    assert_eq!(n_of(&results, "DE-BY"), 7, "{}", results["responses"]);
    // Bremen (2) and Saarland (1) are too few, and together still too few: North
    // Rhine-Westphalia (6) is hidden with them. No figure of theirs anywhere; the pool has 9.
    assert_eq!(n_of(&results, "weitere"), 9);
    for code in ["DE-NW", "DE-HB", "DE-SL"] {
        assert_eq!(n_of(&results, code), Value::Null);
        for list in ["figures", "means", "rates"] {
            for row in results[list]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["land_code"] == code)
            {
                for field in [
                    "n",
                    "count",
                    "percent",
                    "mean",
                    "median",
                    "min",
                    "max",
                    "invited",
                    "submitted",
                    "rate_percent",
                ] {
                    assert!(
                        row.get(field).is_none_or(Value::is_null),
                        "{code} {list} {field}: {row}"
                    );
                }
                assert!(row["suppressed"].is_string(), "{row}");
            }
        }
    }
    let good = |results: &Value, code: &str| {
        results["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| {
                r["question_id"] == "lage_gesamt"
                    && r["option_code"] == "sehr_gut"
                    && r["land_code"] == code
            })
            .map(|r| (r["count"].clone(), r["n"].clone()))
            .unwrap()
    };
    assert_eq!(good(&results, "DE-BY"), (json!(3), json!(7)));
    // The same figures as the board's per-land.csv.
    let csv = mint(
        &db,
        &[
            "report",
            "--wave",
            &slug,
            "--out",
            db.var_dir.join("bericht").to_str().unwrap(),
        ],
    );
    csv.success();
    let text = std::fs::read_to_string(db.var_dir.join("bericht/per-land.csv")).unwrap();
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let figures = results["figures"].as_array().unwrap();
    let mut compared = 0;
    for row in rows.deserialize::<HashMap<String, String>>() {
        let row = row.unwrap();
        let json_row = figures
            .iter()
            .find(|f| {
                f["question_id"] == row["question_id"].as_str()
                    && f["item_id"] == row["item_id"].as_str()
                    && f["option_code"] == row["option_code"].as_str()
                    && f["land_code"] == row["land_code"].as_str()
            })
            .unwrap();
        let shown = |v: &Value| v.as_u64().map_or(".".to_owned(), |n| n.to_string());
        assert_eq!(shown(&json_row["count"]), row["count"], "{row:?}");
        assert_eq!(shown(&json_row["n"]), row["n"], "{row:?}");
        compared += 1;
    }
    assert_eq!(compared, figures.len());

    // Unchanged: 304 on the ETag; after a submission (and the second the state is known for),
    // the new figures under a new tag.
    let tag = reply.header("etag");
    assert!(tag.starts_with('"'));
    let unchanged = api.call("GET", &path, Some(&board), None, &[("If-None-Match", &tag)]);
    assert_eq!(unchanged.status, 304);
    answer(
        &db,
        &slug,
        "by7@example.org",
        &[("lage_gesamt", "sehr_gut")],
        false,
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let changed = api.call("GET", &path, Some(&board), None, &[("If-None-Match", &tag)]);
    assert_eq!(changed.status, 200);
    assert_ne!(changed.header("etag"), tag);
    assert_eq!(n_of(&changed.json(), "DE-BY"), 8);

    // The trend over an earlier wave: each point as that wave shows it.
    assert_eq!(
        api.get(&format!("/api/v1/waves/{slug}/trend"), &board)
            .status,
        404
    );
    let autumn = crate::reports::autumn_wave(&db, &slug);
    let trend = api
        .get(&format!("/api/v1/waves/{autumn}/trend"), &board)
        .json();
    assert_eq!(trend["waves"], json!([slug.clone(), autumn.clone()]));
    let point = |wave: &str, code: &str| {
        trend["points"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| {
                p["wave"] == wave
                    && p["question_id"] == "lage_gesamt"
                    && p["option_code"] == "sehr_gut"
                    && p["land_code"] == code
            })
            .map(|p| p["count"].clone())
    };
    assert_eq!(point(&slug, "DE-BY"), Some(json!(4)));
    assert_eq!(point(&autumn, "DE-BY"), Some(json!(7)));
    assert!(
        trend["points"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["land_code"] == "DE-HB" && p["wave"] == slug.as_str())
            .all(|p| p["count"].is_null())
    );
    let own = api
        .get(&format!("/api/v1/waves/{autumn}/trend"), &bavaria)
        .json();
    assert!(
        own["points"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["land_code"] == "DE-BY")
    );

    // A coordinator's key reads its own Land only.
    let own = api.get(&path, &bavaria).json();
    assert_eq!(own["land"], "DE-BY");
    assert!(
        own["figures"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["land_code"] == "DE-BY")
    );
    assert_eq!(n_of(&own, "DE-BY"), 8);
    let reply = api.get(&format!("{path}?land=DE-NW"), &bavaria);
    assert_eq!(reply.status, 403);
    assert!(reply.problem().0.contains("DE-BY"));
    assert_eq!(
        api.get(&format!("/api/v1/waves/{slug}/files/report.pdf"), &bavaria)
            .status,
        403
    );
    assert_eq!(api.get("/api/v1/waves", &bavaria).status, 403);

    // The board's key downloads the PDF, recorded with the key's name.
    let pdf = api.get(&format!("/api/v1/waves/{slug}/files/report.pdf"), &board);
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.content_type(), "application/pdf");
    assert!(pdf.body.starts_with(b"%PDF"));
    assert_eq!(
        api.get(&format!("/api/v1/waves/{slug}/files/geheim.txt"), &board)
            .status,
        404
    );
    assert!(audit(&db).contains(&(
        "API-Schlüssel „Website“ (beirat@example.org)".into(),
        "report_downloaded".into(),
        format!("{slug}/report.pdf")
    )));
}

#[test]
fn a_key_over_its_rate_limit_waits_as_told() {
    let db = TestDb::new();
    staff_account(&db, "beirat@example.org", Role::Board, None);
    let key = key_for(&db, "beirat@example.org", "Website");
    let app = TestApp::spawn_with_env(&db, &[("API_RATE_LIMIT", "3".into())]);
    let api = Api::new(app);
    for _ in 0..3 {
        assert_eq!(api.get("/api/v1/waves/w/results", &key).status, 404);
    }
    let reply = api.get("/api/v1/waves/w/results", &key);
    assert_eq!(reply.status, 429);
    let wait: u64 = reply.header("retry-after").parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert!(reply.problem().0.contains("Sekunden"));
}
