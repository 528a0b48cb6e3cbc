//! `switchboard user add`: a login for a tenant, the password from stdin so
//! it never appears in the process list or the shell history.

use std::io::BufRead;

use anyhow::Context;
use api::bootstrap::{self, BootstrapError};
use model::{NewUser, Role, User};
use sqlx::PgPool;

/// Arguments of `user add`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The tenant's slug.
    #[arg(long)]
    tenant: String,
    /// Login name, unique in the tenant.
    #[arg(long)]
    username: String,
    /// The name shown to colleagues.
    #[arg(long)]
    display_name: String,
    /// admin, supervisor or agent.
    #[arg(long, value_parser = parse_role)]
    role: Role,
    /// Read the password from the first line of standard input (required).
    #[arg(long)]
    password_stdin: bool,
}

fn parse_role(s: &str) -> Result<Role, String> {
    match s {
        "admin" => Ok(Role::Admin),
        "supervisor" => Ok(Role::Supervisor),
        "agent" => Ok(Role::Agent),
        other => Err(format!("unknown role {other:?}: use admin, supervisor or agent")),
    }
}

/// Adds the user and prints its id.
pub async fn run(pool: &PgPool, args: Args) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.password_stdin,
        "give the password on standard input with --password-stdin (it is never taken from the command line)"
    );
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password).context("cannot read the password from standard input")?;
    let password = password.trim_end_matches(['\r', '\n']).to_owned();

    let tenant = bootstrap::find_tenant(pool, &args.tenant)
        .await?
        .with_context(|| format!("no tenant with slug {:?}", args.tenant))?;
    let user = NewUser {
        user: User { username: args.username.clone(), display_name: args.display_name, role: args.role },
        password,
    };
    match bootstrap::create_user(pool, tenant.id, user).await {
        Ok(stored) => {
            println!(
                "added {} ({}) to {}: {}",
                args.username,
                crate::demo::role_name(args.role),
                args.tenant,
                stored.id
            );
            Ok(())
        }
        Err(BootstrapError::AlreadyExists(_)) => {
            anyhow::bail!("tenant {:?} already has a user {:?}", args.tenant, args.username)
        }
        Err(BootstrapError::Invalid(errors)) => anyhow::bail!("invalid user: {errors}"),
        Err(e) => Err(e).context("cannot add the user"),
    }
}
