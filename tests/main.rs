//! The integration tests: one binary, real PostgreSQL, the real `mint-survey` binary.
//!
//! Every test gets its own database, cloned from a migrated template (see `helpers::db`), so the
//! tests run in parallel without seeing each other's data.

// A failing helper should stop its test with a message: that is what expect is for here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod accounts;
mod api;
mod brakes;
mod browser;
mod browser_flow;
mod changes;
mod cluster;
mod demo;
mod logging;
mod mailing;
mod migrations;
mod one_form;
mod open_link;
mod optout;
mod outage;
mod participants;
mod progress;
mod properties;
mod questionnaire;
mod report_dialects;
mod reports;
mod schedule;
mod staff;
mod surveys;
mod test_link;
mod wave_texts;
mod waves;
