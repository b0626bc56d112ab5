//! Load generator for the submit benchmark (`bench/submit.sh`): virtual respondents, each with a
//! personal link of its own, fill in a complete `fruehjahr-2020` questionnaire the way a browser does:
//! GET the link (CSRF cookie), POST the consent, POST every page with every question answered, POST
//! "Absenden". Prints complete responses per second and latency percentiles.
//!
//! Usage: `submit_load LINKS.csv CONCURRENCY [RESPONSES] [first-page|one-form]` (the CSV of
//! `participants links`). With `first-page`, each virtual respondent only opens its link once (the
//! first page); with `one-form`, it opens "Alle Fragen auf einer Seite" (`?alle`) and sends consent,
//! every answer and "Absenden" in one POST, as a browser does on that page.
//!
//! `submit_load api URL CONCURRENCY REQUESTS KEY ETAG` (for `bench/api.sh`): GETs `URL` with the API
//! key and `If-None-Match: ETAG` over kept-alive connections, as a website polling its results
//! does; every answer must be 304. Prints requests per second and latency percentiles.

// Benchmark tooling: a failure should stop it with a message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use mint_survey::survey::answers::{self, Answers, Attributes, FormFields};
use mint_survey::survey::{Format, QuestionKind, Survey, parse_definition};

fn main() {
    let mut args = std::env::args().skip(1);
    let links_file = args.next().expect("LINKS.csv");
    if links_file == "api" {
        return api(args.collect());
    }
    let concurrency: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(16);
    let csv = std::fs::read_to_string(&links_file).unwrap();
    let links: Vec<String> = csv
        .lines()
        .skip(1)
        .filter_map(|l| l.rsplit(',').next().map(str::to_owned))
        .collect();
    let wanted: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(links.len());
    let links = &links[..wanted.min(links.len())];
    let mode = args.next().unwrap_or_default();
    let first_page_only = mode == "first-page";
    let one_form = mode == "one-form";
    let pages = forms(
        &parse_definition(
            "fruehjahr-2020.toml",
            include_bytes!("../surveys/fruehjahr-2020.toml"),
            Format::Toml,
        )
        .unwrap(),
    );

    let next = AtomicUsize::new(0);
    let request_times = Mutex::new(Vec::with_capacity(links.len() * 10));
    let response_times = Mutex::new(Vec::with_capacity(links.len()));
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..concurrency {
            scope.spawn(|| {
                let mut agent = Client::default();
                let mut mine = Vec::new();
                let mut whole = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(link) = links.get(i) else { break };
                    let t0 = Instant::now();
                    if first_page_only {
                        let page = agent.request(link, None, None);
                        assert_eq!(page.status, 200);
                    } else if one_form {
                        respond_in_one_form(&mut agent, link, &pages, &mut mine);
                    } else {
                        respond(&mut agent, link, &pages, &mut mine);
                    }
                    whole.push(t0.elapsed());
                }
                request_times.lock().unwrap().extend(mine);
                response_times.lock().unwrap().extend(whole);
            });
        }
    });
    let elapsed = started.elapsed();
    if first_page_only {
        let mut times = response_times.into_inner().unwrap();
        times.sort();
        let pct = |p: f64| {
            times[((times.len() as f64 * p) as usize).min(times.len() - 1)].as_secs_f64() * 1000.0
        };
        println!(
            "first page via token, concurrency {concurrency}: {} requests in {:.2} s = {:.0} requests/s; p50 {:.1} ms, p99 {:.1} ms",
            times.len(),
            elapsed.as_secs_f64(),
            times.len() as f64 / elapsed.as_secs_f64(),
            pct(0.50),
            pct(0.99)
        );
        return;
    }
    let mut requests = request_times.into_inner().unwrap();
    let mut responses = response_times.into_inner().unwrap();
    requests.sort();
    responses.sort();
    let pct = |v: &[Duration], p: f64| {
        v[((v.len() as f64 * p) as usize).min(v.len() - 1)].as_secs_f64() * 1000.0
    };
    println!(
        "concurrency {concurrency}: {} complete responses in {:.2} s = {:.0} responses/s ({:.0} requests/s); \
         request latency p50 {:.1} ms, p99 {:.1} ms; whole response p50 {:.0} ms, p99 {:.0} ms",
        responses.len(),
        elapsed.as_secs_f64(),
        responses.len() as f64 / elapsed.as_secs_f64(),
        requests.len() as f64 / elapsed.as_secs_f64(),
        pct(&requests, 0.50),
        pct(&requests, 0.99),
        pct(&responses, 0.50),
        pct(&responses, 0.99),
    );
}

/// Polls one API address with a key and an entity tag: every answer must be 304.
fn api(args: Vec<String>) {
    let [url, concurrency, requests, key, etag] = &args[..] else {
        panic!("api URL CONCURRENCY REQUESTS KEY ETAG")
    };
    let concurrency: usize = concurrency.parse().unwrap();
    let requests: usize = requests.parse().unwrap();
    let headers = format!("Authorization: Bearer {key}\r\nIf-None-Match: {etag}\r\n");
    let next = AtomicUsize::new(0);
    let times = Mutex::new(Vec::with_capacity(requests));
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..concurrency {
            scope.spawn(|| {
                let mut agent = Client {
                    connection: None,
                    headers: headers.clone(),
                };
                let mut mine = Vec::new();
                while next.fetch_add(1, Ordering::Relaxed) < requests {
                    let t0 = Instant::now();
                    let answer = agent.request(url, None, None);
                    mine.push(t0.elapsed());
                    assert_eq!(
                        answer.status,
                        304,
                        "{}",
                        String::from_utf8_lossy(&answer.body)
                    );
                }
                times.lock().unwrap().extend(mine);
            });
        }
    });
    let elapsed = started.elapsed();
    let mut times = times.into_inner().unwrap();
    times.sort();
    let pct = |p: f64| {
        times[((times.len() as f64 * p) as usize).min(times.len() - 1)].as_secs_f64() * 1000.0
    };
    println!(
        "304 with If-None-Match, concurrency {concurrency}: {} requests in {:.2} s = {:.0} requests/s; p50 {:.2} ms, p99 {:.2} ms",
        times.len(),
        elapsed.as_secs_f64(),
        times.len() as f64 / elapsed.as_secs_f64(),
        pct(0.50),
        pct(0.99)
    );
}

/// Opens `url` like a browser's first visit: the CSRF cookie it sets and the token in it.
fn open(agent: &mut Client, url: &str, times: &mut Vec<Duration>) -> (String, String) {
    let t0 = Instant::now();
    let page = agent.request(url, None, None);
    times.push(t0.elapsed());
    assert_eq!(page.status, 200, "{url} did not open");
    assert!(page.body.ends_with(b"</html>"), "a whole page");
    let cookie = page.cookie.expect("the first visit sets the CSRF cookie");
    let csrf = cookie.trim_start_matches("csrf=").to_owned();
    (cookie, csrf)
}

/// Posts a form body to `link` with `cookie`; it must be accepted (303).
fn post(agent: &mut Client, link: &str, cookie: &str, body: &str, times: &mut Vec<Duration>) {
    let t0 = Instant::now();
    let answer = agent.request(link, Some(cookie), Some(body));
    times.push(t0.elapsed());
    assert_eq!(answer.status, 303, "a form was refused");
}

/// What the server answered.
struct Answer {
    status: u16,
    /// The first `Set-Cookie`, up to its first `;`.
    cookie: Option<String>,
    body: Vec<u8>,
}

/// A minimal HTTP/1.1 client with one kept-alive connection, as a browser tab has: a load generator
/// on the same 2 cores as the server should spend as little CPU as it can (as `wrk` or `oha` do).
#[derive(Default)]
struct Client {
    connection: Option<BufReader<TcpStream>>,
    /// Header lines sent with every request (`Name: value\r\n`).
    headers: String,
}

impl Client {
    /// GET `url`, or POST `form` (urlencoded) to it; reads the whole answer.
    fn request(&mut self, url: &str, cookie: Option<&str>, form: Option<&str>) -> Answer {
        let rest = url.strip_prefix("http://").expect("an http:// link");
        let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let mut head = format!(
            "{} {path} HTTP/1.1\r\nHost: {host}\r\n",
            if form.is_some() { "POST" } else { "GET" }
        );
        head.push_str(&self.headers);
        if let Some(cookie) = cookie {
            head.push_str(&format!("Cookie: {cookie}\r\n"));
        }
        if let Some(form) = form {
            head.push_str(&format!(
                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
                form.len()
            ));
        }
        head.push_str("\r\n");
        head.push_str(form.unwrap_or_default());
        let connection = self.connection.get_or_insert_with(|| {
            let stream = TcpStream::connect(host).unwrap();
            stream.set_nodelay(true).unwrap();
            BufReader::with_capacity(64 * 1024, stream)
        });
        connection.get_mut().write_all(head.as_bytes()).unwrap();
        let mut line = String::new();
        connection.read_line(&mut line).unwrap();
        let status = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("a status line");
        let (mut length, mut cookie) = (0, None);
        loop {
            line.clear();
            connection.read_line(&mut line).unwrap();
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let (name, value) = header.split_once(':').expect("a header");
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                length = value.parse().unwrap();
            } else if name.eq_ignore_ascii_case("set-cookie") && cookie.is_none() {
                cookie = value.split(';').next().map(str::to_owned);
            }
        }
        let mut body = vec![0; length];
        connection.read_exact(&mut body).unwrap();
        Answer {
            status,
            cookie,
            body,
        }
    }
}

/// One complete questionnaire through `link`; every request's time goes into `times`.
fn respond(agent: &mut Client, link: &str, pages: &[(usize, String)], times: &mut Vec<Duration>) {
    let (cookie, csrf) = open(agent, link, times);
    let consent = format!("csrf={csrf}&aktion=beginnen&einwilligung=ja");
    post(agent, link, &cookie, &consent, times);
    for (i, (page, fields)) in pages.iter().enumerate() {
        let action = if i + 1 == pages.len() {
            "absenden"
        } else {
            "weiter"
        };
        let body = format!("csrf={csrf}&aktion={action}&page={page}{fields}");
        post(agent, link, &cookie, &body, times);
    }
}

/// One complete questionnaire through `link` as one form: GET `?alle`, then one POST with consent,
/// every page's answers and "Absenden".
fn respond_in_one_form(
    agent: &mut Client,
    link: &str,
    pages: &[(usize, String)],
    times: &mut Vec<Duration>,
) {
    let (cookie, csrf) = open(agent, &format!("{link}?alle"), times);
    let fields: String = pages.iter().map(|(_, f)| f.as_str()).collect();
    let body = format!("csrf={csrf}&aktion=alles-absenden&einwilligung=ja{fields}");
    post(agent, link, &cookie, &body, times);
}

/// The visible pages of a complete answer (every question answered) and their form bodies.
fn forms(survey: &Survey) -> Vec<(usize, String)> {
    let attributes: Attributes = [("landesnetzwerk".to_owned(), "ja".to_owned())]
        .into_iter()
        .collect();
    let mut answers = Answers::new();
    let mut out = Vec::new();
    let mut page = answers::visible_pages(survey, &answers, &attributes)
        .first()
        .copied();
    while let Some(current) = page {
        let mut fields = FormFields::new();
        for question in answers::visible_questions(survey, current, &answers, &attributes) {
            let first = |c: &mint_survey::survey::Choices| {
                c.options
                    .iter()
                    .find(|o| !o.missing && !o.other && !o.exclusive)
                    .unwrap()
                    .code
                    .clone()
            };
            let name = answers::field_name(&question.id);
            match &question.kind {
                QuestionKind::Single { choices } | QuestionKind::Multiple { choices, .. } => {
                    fields.insert(name, vec![first(choices)]);
                }
                QuestionKind::Matrix { items, choices } => {
                    for item in items {
                        fields.insert(
                            answers::matrix_field_name(&question.id, &item.id),
                            vec![first(choices)],
                        );
                    }
                }
                QuestionKind::Number { .. } => {
                    fields.insert(name, vec!["3".into()]);
                }
                QuestionKind::Text { .. } | QuestionKind::LongText { .. } => {
                    fields.insert(
                        name,
                        vec!["Eine Antwort, wie sie vorkommt: ein oder zwei Sätze.".into()],
                    );
                }
                QuestionKind::Date { .. } => {
                    fields.insert(name, vec!["01.05.2020".into()]);
                }
                QuestionKind::Land => {
                    fields.insert(name, vec!["DE-TH".into()]);
                }
            }
        }
        let input = answers::read_page(survey, current, &fields, &answers, &attributes);
        assert!(input.errors.is_empty(), "{:?}", input.errors);
        answers.extend(input.answers);
        let body: String = fields
            .iter()
            .flat_map(|(name, values)| values.iter().map(move |v| format!("&{name}={}", encode(v))))
            .collect();
        out.push((current, body));
        page = answers::visible_pages(survey, &answers, &attributes)
            .into_iter()
            .find(|&p| p > current);
    }
    out
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}
