//! The report queries (`store::reports`) over hand-inserted rollup and CDR
//! rows: sums, groupings, filters and tenant isolation, each figure
//! computed by hand in the test.

mod callers;
mod cdr_export;
mod layers;
mod rollups;

use chrono::{DateTime, TimeZone, Utc};
use model::TenantId;
use sqlx::PgPool;
use uuid::Uuid;

/// 2026-03-02 (a Monday) at `h:m` UTC, plus `days`.
pub fn at(days: i64, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, h, m, 0).unwrap() + chrono::Duration::days(days)
}

/// The day of 2026-03-02 UTC, the week after it, for `tenant`.
pub fn week(tenant: TenantId) -> store::reports::Filter {
    store::reports::Filter::new(tenant, at(0, 0, 0)..at(7, 0, 0))
}

/// Inserts one rollup row into `table`: the key columns `keys` and the
/// counters `counters`, all as SQL literals; then recomputes the tenant's
/// coarse rollups (migration 0012) from the fine ones, as the triggers
/// would have kept them.
pub async fn insert(pool: &PgPool, table: &str, tenant: TenantId, bucket: DateTime<Utc>, cols: &[(&str, String)]) {
    let names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
    let values: Vec<&str> = cols.iter().map(|(_, v)| v.as_str()).collect();
    let sql =
        format!("INSERT INTO {table} (tenant_id, bucket, {}) VALUES ($1, $2, {})", names.join(", "), values.join(", "));
    sqlx::query(&sql).bind(tenant.as_uuid()).bind(bucket).execute(pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    coarse(pool, tenant).await;
}

/// Recomputes `tenant`'s coarse rollups from its fine ones.
pub async fn coarse(pool: &PgPool, tenant: TenantId) {
    sqlx::query("SELECT rebuild_coarse_rollups($1)")
        .bind(tenant.as_uuid())
        .execute(pool)
        .await
        .expect("coarse rollups");
}

/// A UUID as an SQL literal.
pub fn lit(id: Uuid) -> String {
    format!("'{id}'")
}
