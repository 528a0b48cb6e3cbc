//! Configuration objects name every invalid field by its JSON path.

use model::{Agent, Contact, PhoneNumber, Queue, Role, Trunk, Validate, VipTier};

fn fields<T: Validate>(value: &T) -> Vec<String> {
    value.validate().err().map(|e| e.errors.into_iter().map(|e| e.field).collect()).unwrap_or_default()
}

fn queue() -> Queue {
    serde_json::from_value(serde_json::json!({
        "name": "Support",
        "max_wait_secs": 600, "max_length": 50, "wrap_up_secs": 30,
        "business_hours": {"time_zone": "Europe/Berlin", "weekly": []},
        "overflow": {"type": "voicemail"}, "callback_threshold_secs": 120
    }))
    .unwrap()
}

#[test]
fn queue_defaults_to_80_in_20_and_longest_idle() {
    let q = queue();
    assert_eq!((q.service_level.percent, q.service_level.seconds), (80, 20));
    assert_eq!(q.strategy, model::RoutingStrategy::LongestIdle);
    assert_eq!(q.ring_timeout_secs, 20);
    assert_eq!(fields(&q), Vec::<String>::new());
}

#[test]
fn queue_errors_name_nested_fields() {
    let mut q = queue();
    q.service_level.percent = 0;
    q.max_length = 0;
    q.overflow = Some(model::OverflowTarget::Number { number: "12345".into() });
    assert_eq!(fields(&q), ["service_level.percent", "max_length", "overflow.number"]);
}

#[test]
fn agent_skill_levels_must_be_one_to_ten_and_mobile_needs_a_number() {
    let a: Agent = serde_json::from_value(serde_json::json!({
        "user_id": null, "name": "Ann", "extension": "1001",
        "skills": [{"skill_id": "0190b6a6-5a3e-7f1e-9a57-1c2d3e4f5a6b", "level": 11}],
        "device": "mobile", "mobile_number": null
    }))
    .unwrap();
    assert_eq!(fields(&a), ["skills[0].level", "mobile_number"]);
}

#[test]
fn vip_tier_is_a_floor_an_agent_must_cover() {
    assert!(VipTier(2).covers(VipTier(1)));
    assert!(VipTier(2).covers(VipTier(2)));
    assert!(!VipTier(0).covers(VipTier(1)));
    let mut c: Contact = serde_json::from_value(serde_json::json!({
        "name": "Big Co CEO", "phone_numbers": ["+4420"], "vip_tier": 9, "owner_agent_id": null
    }))
    .unwrap();
    assert_eq!(fields(&c), ["vip_tier"]);
    c.vip_tier = VipTier(3);
    assert_eq!(fields(&c), Vec::<String>::new());
}

#[test]
fn numbers_must_be_e164() {
    for (number, ok) in
        [("+442071838750", true), ("442071838750", false), ("+44 20", false), ("+1234567890123456", false)]
    {
        let n: PhoneNumber = serde_json::from_value(serde_json::json!({
            "e164": number, "entry": {"type": "queue", "queue_id": "0190b6a6-5a3e-7f1e-9a57-1c2d3e4f5a6b"}
        }))
        .unwrap();
        assert_eq!(fields(&n).is_empty(), ok, "{number}");
    }
}

#[test]
fn trunk_passwords_are_accepted_but_never_serialised() {
    let t: Trunk = serde_json::from_value(serde_json::json!({
        "name": "Carrier A", "host": "sip.carrier.example",
        "inbound": {"type": "ip_allow_list", "sources": ["203.0.113.0/24", "2001:db8::1"]},
        "outbound_credentials": {"username": "acme", "password": "s3cret"},
        "registration": null
    }))
    .unwrap();
    assert_eq!(fields(&t), Vec::<String>::new());
    let json = serde_json::to_string(&t).unwrap();
    assert!(!json.contains("s3cret"), "{json}");
}

#[test]
fn trunk_allow_list_entries_must_be_addresses_or_cidr_blocks() {
    let t: Trunk = serde_json::from_value(serde_json::json!({
        "name": "Carrier B", "host": "sip.b.example",
        "inbound": {"type": "ip_allow_list", "sources": ["203.0.113.0/33", "carrier.example"]},
        "outbound_credentials": null, "registration": null
    }))
    .unwrap();
    assert_eq!(fields(&t), ["inbound.sources[0]", "inbound.sources[1]"]);
}

#[test]
fn roles_are_ordered_agent_supervisor_admin() {
    assert!(Role::Admin.at_least(Role::Supervisor));
    assert!(Role::Supervisor.at_least(Role::Agent));
    assert!(!Role::Agent.at_least(Role::Supervisor));
    assert_eq!(Role::parse(Role::Supervisor.as_str()), Some(Role::Supervisor));
}

#[test]
fn unknown_fields_are_rejected_with_their_name() {
    let err = serde_json::from_value::<Queue>(serde_json::json!({
        "name": "x", "max_wait_secs": 1, "max_length": 1, "wrap_up_secs": 1, "colour": "red",
        "business_hours": {"time_zone": "UTC", "weekly": []}, "overflow": null, "callback_threshold_secs": null
    }))
    .unwrap_err();
    assert!(err.to_string().contains("colour"), "{err}");
}

#[test]
fn queue_routing_rules_default_and_name_bad_steps() {
    let mut q = queue();
    assert!(q.routing.join_empty && !q.routing.leave_empty);
    assert_eq!(q.routing.sticky.wait_secs, 15);
    q.routing.skill_steps = vec![
        model::SkillStep { after_secs: 30, required_skills: vec![], extra_queues: vec![] },
        model::SkillStep {
            after_secs: 30,
            required_skills: vec![model::SkillRequirement { skill_id: model::SkillId::new(), min_level: 11 }],
            extra_queues: vec![],
        },
    ];
    assert_eq!(
        fields(&q),
        ["routing.skill_steps[1].after_secs", "routing.skill_steps[1].required_skills[0].min_level"]
    );
}
