//! IVR flows, stored as a JSON graph beside their name.

use std::collections::BTreeMap;

use model::{IvrFlow, IvrFlowId, IvrNode, Record, TenantId};
use serde::{Deserialize, Serialize};
use sqlx::PgExecutor;

use super::{RepoError, from_json, to_json};

/// The `graph` column: the flow without its name.
#[derive(Serialize, Deserialize)]
struct Graph {
    start: String,
    nodes: BTreeMap<String, IvrNode>,
}

type Row = (uuid::Uuid, String, serde_json::Value);

fn record((id, name, graph): Row) -> Result<Record<IvrFlowId, IvrFlow>, RepoError> {
    let g: Graph = from_json(graph, "ivr_flows.graph")?;
    Ok(Record { id: id.into(), data: IvrFlow { name, start: g.start, nodes: g.nodes } })
}

fn graph(flow: &IvrFlow) -> Result<serde_json::Value, RepoError> {
    to_json(&Graph { start: flow.start.clone(), nodes: flow.nodes.clone() }, "graph")
}

/// Creates a flow; a taken name is [`RepoError::Conflict`] on `ivr_flows_name_key`.
pub async fn create(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    flow: &IvrFlow,
) -> Result<Record<IvrFlowId, IvrFlow>, RepoError> {
    let row: Row = sqlx::query_as(
        "INSERT INTO ivr_flows (id, tenant_id, name, graph) VALUES ($1, $2, $3, $4) RETURNING id, name, graph",
    )
    .bind(IvrFlowId::new().0)
    .bind(tenant.0)
    .bind(&flow.name)
    .bind(graph(flow)?)
    .fetch_one(db)
    .await?;
    record(row)
}

/// Every flow of the tenant, by name.
pub async fn list(db: impl PgExecutor<'_>, tenant: TenantId) -> Result<Vec<Record<IvrFlowId, IvrFlow>>, RepoError> {
    let rows: Vec<Row> = sqlx::query_as("SELECT id, name, graph FROM ivr_flows WHERE tenant_id = $1 ORDER BY name")
        .bind(tenant.0)
        .fetch_all(db)
        .await?;
    rows.into_iter().map(record).collect()
}

/// One flow of the tenant.
pub async fn get(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    id: IvrFlowId,
) -> Result<Option<Record<IvrFlowId, IvrFlow>>, RepoError> {
    let row: Option<Row> = sqlx::query_as("SELECT id, name, graph FROM ivr_flows WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.0)
        .bind(id.0)
        .fetch_optional(db)
        .await?;
    row.map(record).transpose()
}

/// Replaces a flow.
pub async fn update(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    id: IvrFlowId,
    flow: &IvrFlow,
) -> Result<Option<Record<IvrFlowId, IvrFlow>>, RepoError> {
    let row: Option<Row> = sqlx::query_as(
        "UPDATE ivr_flows SET name = $3, graph = $4 WHERE tenant_id = $1 AND id = $2 RETURNING id, name, graph",
    )
    .bind(tenant.0)
    .bind(id.0)
    .bind(&flow.name)
    .bind(graph(flow)?)
    .fetch_optional(db)
    .await?;
    row.map(record).transpose()
}

/// Deletes a flow; one a number still enters is [`RepoError::InUse`].
pub async fn delete(db: impl PgExecutor<'_>, tenant: TenantId, id: IvrFlowId) -> Result<bool, RepoError> {
    let done = sqlx::query("DELETE FROM ivr_flows WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.0)
        .bind(id.0)
        .execute(db)
        .await
        .map_err(super::delete_error)?;
    Ok(done.rows_affected() == 1)
}
