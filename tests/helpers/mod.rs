//! Shared test helpers: databases, the command line.

pub mod cli;
pub mod db;
