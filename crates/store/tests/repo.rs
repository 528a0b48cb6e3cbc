//! Repositories: migrations from zero, tenant scoping, and composite keys
//! that make cross-tenant references impossible.

use model::{Agent, AgentDevice, AgentSkill, Role, Skill, Tenant, TenantId, User, VipTier};
use store::RepoError;
use store::repo::{agents, skills, tenants, users};

async fn tenant(pool: &sqlx::PgPool, slug: &str) -> TenantId {
    tenants::create(pool, &Tenant { slug: slug.into(), name: slug.into() }).await.expect("tenant").id
}

fn agent(skill: model::SkillId) -> Agent {
    Agent {
        user_id: None,
        name: "Alice".into(),
        extension: "1001".into(),
        sip_password: None,
        vip_tier: VipTier(2),
        skills: vec![AgentSkill { skill_id: skill, level: 7 }],
        queues: Vec::new(),
        device: AgentDevice::Registered,
        mobile_number: None,
    }
}

#[tokio::test]
async fn migrations_apply_from_zero_and_create_every_config_table() {
    let pool = store::testing::fresh_database().await;
    for table in [
        "tenants",
        "operators",
        "users",
        "sessions",
        "api_keys",
        "skills",
        "agents",
        "agent_skills",
        "queues",
        "queue_skills",
        "queue_memberships",
        "numbers",
        "trunks",
        "contacts",
        "ivr_flows",
    ] {
        let (found,): (Option<String>,) =
            sqlx::query_as("SELECT to_regclass($1)::text").bind(table).fetch_one(&pool).await.expect("query");
        assert_eq!(found.as_deref(), Some(table));
    }
    let (without_tenant,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM information_schema.tables t WHERE t.table_schema = 'public' \
         AND t.table_name IN ('users','sessions','api_keys','skills','agents','agent_skills','queues','queue_skills',\
         'queue_memberships','numbers','trunks','contacts','ivr_flows') AND NOT EXISTS (SELECT 1 FROM \
         information_schema.columns c WHERE c.table_name = t.table_name AND c.column_name = 'tenant_id')",
    )
    .fetch_one(&pool)
    .await
    .expect("query");
    assert_eq!(without_tenant, 0);
}

#[tokio::test]
async fn another_tenants_row_reads_as_absent() {
    let pool = store::testing::fresh_database().await;
    let (a, b) = (tenant(&pool, "acme").await, tenant(&pool, "globex").await);
    let skill =
        skills::create(&pool, a, &Skill { name: "French".into(), description: String::new() }).await.expect("skill");
    assert!(skills::get(&pool, b, skill.id).await.expect("get").is_none());
    assert!(skills::list(&pool, b).await.expect("list").is_empty());
    assert!(!skills::delete(&pool, b, skill.id).await.expect("delete"));
    assert!(skills::get(&pool, a, skill.id).await.expect("get").is_some());
}

#[tokio::test]
async fn composite_keys_refuse_a_reference_to_another_tenants_skill() {
    let pool = store::testing::fresh_database().await;
    let (a, b) = (tenant(&pool, "acme").await, tenant(&pool, "globex").await);
    let skill =
        skills::create(&pool, b, &Skill { name: "French".into(), description: String::new() }).await.expect("skill");
    let err = agents::create(&pool, a, &agent(skill.id)).await.expect_err("cross-tenant reference");
    assert!(
        matches!(&err, RepoError::MissingReference { constraint } if constraint == "agent_skills_skill_fk"),
        "{err:?}"
    );
    assert!(agents::list(&pool, a).await.expect("list").is_empty(), "the failed create left nothing behind");
    let own =
        skills::create(&pool, a, &Skill { name: "French".into(), description: String::new() }).await.expect("skill");
    let created = agents::create(&pool, a, &agent(own.id)).await.expect("agent");
    assert_eq!(agents::get(&pool, a, created.id).await.expect("get").map(|r| r.data), Some(agent(own.id)));
}

#[tokio::test]
async fn the_last_admin_is_guarded() {
    let pool = store::testing::fresh_database().await;
    let a = tenant(&pool, "acme").await;
    let admin = User { username: "root".into(), display_name: "Root".into(), role: Role::Admin };
    let root = users::create(&pool, a, &admin, "hash").await.expect("user");
    assert!(matches!(users::delete(&pool, a, root.id).await, Err(RepoError::LastAdmin)));
    let demoted = User { role: Role::Agent, ..admin.clone() };
    assert!(matches!(users::update(&pool, a, root.id, &demoted, None).await, Err(RepoError::LastAdmin)));
    let second = User { username: "deputy".into(), ..admin };
    users::create(&pool, a, &second, "hash").await.expect("second admin");
    assert!(users::delete(&pool, a, root.id).await.expect("delete"));
}

#[tokio::test]
async fn inbound_lookups_find_the_number_and_the_callers_contacts() {
    use model::{Contact, EntryPoint, PhoneNumber, Queue};
    use store::repo::{contacts, numbers, queues};
    let pool = store::testing::fresh_database().await;
    let (a, b) = (tenant(&pool, "acme").await, tenant(&pool, "globex").await);
    let queue: Queue = serde_json::from_value(serde_json::json!({
        "name": "Sales", "max_wait_secs": 600, "max_length": 50, "wrap_up_secs": 30,
        "business_hours": {"time_zone": "UTC", "weekly": []}, "overflow": null, "callback_threshold_secs": null
    }))
    .expect("queue");
    let q = queues::create(&pool, a, &queue).await.expect("queue");
    let number =
        PhoneNumber { e164: "+442071838750".into(), entry: EntryPoint::Queue { queue_id: q.id }, label: String::new() };
    numbers::create(&pool, a, &number).await.expect("number");
    let (owner, found) = numbers::find_by_e164(&pool, "+442071838750").await.expect("lookup").expect("found");
    assert_eq!((owner, found.data), (a, number));
    assert!(numbers::find_by_e164(&pool, "+442071838751").await.expect("lookup").is_none());
    let jane = Contact {
        name: "Jane".into(),
        phone_numbers: vec!["+15551234567".into(), "+15557654321".into()],
        company: String::new(),
        vip_tier: VipTier(1),
        deal_stage: String::new(),
        notes: String::new(),
        owner_agent_id: None,
    };
    contacts::create(&pool, a, &jane).await.expect("contact");
    let hits = contacts::find_by_number(&pool, a, "+15557654321").await.expect("lookup");
    assert_eq!(hits.into_iter().map(|c| c.data).collect::<Vec<_>>(), vec![jane]);
    assert!(contacts::find_by_number(&pool, b, "+15557654321").await.expect("lookup").is_empty());
}
