//! Agents' SIP accounts: the password is stored on create, kept by an
//! update that leaves it out, never read into the model, and loaded per
//! tenant for the SIP edge.

use model::{Agent, AgentDevice, Tenant, TenantId, VipTier};
use store::SipAccount;
use store::repo::{agents, sip_accounts, tenants};

async fn tenant(pool: &sqlx::PgPool, slug: &str) -> TenantId {
    tenants::create(pool, &Tenant { slug: slug.into(), name: slug.into() }).await.expect("tenant").id
}

fn agent(extension: &str, sip_password: Option<&str>) -> Agent {
    Agent {
        user_id: None,
        name: format!("Agent {extension}"),
        extension: extension.into(),
        sip_password: sip_password.map(str::to_owned),
        vip_tier: VipTier(0),
        skills: Vec::new(),
        queues: Vec::new(),
        device: AgentDevice::Registered,
        mobile_number: None,
    }
}

/// (slug, extension, password) of each account, in the order returned.
fn summary(accounts: &[SipAccount]) -> Vec<(&str, &str, &str)> {
    accounts.iter().map(|a| (a.tenant_slug.as_str(), a.extension.as_str(), a.password.as_str())).collect()
}

#[tokio::test]
async fn accounts_of_two_tenants_with_the_same_extension_each_keep_their_tenant() {
    let pool = store::testing::fresh_database().await;
    let (acme, globex) = (tenant(&pool, "acme").await, tenant(&pool, "globex").await);
    let a = agents::create(&pool, acme, &agent("alice", Some("acme-alice-pw"))).await.expect("agent");
    let g = agents::create(&pool, globex, &agent("alice", Some("globex-alice-pw"))).await.expect("agent");
    agents::create(&pool, acme, &agent("bob", None)).await.expect("agent without SIP");
    let all = sip_accounts::all(&pool).await.expect("all");
    assert_eq!(summary(&all), [("acme", "alice", "acme-alice-pw"), ("globex", "alice", "globex-alice-pw")]);
    assert_eq!((all[0].tenant_id, all[0].agent_id), (acme, a.id));
    assert_eq!((all[1].tenant_id, all[1].agent_id), (globex, g.id));
    assert_eq!(all[1].aor("switchboard.localhost"), "sip:alice@globex.switchboard.localhost");
    let only_globex = sip_accounts::of_tenant(&pool, globex).await.expect("of tenant");
    assert_eq!(summary(&only_globex), [("globex", "alice", "globex-alice-pw")]);
    let found = sip_accounts::find(&pool, "acme", "alice").await.expect("find").expect("acme's alice");
    assert_eq!(found.agent_id, a.id);
    assert!(sip_accounts::find(&pool, "acme", "bob").await.expect("find").is_none(), "no password, no account");
    assert!(sip_accounts::find(&pool, "initech", "alice").await.expect("find").is_none());
}

#[tokio::test]
async fn sip_password_is_never_read_back_and_an_update_without_it_keeps_it() {
    let pool = store::testing::fresh_database().await;
    let acme = tenant(&pool, "acme").await;
    let created = agents::create(&pool, acme, &agent("1001", Some("first-secret"))).await.expect("agent");
    assert_eq!(created.data.sip_password, None, "the model never carries the stored password");
    let fetched = agents::get(&pool, acme, created.id).await.expect("get").expect("found");
    assert_eq!(fetched.data.sip_password, None);
    let renamed = Agent { name: "Renamed".into(), ..agent("1001", None) };
    agents::update(&pool, acme, created.id, &renamed).await.expect("update").expect("found");
    let accounts = sip_accounts::of_tenant(&pool, acme).await.expect("accounts");
    assert_eq!(summary(&accounts), [("acme", "1001", "first-secret")], "left out on update: kept");
    agents::update(&pool, acme, created.id, &agent("1001", Some("second-secret"))).await.expect("update");
    let accounts = sip_accounts::of_tenant(&pool, acme).await.expect("accounts");
    assert_eq!(summary(&accounts), [("acme", "1001", "second-secret")], "given on update: replaced");
}

#[tokio::test]
async fn cleared_sip_password_removes_the_account_and_only_in_its_tenant() {
    let pool = store::testing::fresh_database().await;
    let (acme, globex) = (tenant(&pool, "acme").await, tenant(&pool, "globex").await);
    let created = agents::create(&pool, acme, &agent("1001", Some("first-secret"))).await.expect("agent");
    assert!(!agents::clear_sip_password(&pool, globex, created.id).await.expect("clear"), "another tenant's agent");
    assert_eq!(sip_accounts::all(&pool).await.expect("all").len(), 1);
    assert!(agents::clear_sip_password(&pool, acme, created.id).await.expect("clear"));
    assert!(sip_accounts::all(&pool).await.expect("all").is_empty());
}

#[tokio::test]
async fn a_too_short_sip_password_is_refused_by_the_database_too() {
    let pool = store::testing::fresh_database().await;
    let acme = tenant(&pool, "acme").await;
    let err = agents::create(&pool, acme, &agent("1001", Some("short"))).await.expect_err("check constraint");
    assert!(
        matches!(&err, store::RepoError::Invalid { constraint } if constraint == "agents_sip_password_length"),
        "{err:?}"
    );
}

#[test]
fn debug_output_of_an_account_hides_the_password() {
    let account = SipAccount {
        tenant_id: TenantId::new(),
        tenant_slug: "acme".into(),
        agent_id: model::AgentId::new(),
        extension: "1001".into(),
        password: "do-not-print".into(),
    };
    let shown = format!("{account:?}");
    assert!(!shown.contains("do-not-print") && shown.contains("1001"), "{shown}");
}
