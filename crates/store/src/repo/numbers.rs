//! Phone numbers (DIDs) and their entry points. A number belongs to one
//! tenant across the platform.

use model::{EntryPoint, NumberId, PhoneNumber, Record, TenantId};
use sqlx::PgExecutor;

use super::RepoError;

type Row = (uuid::Uuid, String, String, Option<uuid::Uuid>, Option<uuid::Uuid>);

/// A [`Row`] preceded by the owning tenant's id.
type TenantRow = (uuid::Uuid, uuid::Uuid, String, String, Option<uuid::Uuid>, Option<uuid::Uuid>);

const COLUMNS: &str = "id, e164, label, entry_queue_id, entry_flow_id";

fn record((id, e164, label, queue, flow): Row) -> Result<Record<NumberId, PhoneNumber>, RepoError> {
    let entry = match (queue, flow) {
        (Some(q), None) => EntryPoint::Queue { queue_id: q.into() },
        (None, Some(f)) => EntryPoint::Ivr { flow_id: f.into() },
        _ => return Err(RepoError::Corrupt(format!("number {id} has no single entry point"))),
    };
    Ok(Record { id: id.into(), data: PhoneNumber { e164, entry, label } })
}

fn entry_ids(entry: &EntryPoint) -> (Option<uuid::Uuid>, Option<uuid::Uuid>) {
    match entry {
        EntryPoint::Queue { queue_id } => (Some(queue_id.0), None),
        EntryPoint::Ivr { flow_id } => (None, Some(flow_id.0)),
    }
}

/// Creates a number; one already taken (by any tenant) is
/// [`RepoError::Conflict`] on `numbers_e164_key`.
pub async fn create(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    number: &PhoneNumber,
) -> Result<Record<NumberId, PhoneNumber>, RepoError> {
    let (queue, flow) = entry_ids(&number.entry);
    let row: Row = sqlx::query_as(&format!(
        "INSERT INTO numbers (id, tenant_id, e164, label, entry_queue_id, entry_flow_id) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COLUMNS}"
    ))
    .bind(NumberId::new().0)
    .bind(tenant.0)
    .bind(&number.e164)
    .bind(&number.label)
    .bind(queue)
    .bind(flow)
    .fetch_one(db)
    .await?;
    record(row)
}

/// Every number of the tenant.
pub async fn list(db: impl PgExecutor<'_>, tenant: TenantId) -> Result<Vec<Record<NumberId, PhoneNumber>>, RepoError> {
    let rows: Vec<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM numbers WHERE tenant_id = $1 ORDER BY e164"))
        .bind(tenant.0)
        .fetch_all(db)
        .await?;
    rows.into_iter().map(record).collect()
}

/// One number of the tenant.
pub async fn get(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    id: NumberId,
) -> Result<Option<Record<NumberId, PhoneNumber>>, RepoError> {
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM numbers WHERE tenant_id = $1 AND id = $2"))
        .bind(tenant.0)
        .bind(id.0)
        .fetch_optional(db)
        .await?;
    row.map(record).transpose()
}

/// The tenant and number a dialled E.164 belongs to (for inbound routing).
pub async fn find_by_e164(
    db: impl PgExecutor<'_>,
    e164: &str,
) -> Result<Option<(TenantId, Record<NumberId, PhoneNumber>)>, RepoError> {
    let row: Option<TenantRow> = sqlx::query_as(&format!("SELECT tenant_id, {COLUMNS} FROM numbers WHERE e164 = $1"))
        .bind(e164)
        .fetch_optional(db)
        .await?;
    let Some((tenant, id, e164, label, q, f)) = row else { return Ok(None) };
    Ok(Some((tenant.into(), record((id, e164, label, q, f))?)))
}

/// Replaces a number.
pub async fn update(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    id: NumberId,
    number: &PhoneNumber,
) -> Result<Option<Record<NumberId, PhoneNumber>>, RepoError> {
    let (queue, flow) = entry_ids(&number.entry);
    let row: Option<Row> = sqlx::query_as(&format!(
        "UPDATE numbers SET e164 = $3, label = $4, entry_queue_id = $5, entry_flow_id = $6 \
         WHERE tenant_id = $1 AND id = $2 RETURNING {COLUMNS}"
    ))
    .bind(tenant.0)
    .bind(id.0)
    .bind(&number.e164)
    .bind(&number.label)
    .bind(queue)
    .bind(flow)
    .fetch_optional(db)
    .await?;
    row.map(record).transpose()
}

/// Deletes a number.
pub async fn delete(db: impl PgExecutor<'_>, tenant: TenantId, id: NumberId) -> Result<bool, RepoError> {
    let done = sqlx::query("DELETE FROM numbers WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.0)
        .bind(id.0)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}
