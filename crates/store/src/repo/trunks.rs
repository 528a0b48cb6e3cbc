//! Carrier trunks. Digest passwords are stored as given, because the SIP
//! edge must answer challenges with them; callers of the API see
//! [`Trunk::redacted`] copies only.

use model::{DigestCredentials, InboundAuth, OutboundRegistration, Record, SipTransport, TenantId, Trunk, TrunkId};
use serde::{Deserialize, Serialize};
use sqlx::PgExecutor;

use super::{RepoError, from_json, to_json};

/// Credentials as stored: unlike the model, the password is serialised.
#[derive(Serialize, Deserialize)]
struct StoredCredentials {
    username: String,
    password: String,
}

impl From<&DigestCredentials> for StoredCredentials {
    fn from(c: &DigestCredentials) -> Self {
        StoredCredentials { username: c.username.clone(), password: c.password.clone() }
    }
}

impl From<StoredCredentials> for DigestCredentials {
    fn from(c: StoredCredentials) -> Self {
        DigestCredentials { username: c.username, password: c.password }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
enum StoredInbound {
    IpAllowList { sources: Vec<String> },
    Digest { credentials: StoredCredentials },
}

#[derive(Serialize, Deserialize)]
struct StoredRegistration {
    credentials: StoredCredentials,
    expires_secs: u32,
}

type Row = (
    uuid::Uuid,
    String,
    String,
    i32,
    serde_json::Value,
    serde_json::Value,
    Option<serde_json::Value>,
    Option<serde_json::Value>,
    i32,
);

const COLUMNS: &str =
    "id, name, host, port, to_jsonb(transport), inbound, outbound_credentials, registration, priority";

fn record(r: Row) -> Result<Record<TrunkId, Trunk>, RepoError> {
    let (id, name, host, port, transport, inbound, outbound, registration, priority) = r;
    let inbound = match from_json::<StoredInbound>(inbound, "trunks.inbound")? {
        StoredInbound::IpAllowList { sources } => InboundAuth::IpAllowList { sources },
        StoredInbound::Digest { credentials } => InboundAuth::Digest { credentials: credentials.into() },
    };
    let outbound_credentials =
        outbound.map(|c| from_json::<StoredCredentials>(c, "trunks.outbound_credentials")).transpose()?;
    let registration = registration
        .map(|r| from_json::<StoredRegistration>(r, "trunks.registration"))
        .transpose()?
        .map(|r| OutboundRegistration { credentials: r.credentials.into(), expires_secs: r.expires_secs });
    let port = u16::try_from(port).map_err(|_| RepoError::Corrupt(format!("trunks.port = {port}")))?;
    let priority = u16::try_from(priority).map_err(|_| RepoError::Corrupt(format!("trunks.priority = {priority}")))?;
    let transport: SipTransport = from_json(transport, "trunks.transport")?;
    Ok(Record {
        id: id.into(),
        data: Trunk {
            name,
            host,
            port,
            transport,
            inbound,
            outbound_credentials: outbound_credentials.map(Into::into),
            registration,
            priority,
        },
    })
}

/// The JSON columns of a trunk, secrets included.
fn json_columns(
    trunk: &Trunk,
) -> Result<(String, serde_json::Value, Option<serde_json::Value>, Option<serde_json::Value>), RepoError> {
    let transport = match to_json(&trunk.transport, "transport")? {
        serde_json::Value::String(s) => s,
        other => return Err(RepoError::Corrupt(format!("transport serialised as {other}"))),
    };
    let inbound = match &trunk.inbound {
        InboundAuth::IpAllowList { sources } => StoredInbound::IpAllowList { sources: sources.clone() },
        InboundAuth::Digest { credentials } => StoredInbound::Digest { credentials: credentials.into() },
    };
    let outbound = trunk.outbound_credentials.as_ref().map(StoredCredentials::from);
    let registration = trunk
        .registration
        .as_ref()
        .map(|r| StoredRegistration { credentials: (&r.credentials).into(), expires_secs: r.expires_secs });
    Ok((
        transport,
        to_json(&inbound, "inbound")?,
        outbound.map(|o| to_json(&o, "outbound_credentials")).transpose()?,
        registration.map(|r| to_json(&r, "registration")).transpose()?,
    ))
}

/// Creates a trunk; a taken name is [`RepoError::Conflict`] on `trunks_name_key`.
pub async fn create(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    trunk: &Trunk,
) -> Result<Record<TrunkId, Trunk>, RepoError> {
    let (transport, inbound, outbound, registration) = json_columns(trunk)?;
    let row: Row = sqlx::query_as(&format!(
        "INSERT INTO trunks (id, tenant_id, name, host, port, transport, inbound, outbound_credentials, \
         registration, priority) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {COLUMNS}"
    ))
    .bind(TrunkId::new().0)
    .bind(tenant.0)
    .bind(&trunk.name)
    .bind(&trunk.host)
    .bind(i32::from(trunk.port))
    .bind(transport)
    .bind(inbound)
    .bind(outbound)
    .bind(registration)
    .bind(i32::from(trunk.priority))
    .fetch_one(db)
    .await?;
    record(row)
}

/// Every trunk of the tenant, by priority then name, secrets included.
pub async fn list(db: impl PgExecutor<'_>, tenant: TenantId) -> Result<Vec<Record<TrunkId, Trunk>>, RepoError> {
    let rows: Vec<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM trunks WHERE tenant_id = $1 ORDER BY priority, name"))
            .bind(tenant.0)
            .fetch_all(db)
            .await?;
    rows.into_iter().map(record).collect()
}

/// One trunk of the tenant, secrets included.
pub async fn get(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    id: TrunkId,
) -> Result<Option<Record<TrunkId, Trunk>>, RepoError> {
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM trunks WHERE tenant_id = $1 AND id = $2"))
        .bind(tenant.0)
        .bind(id.0)
        .fetch_optional(db)
        .await?;
    row.map(record).transpose()
}

/// Replaces a trunk.
pub async fn update(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    id: TrunkId,
    trunk: &Trunk,
) -> Result<Option<Record<TrunkId, Trunk>>, RepoError> {
    let (transport, inbound, outbound, registration) = json_columns(trunk)?;
    let row: Option<Row> = sqlx::query_as(&format!(
        "UPDATE trunks SET name = $3, host = $4, port = $5, transport = $6, inbound = $7, \
         outbound_credentials = $8, registration = $9, priority = $10 \
         WHERE tenant_id = $1 AND id = $2 RETURNING {COLUMNS}"
    ))
    .bind(tenant.0)
    .bind(id.0)
    .bind(&trunk.name)
    .bind(&trunk.host)
    .bind(i32::from(trunk.port))
    .bind(transport)
    .bind(inbound)
    .bind(outbound)
    .bind(registration)
    .bind(i32::from(trunk.priority))
    .fetch_optional(db)
    .await?;
    row.map(record).transpose()
}

/// Deletes a trunk.
pub async fn delete(db: impl PgExecutor<'_>, tenant: TenantId, id: TrunkId) -> Result<bool, RepoError> {
    let done = sqlx::query("DELETE FROM trunks WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.0)
        .bind(id.0)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}
