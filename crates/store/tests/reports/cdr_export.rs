//! The raw CDR export: keyset pages in arrival order, filters, tenants.

use model::{AgentId, TenantId};
use store::reports::cdr_export::{self, COLUMNS};
use uuid::Uuid;

use super::{at, week};

async fn call(
    pool: &sqlx::PgPool,
    tenant: TenantId,
    id: Uuid,
    at: chrono::DateTime<chrono::Utc>,
    agent: Option<AgentId>,
) {
    sqlx::query(
        "INSERT INTO calls (call_id, tenant_id, arrived_at, outcome, caller_number, dialled_number, agent_id, \
         wait_ms, ivr_choices) VALUES ($1, $2, $3, 'answered', '+441632960001', '+441632960999', $4, 4200, \
         '{main=1,sales=2}')",
    )
    .bind(id)
    .bind(tenant.as_uuid())
    .bind(at)
    .bind(agent.map(|a| a.as_uuid()))
    .execute(pool)
    .await
    .expect("insert call");
}

#[tokio::test]
async fn pages_follow_arrival_order_without_gaps_and_stay_in_the_tenant() {
    let pool = store::testing::fresh_database().await;
    let (a, b, ann) = (TenantId::new(), TenantId::new(), AgentId::new());
    // Two calls at the same instant: the call id breaks the tie.
    let (lo, hi) = {
        let (x, y) = (Uuid::new_v4(), Uuid::new_v4());
        if x < y { (x, y) } else { (y, x) }
    };
    let first = Uuid::new_v4();
    call(&pool, a, hi, at(0, 9, 30), Some(ann)).await;
    call(&pool, a, first, at(0, 9, 0), None).await;
    call(&pool, a, lo, at(0, 9, 30), None).await;
    call(&pool, a, Uuid::new_v4(), at(7, 0, 0), None).await; // after the range
    call(&pool, b, Uuid::new_v4(), at(0, 9, 10), None).await;

    let page1 = cdr_export::page(&pool, &week(a), None, 2).await.expect("page 1");
    assert_eq!(page1.iter().map(|r| r.call_id).collect::<Vec<_>>(), vec![first, lo]);
    let page2 = cdr_export::page(&pool, &week(a), Some(page1[1].cursor()), 2).await.expect("page 2");
    assert_eq!(page2.iter().map(|r| r.call_id).collect::<Vec<_>>(), vec![hi]);
    let page3 = cdr_export::page(&pool, &week(a), Some(page2[0].cursor()), 2).await.expect("page 3");
    assert!(page3.is_empty());

    let mut anns = week(a);
    anns.agents = vec![ann];
    let rows = cdr_export::page(&pool, &anns, None, 10).await.expect("ann's calls");
    assert_eq!(rows.iter().map(|r| r.call_id).collect::<Vec<_>>(), vec![hi]);

    let fields = rows[0].fields();
    assert_eq!(fields.len(), COLUMNS.len());
    let field = |name: &str| fields[COLUMNS.iter().position(|c| *c == name).expect(name)].clone();
    assert_eq!(field("arrived_at"), "2026-03-02T09:30:00.000Z");
    assert_eq!(field("agent_id"), ann.as_uuid().to_string());
    assert_eq!(field("wait_ms"), "4200");
    assert_eq!(field("ivr_choices"), "main=1;sales=2");
    assert_eq!(field("queue_id"), "");
    assert_eq!(field("callback_offered"), "false");

    assert_eq!(cdr_export::page(&pool, &week(b), None, 10).await.expect("b").len(), 1);
}

#[tokio::test]
async fn the_tenant_time_zone_is_read_and_set_and_an_unknown_zone_refused() {
    use model::Tenant;
    use store::RepoError;
    use store::repo::tenants;
    let pool = store::testing::fresh_database().await;
    let t = tenants::create(&pool, &Tenant { slug: "acme".into(), name: "Acme".into() }).await.expect("tenant").id;
    assert_eq!(tenants::time_zone(&pool, t).await.expect("zone").as_deref(), Some("UTC"));
    assert!(tenants::set_time_zone(&pool, t, "Europe/Paris").await.expect("set"));
    assert_eq!(tenants::time_zone(&pool, t).await.expect("zone").as_deref(), Some("Europe/Paris"));
    let err = tenants::set_time_zone(&pool, t, "Mars/Olympus_Mons").await.expect_err("unknown");
    assert!(matches!(err, RepoError::Invalid { .. }), "{err}");
    assert_eq!(tenants::time_zone(&pool, t).await.expect("zone").as_deref(), Some("Europe/Paris"));
    assert!(!tenants::set_time_zone(&pool, TenantId::new(), "UTC").await.expect("no tenant"));
    assert_eq!(tenants::time_zone(&pool, TenantId::new()).await.expect("none"), None);
}
