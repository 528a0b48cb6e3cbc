//! CRM contacts, searchable by name, company or phone number.

use model::{AgentId, Contact, ContactId, Record, TenantId, VipTier};
use sqlx::PgExecutor;

use super::{RepoError, to_u8};

#[derive(sqlx::FromRow)]
struct Row {
    id: uuid::Uuid,
    name: String,
    phone_numbers: Vec<String>,
    company: String,
    vip_tier: i16,
    deal_stage: String,
    notes: String,
    owner_agent_id: Option<uuid::Uuid>,
}

const COLUMNS: &str = "id, name, phone_numbers, company, vip_tier, deal_stage, notes, owner_agent_id";

fn record(r: Row) -> Result<Record<ContactId, Contact>, RepoError> {
    Ok(Record {
        id: r.id.into(),
        data: Contact {
            name: r.name,
            phone_numbers: r.phone_numbers,
            company: r.company,
            vip_tier: VipTier(to_u8(r.vip_tier, "contacts.vip_tier")?),
            deal_stage: r.deal_stage,
            notes: r.notes,
            owner_agent_id: r.owner_agent_id.map(AgentId::from),
        },
    })
}

/// Creates a contact; an unknown owner is [`RepoError::MissingReference`].
pub async fn create(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    c: &Contact,
) -> Result<Record<ContactId, Contact>, RepoError> {
    let row: Row = sqlx::query_as(&format!(
        "INSERT INTO contacts (id, tenant_id, name, phone_numbers, company, vip_tier, deal_stage, notes, \
         owner_agent_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {COLUMNS}"
    ))
    .bind(ContactId::new().0)
    .bind(tenant.0)
    .bind(&c.name)
    .bind(&c.phone_numbers)
    .bind(&c.company)
    .bind(i16::from(c.vip_tier.0))
    .bind(&c.deal_stage)
    .bind(&c.notes)
    .bind(c.owner_agent_id.map(|a| a.0))
    .fetch_one(db)
    .await?;
    record(row)
}

/// Escapes `%`, `_` and `\` for a LIKE pattern.
fn like_escape(s: &str) -> String {
    s.chars().fold(String::with_capacity(s.len()), |mut out, c| {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
        out
    })
}

/// The tenant's contacts by name, at most `limit` from `offset`; with a
/// query, only those whose name or company contains it (any case) or one
/// of whose numbers contains it.
pub async fn search(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    query: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<Record<ContactId, Contact>>, RepoError> {
    let pattern = query.map(|q| format!("%{}%", like_escape(q.trim())));
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM contacts WHERE tenant_id = $1 AND ($2::text IS NULL \
         OR name ILIKE $2 OR company ILIKE $2 OR EXISTS (SELECT 1 FROM unnest(phone_numbers) p WHERE p LIKE $2)) \
         ORDER BY lower(name), id LIMIT $3 OFFSET $4"
    ))
    .bind(tenant.0)
    .bind(pattern)
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await?;
    rows.into_iter().map(record).collect()
}

/// The tenant's contacts with exactly this phone number (for screen pops).
pub async fn find_by_number(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    e164: &str,
) -> Result<Vec<Record<ContactId, Contact>>, RepoError> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM contacts WHERE tenant_id = $1 AND phone_numbers @> ARRAY[$2::text] ORDER BY id"
    ))
    .bind(tenant.0)
    .bind(e164)
    .fetch_all(db)
    .await?;
    rows.into_iter().map(record).collect()
}

/// One contact of the tenant.
pub async fn get(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    id: ContactId,
) -> Result<Option<Record<ContactId, Contact>>, RepoError> {
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM contacts WHERE tenant_id = $1 AND id = $2"))
        .bind(tenant.0)
        .bind(id.0)
        .fetch_optional(db)
        .await?;
    row.map(record).transpose()
}

/// Replaces a contact.
pub async fn update(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    id: ContactId,
    c: &Contact,
) -> Result<Option<Record<ContactId, Contact>>, RepoError> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "UPDATE contacts SET name = $3, phone_numbers = $4, company = $5, vip_tier = $6, deal_stage = $7, \
         notes = $8, owner_agent_id = $9 WHERE tenant_id = $1 AND id = $2 RETURNING {COLUMNS}"
    ))
    .bind(tenant.0)
    .bind(id.0)
    .bind(&c.name)
    .bind(&c.phone_numbers)
    .bind(&c.company)
    .bind(i16::from(c.vip_tier.0))
    .bind(&c.deal_stage)
    .bind(&c.notes)
    .bind(c.owner_agent_id.map(|a| a.0))
    .fetch_optional(db)
    .await?;
    row.map(record).transpose()
}

/// Deletes a contact.
pub async fn delete(db: impl PgExecutor<'_>, tenant: TenantId, id: ContactId) -> Result<bool, RepoError> {
    let done = sqlx::query("DELETE FROM contacts WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.0)
        .bind(id.0)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}
