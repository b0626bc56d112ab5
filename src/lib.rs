//! mint-survey: survey platform of the MINT-Regionen.
//!
//! Survey definitions are files in `surveys/` ([`survey`]: parsing and checking, pure), stored with
//! their versions in PostgreSQL ([`store`]); [`commands`] implements the command line on top of
//! both, configured by [`config`]. `docs/ARCHITECTURE.md` shows how the parts fit together.

pub mod accounts;
pub mod commands;
pub mod config;
pub mod mail;
pub mod participants;
pub mod report;
pub mod store;
pub mod survey;
pub mod text;
pub mod time;
pub mod tokens;
pub mod web;
