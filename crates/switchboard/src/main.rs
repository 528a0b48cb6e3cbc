//! The Switchboard binary: `serve`, `migrate`, `demo`, `user add`.

// `serve`, `demo` and `user add` are wired once the API and the event writer
// land (issue 2, in progress); until then parts of these modules are unused.
#[allow(dead_code)]
mod config;
#[allow(dead_code)]
mod database;
#[allow(dead_code)]
mod demo_data;
mod logging;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::Config;

/// Switchboard: a contact-center telephony platform.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// A configuration file overriding the built-in defaults.
    #[arg(long, global = true, env = "SWITCHBOARD_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the platform until interrupted.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::load(cli.config.as_deref())?;
    logging::init(&config.log);
    match cli.command {
        Command::Serve => anyhow::bail!("serve is not wired yet"),
        Command::Migrate => {
            let db = database::open(&config).await?;
            println!("migrations applied to {}", database::redact(&db.url));
            Ok(())
        }
    }
}
