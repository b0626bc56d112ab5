//! `serve`: the web application.

use std::net::TcpListener;

use anyhow::Context;

use crate::config::Settings;
use crate::store;
use crate::web::{AppState, Application};

/// Migrates the store and serves until stopped (Ctrl-C).
pub fn run(settings: &Settings, bind: Option<&str>) -> anyhow::Result<()> {
    let url = store::database_url(settings)?;
    store::run_migrations(&mut store::establish(&url)?)?;
    let pool = store::pool(&url, settings.database_connections())?;
    let bind = bind.unwrap_or(&settings.bind);
    let listener = TcpListener::bind(bind).with_context(|| format!("cannot listen on {bind}"))?;
    let mut state = AppState::new(pool, settings.secret_key()?, settings.clone());
    state.legal = crate::web::LegalTexts::from_settings(settings)?;
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(listener, state)?;
        println!(
            "mint-survey listens on http://{bind} (public address {}); stop it with Ctrl-C.",
            settings.public_url
        );
        app.server.await
    })?;
    Ok(())
}
