//! Platform operators: the people who create tenants. Tokens are stored hashed.

use sqlx::PgExecutor;

use super::RepoError;

/// Registers an operator with the SHA-256 of their token.
pub async fn create(db: impl PgExecutor<'_>, name: &str, token_hash: &[u8]) -> Result<uuid::Uuid, RepoError> {
    let id = uuid::Uuid::now_v7();
    sqlx::query("INSERT INTO operators (id, name, token_hash) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(name)
        .bind(token_hash)
        .execute(db)
        .await?;
    Ok(id)
}

/// The name of the operator whose token hashes to `token_hash`.
pub async fn find_by_token_hash(db: impl PgExecutor<'_>, token_hash: &[u8]) -> Result<Option<String>, RepoError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT name FROM operators WHERE token_hash = $1").bind(token_hash).fetch_optional(db).await?;
    Ok(row.map(|(n,)| n))
}
