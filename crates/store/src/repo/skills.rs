//! Skills.

use model::{Record, Skill, SkillId, TenantId};
use sqlx::PgExecutor;

use super::RepoError;

type Row = (uuid::Uuid, String, String);

fn record((id, name, description): Row) -> Record<SkillId, Skill> {
    Record { id: id.into(), data: Skill { name, description } }
}

/// Creates a skill; a taken name is [`RepoError::Conflict`] on `skills_name_key`.
pub async fn create(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    skill: &Skill,
) -> Result<Record<SkillId, Skill>, RepoError> {
    let row: Row = sqlx::query_as(
        "INSERT INTO skills (id, tenant_id, name, description) VALUES ($1, $2, $3, $4) \
         RETURNING id, name, description",
    )
    .bind(SkillId::new().0)
    .bind(tenant.0)
    .bind(&skill.name)
    .bind(&skill.description)
    .fetch_one(db)
    .await?;
    Ok(record(row))
}

/// Every skill of the tenant, by name.
pub async fn list(db: impl PgExecutor<'_>, tenant: TenantId) -> Result<Vec<Record<SkillId, Skill>>, RepoError> {
    let rows: Vec<Row> = sqlx::query_as("SELECT id, name, description FROM skills WHERE tenant_id = $1 ORDER BY name")
        .bind(tenant.0)
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().map(record).collect())
}

/// One skill of the tenant.
pub async fn get(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    id: SkillId,
) -> Result<Option<Record<SkillId, Skill>>, RepoError> {
    let row: Option<Row> = sqlx::query_as("SELECT id, name, description FROM skills WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.0)
        .bind(id.0)
        .fetch_optional(db)
        .await?;
    Ok(row.map(record))
}

/// Replaces a skill.
pub async fn update(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    id: SkillId,
    skill: &Skill,
) -> Result<Option<Record<SkillId, Skill>>, RepoError> {
    let row: Option<Row> = sqlx::query_as(
        "UPDATE skills SET name = $3, description = $4 WHERE tenant_id = $1 AND id = $2 \
         RETURNING id, name, description",
    )
    .bind(tenant.0)
    .bind(id.0)
    .bind(&skill.name)
    .bind(&skill.description)
    .fetch_optional(db)
    .await?;
    Ok(row.map(record))
}

/// Deletes a skill; one still required or held is [`RepoError::InUse`].
pub async fn delete(db: impl PgExecutor<'_>, tenant: TenantId, id: SkillId) -> Result<bool, RepoError> {
    let done = sqlx::query("DELETE FROM skills WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.0)
        .bind(id.0)
        .execute(db)
        .await
        .map_err(super::delete_error)?;
    Ok(done.rows_affected() == 1)
}
