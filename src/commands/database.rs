//! `migrate` and `db status|stop`: the store itself.

use anyhow::Context;

use crate::config::Settings;
use crate::store::{self, cluster::Cluster};

/// Applies every pending migration and says which.
pub fn migrate(settings: &Settings) -> anyhow::Result<()> {
    let url = store::database_url(settings)?;
    let mut conn = store::establish(&url)?;
    let applied = store::run_migrations(&mut conn)?;
    if applied.is_empty() {
        println!("The database is up to date.");
    } else {
        for name in &applied {
            println!("applied {name}");
        }
        println!("{} migrations applied.", applied.len());
    }
    Ok(())
}

/// Says where the data is: `DATABASE_URL` or the private cluster, and whether that is running.
pub fn status(settings: &Settings) -> anyhow::Result<()> {
    if let Some(url) = &settings.database_url {
        println!("DATABASE_URL: {}", store::redact_url(url));
        return Ok(());
    }
    match Cluster::existing(&settings.var_dir)? {
        None => println!(
            "No private cluster yet; the first command that needs the database creates it in {}.",
            settings.var_dir.join("postgres").display()
        ),
        Some(cluster) => println!(
            "Private cluster in {}: {}.",
            cluster.data_dir().display(),
            if cluster.is_running()? {
                "running"
            } else {
                "stopped"
            }
        ),
    }
    Ok(())
}

/// Stops the private cluster (it keeps running between commands otherwise).
pub fn stop(settings: &Settings) -> anyhow::Result<()> {
    anyhow::ensure!(
        settings.database_url.is_none(),
        "DATABASE_URL is set: mint-survey does not run that server, so it does not stop it"
    );
    let cluster = Cluster::existing(&settings.var_dir)?.with_context(|| {
        format!(
            "there is no private cluster in {}",
            settings.var_dir.join("postgres").display()
        )
    })?;
    cluster.stop()?;
    println!(
        "Stopped the private cluster in {}.",
        cluster.data_dir().display()
    );
    Ok(())
}
