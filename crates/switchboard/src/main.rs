//! The Switchboard binary: `serve`, `migrate`, `demo`, `user add`, `history`.

mod call_layer;
mod config;
mod database;
mod demo;
mod demo_data;
mod history;
mod logging;
mod serve;
mod sip_edge;
mod user_add;

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
    /// Run the platform until interrupted (SIGINT/SIGTERM shut it down gracefully).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Seed the demo tenant (does nothing when it exists) and print its logins.
    Demo,
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Write synthetic call history (CDR rows and agent state intervals)
    /// for a tenant: demos, reports and benchmarks.
    History(history::Args),
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a user to a tenant; the password is read from standard input.
    Add(user_add::Args),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::load(cli.config.as_deref())?;
    logging::init(&config.log);
    match cli.command {
        Command::Serve => serve::run(&config).await,
        Command::Migrate => {
            let db = database::open(&config).await?;
            println!("migrations applied to {}", database::redact(&db.url));
            Ok(())
        }
        Command::Demo => {
            let db = database::open(&config).await?;
            match demo::seed(&db.pool).await? {
                demo::Seeded::Created => println!("seeded the demo tenant"),
                demo::Seeded::AlreadyThere => println!("the demo tenant is already there; nothing changed"),
            }
            print!("{}", demo::credentials(&config.sip.domain));
            Ok(())
        }
        Command::User(UserCommand::Add(args)) => {
            let db = database::open(&config).await?;
            user_add::run(&db.pool, args).await
        }
        Command::History(args) => {
            let db = database::open(&config).await?;
            history::run(&db.pool, args).await
        }
    }
}
