//! mint-survey: survey platform of the MINT-Regionen.
//!
//! Survey definitions are files in `surveys/` ([`survey`]: parsing and checking, pure), stored with
//! their versions in PostgreSQL ([`store`]). The operations of the product are in [`app`]; the
//! command line ([`commands`]) and the web application ([`web`]) both call them, configured by
//! [`config`]. `docs/ARCHITECTURE.md` shows how the parts fit together.

pub mod accounts;
pub mod app;
pub mod commands;
pub mod config;
#[doc(hidden)]
pub mod fuzzing;
pub mod logging;
pub mod mail;
pub mod participants;
pub mod report;
pub mod schedule;
pub mod store;
pub mod survey;
pub mod text;
pub mod time;
pub mod tokens;
pub mod web;
