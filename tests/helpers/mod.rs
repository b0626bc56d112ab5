//! Shared test helpers: databases, the command line, an SMTP receiver.

pub mod app;
pub mod browser;
pub mod cli;
pub mod db;
pub mod fixtures;
pub mod smtp;
