//! The demo tenant's content: two queues, six agents with different skills and
//! VIP eligibility, VIP and regular contacts, a DID, an IVR flow and business
//! hours. Pure data; `demo.rs` stores it.

use chrono::{NaiveDate, NaiveTime, Weekday};
use model::{
    AgentSkill, BusinessHours, Contact, EntryPoint, Holiday, InboundAuth, IvrFlow, IvrFlowId, IvrNode, OpeningWindow,
    OverflowTarget, PhoneNumber, Queue, QueueId, RoutingRules, RoutingStrategy, ServiceLevelTarget, Skill, SkillId,
    SkillRequirement, SkillStep, Trunk, VipTier,
};

/// The demo tenant's slug and name.
pub const TENANT_SLUG: &str = "demo";
/// The demo tenant's display name.
pub const TENANT_NAME: &str = "Acme Telecom (demo)";
/// The demo DID (a number range reserved for drama, so it rings nobody real).
pub const DEMO_DID: &str = "+442079460000";

/// A demo login: username, password, role.
pub struct DemoUser {
    /// Login name.
    pub username: &'static str,
    /// Display name.
    pub display_name: &'static str,
    /// Password (printed at start-up; demo only).
    pub password: &'static str,
    /// Role.
    pub role: model::Role,
}

/// The admin and supervisor logins.
pub const STAFF: [DemoUser; 2] = [
    DemoUser { username: "admin", display_name: "Ada Admin", password: "demo-admin", role: model::Role::Admin },
    DemoUser {
        username: "supervisor",
        display_name: "Sam Supervisor",
        password: "demo-supervisor",
        role: model::Role::Supervisor,
    },
];

/// One demo agent: login, extension, VIP eligibility, skills by name.
pub struct DemoAgent {
    /// Login name (also the SIP extension).
    pub username: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Highest VIP tier the agent takes.
    pub vip_tier: u8,
    /// Skill name and level.
    pub skills: &'static [(&'static str, u8)],
    /// Queue name and weight.
    pub queues: &'static [(&'static str, u8)],
    /// Digest password of the agent's SIP account (printed at start-up;
    /// demo only).
    pub sip_password: &'static str,
    /// Weekly shifts: days, start and end hour (local, the demo's zone).
    pub shifts: &'static [(&'static [Weekday], u32, u32)],
}

/// Monday to Friday.
const WEEKDAYS: &[Weekday] = &[Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri];
/// Saturday.
const SATURDAY: &[Weekday] = &[Weekday::Sat];

/// The demo supervisor's own phone: an agent profile of their login with
/// no queue (so the ACD never offers it a call), rung when they monitor,
/// whisper, barge or take over a call. Extension and SIP password.
pub const SUPERVISOR_PHONE: (&str, &str) = ("sam", "sam-sip-demo");

/// The password every demo agent logs in with.
pub const AGENT_PASSWORD: &str = "demo-agent";

/// Six agents: seniors who take VIPs, juniors who never do, a Spanish speaker.
pub const AGENTS: [DemoAgent; 6] = [
    DemoAgent {
        username: "alice",
        name: "Alice Senior",
        vip_tier: 3,
        skills: &[("english", 10), ("sales", 9)],
        queues: &[("sales", 100)],
        sip_password: "alice-sip-demo",
        shifts: &[(WEEKDAYS, 8, 16)],
    },
    DemoAgent {
        username: "bob",
        name: "Bob Junior",
        vip_tier: 0,
        skills: &[("english", 8), ("sales", 3)],
        queues: &[("sales", 100), ("support", 20)],
        sip_password: "bob-sip-demo",
        shifts: &[(WEEKDAYS, 10, 18)],
    },
    DemoAgent {
        username: "carmen",
        name: "Carmen Bilingual",
        vip_tier: 1,
        skills: &[("english", 8), ("spanish", 10), ("billing", 6)],
        queues: &[("support", 100), ("sales", 30)],
        sip_password: "carmen-sip-demo",
        shifts: &[(WEEKDAYS, 8, 16), (SATURDAY, 9, 13)],
    },
    DemoAgent {
        username: "dmitri",
        name: "Dmitri Expert",
        vip_tier: 2,
        skills: &[("english", 9), ("technical", 9)],
        queues: &[("support", 100)],
        sip_password: "dmitri-sip-demo",
        shifts: &[(WEEKDAYS, 10, 18)],
    },
    DemoAgent {
        username: "erin",
        name: "Erin Trainee",
        vip_tier: 0,
        skills: &[("english", 7), ("technical", 3), ("billing", 2)],
        queues: &[("support", 100)],
        sip_password: "erin-sip-demo",
        shifts: &[(&[Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri], 9, 17), (SATURDAY, 9, 13)],
    },
    DemoAgent {
        username: "farid",
        name: "Farid Accounts",
        vip_tier: 3,
        skills: &[("english", 9), ("billing", 8), ("sales", 6)],
        queues: &[("support", 60), ("sales", 60)],
        sip_password: "farid-sip-demo",
        shifts: &[(&[Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu], 8, 18)],
    },
];

/// A demo agent's weekly shifts.
pub fn roster(agent: &DemoAgent) -> model::Roster {
    let hour = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap_or(NaiveTime::MIN);
    let shifts = agent
        .shifts
        .iter()
        .flat_map(|&(days, start, end)| {
            days.iter().map(move |&day| model::Shift { day, start: hour(start), end: hour(end) })
        })
        .collect();
    model::Roster { shifts }.sorted()
}

/// Skill names and descriptions.
pub fn skills() -> Vec<Skill> {
    [
        ("english", "Speaks English"),
        ("spanish", "Speaks Spanish"),
        ("sales", "New contracts and upgrades"),
        ("billing", "Invoices, payments, refunds"),
        ("technical", "Line faults, routers, set-up"),
    ]
    .into_iter()
    .map(|(name, description)| Skill { name: name.into(), description: description.into() })
    .collect()
}

/// Mon–Fri 08:00–18:00 and Sat 09:00–13:00 in London, closed on public holidays.
pub fn business_hours() -> BusinessHours {
    let time = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap_or(NaiveTime::MIN);
    let mut weekly: Vec<OpeningWindow> = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri]
        .into_iter()
        .map(|day| OpeningWindow { day, open: time(8), close: time(18) })
        .collect();
    weekly.push(OpeningWindow { day: Weekday::Sat, open: time(9), close: time(13) });
    let holiday = |y, m, d, name: &str| Holiday {
        date: NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN),
        name: name.into(),
    };
    BusinessHours {
        time_zone: "Europe/London".into(),
        weekly,
        holidays: vec![
            holiday(2026, 12, 25, "Christmas Day"),
            holiday(2026, 12, 28, "Boxing Day (substitute)"),
            holiday(2027, 1, 1, "New Year's Day"),
        ],
    }
}

/// The two queues; `skill` resolves a skill name to its id.
pub fn queues(skill: impl Fn(&str) -> SkillId) -> Vec<Queue> {
    let base = |name: &str| Queue {
        name: name.into(),
        strategy: RoutingStrategy::LongestIdle,
        service_level: ServiceLevelTarget { percent: 80, seconds: 20 },
        max_wait_secs: 600,
        max_length: 30,
        wrap_up_secs: 30,
        ring_timeout_secs: 20,
        business_hours: business_hours(),
        overflow: Some(OverflowTarget::Voicemail),
        callback_threshold_secs: Some(120),
        required_skills: vec![SkillRequirement { skill_id: skill("english"), min_level: 5 }],
        priority_aging_per_min: 1,
        record_calls: false,
        post_call_survey: false,
        routing: RoutingRules::default(),
    };
    // Sales wants a level-5 seller, then after 30 s any seller; VIPs wait up
    // to two minutes for a senior before anyone may take them.
    let sales = Queue {
        required_skills: vec![SkillRequirement { skill_id: skill("sales"), min_level: 5 }],
        routing: RoutingRules {
            skill_steps: vec![SkillStep {
                after_secs: 30,
                required_skills: vec![SkillRequirement { skill_id: skill("sales"), min_level: 1 }],
                extra_queues: Vec::new(),
            }],
            vip_relax_after_secs: Some(120),
            announce_interval_secs: Some(60),
            ..RoutingRules::default()
        },
        ..base("sales")
    };
    let support = Queue {
        strategy: RoutingStrategy::BestSkill,
        service_level: ServiceLevelTarget { percent: 80, seconds: 30 },
        wrap_up_secs: 45,
        overflow: Some(OverflowTarget::Callback),
        post_call_survey: true,
        routing: RoutingRules {
            blending_threshold_secs: Some(90),
            announce_interval_secs: Some(60),
            ..RoutingRules::default()
        },
        ..base("support")
    };
    vec![sales, support]
}

/// The agent's skills and queue memberships resolved to ids.
pub fn agent_skills(agent: &DemoAgent, skill: impl Fn(&str) -> SkillId) -> Vec<AgentSkill> {
    agent.skills.iter().map(|(name, level)| AgentSkill { skill_id: skill(name), level: *level }).collect()
}

/// The main IVR: welcome, business-hours check, sales/support menu; after
/// hours a callback offer or voicemail.
pub fn ivr_flow(sales: QueueId, support: QueueId, skill: impl Fn(&str) -> SkillId) -> IvrFlow {
    let node = |name: &str, n: IvrNode| (name.to_owned(), n);
    let next = |s: &str| s.to_owned();
    IvrFlow {
        name: "Main line".into(),
        start: "welcome".into(),
        nodes: [
            node("welcome", IvrNode::Play { prompt: "demo_welcome".into(), next: next("hours") }),
            node(
                "hours",
                IvrNode::BusinessHours { hours: business_hours(), open: next("menu"), closed: next("closed") },
            ),
            node(
                "menu",
                IvrNode::Menu {
                    prompt: "demo_menu".into(),
                    choices: [("1", "sales"), ("2", "support"), ("3", "spanish")]
                        .into_iter()
                        .map(|(d, n)| (d.to_owned(), n.to_owned()))
                        .collect(),
                    timeout_secs: 5,
                    retries: 2,
                    on_failure: next("support"),
                },
            ),
            node("sales", IvrNode::Enqueue { queue_id: sales }),
            node("support", IvrNode::Enqueue { queue_id: support }),
            node(
                "spanish",
                IvrNode::SetSkills {
                    skills: vec![SkillRequirement { skill_id: skill("spanish"), min_level: 7 }],
                    next: next("support"),
                },
            ),
            node(
                "closed",
                IvrNode::Menu {
                    prompt: "demo_closed".into(),
                    choices: [("1", "callback"), ("2", "voicemail")]
                        .into_iter()
                        .map(|(d, n)| (d.to_owned(), n.to_owned()))
                        .collect(),
                    timeout_secs: 5,
                    retries: 1,
                    on_failure: next("voicemail"),
                },
            ),
            node("callback", IvrNode::Callback { queue_id: support }),
            node("voicemail", IvrNode::Voicemail { prompt: "voicemail".into(), max_secs: 120 }),
        ]
        .into_iter()
        .collect(),
    }
}

/// The demo DID, entering the IVR.
pub fn number(flow: IvrFlowId) -> PhoneNumber {
    PhoneNumber { e164: DEMO_DID.into(), entry: EntryPoint::Ivr { flow_id: flow }, label: "Main line".into() }
}

/// A loopback carrier for local SIP tests.
pub fn trunk() -> Trunk {
    Trunk {
        name: "Loopback carrier".into(),
        host: "127.0.0.1".into(),
        port: 5080,
        transport: model::SipTransport::Udp,
        inbound: InboundAuth::IpAllowList { sources: vec!["127.0.0.1/32".into()] },
        outbound_credentials: None,
        registration: None,
        priority: 0,
    }
}

/// Contacts: VIP customers owned by senior agents, and regular ones.
pub fn contacts(owner: impl Fn(&str) -> Option<model::AgentId>) -> Vec<Contact> {
    let contact = |name: &str, number: &str, company: &str, tier: u8, stage: &str, notes: &str, owner_agent| Contact {
        name: name.into(),
        phone_numbers: vec![number.into()],
        company: company.into(),
        vip_tier: VipTier(tier),
        deal_stage: stage.into(),
        notes: notes.into(),
        owner_agent_id: owner_agent,
    };
    vec![
        contact(
            "Grace Hopper",
            "+442079460101",
            "Navy Systems Ltd",
            3,
            "customer",
            "Enterprise plan, 400 lines.",
            owner("alice"),
        ),
        contact(
            "Linus Pauling",
            "+442079460102",
            "Pauling Labs",
            2,
            "negotiation",
            "Renewal due in March.",
            owner("farid"),
        ),
        contact(
            "Marie Curie",
            "+442079460103",
            "Radium & Co",
            1,
            "customer",
            "Prefers e-mail follow-ups.",
            owner("dmitri"),
        ),
        contact("Tom Jones", "+442079460201", "", 0, "lead", "Asked about fibre.", None),
        contact("Ana García", "+34911234567", "García Imports", 0, "customer", "Speaks Spanish.", owner("carmen")),
        contact("Priya Patel", "+442079460202", "Patel Pharmacy", 0, "customer", "", None),
    ]
}

#[cfg(test)]
mod tests {
    use model::Validate;

    use super::*;

    #[test]
    fn every_demo_object_is_valid() {
        let skill = |_: &str| SkillId::new();
        for q in queues(skill) {
            q.validate().unwrap();
        }
        ivr_flow(QueueId::new(), QueueId::new(), skill).validate().unwrap();
        number(IvrFlowId::new()).validate().unwrap();
        trunk().validate().unwrap();
        for c in contacts(|_| None) {
            c.validate().unwrap();
        }
        for s in skills() {
            s.validate().unwrap();
        }
    }

    #[test]
    fn juniors_never_take_vips_and_every_agent_serves_a_queue() {
        assert!(AGENTS.iter().any(|a| a.vip_tier == 0));
        assert!(AGENTS.iter().any(|a| a.vip_tier == 3));
        assert!(AGENTS.iter().all(|a| !a.queues.is_empty()));
        let names: Vec<_> = skills().into_iter().map(|s| s.name).collect();
        assert!(AGENTS.iter().flat_map(|a| a.skills).all(|(s, _)| names.iter().any(|n| n == s)));
    }

    #[test]
    fn every_demo_agent_has_valid_shifts_inside_business_hours() {
        let hours = business_hours();
        for agent in &AGENTS {
            let roster = roster(agent);
            assert!(!roster.shifts.is_empty(), "{}", agent.username);
            roster.validate().unwrap_or_else(|e| panic!("{}: {e:?}", agent.username));
            for shift in &roster.shifts {
                let open =
                    hours.weekly.iter().any(|w| w.day == shift.day && w.open <= shift.start && shift.end <= w.close);
                assert!(open, "{}'s shift {shift:?} is inside the opening hours", agent.username);
            }
        }
    }

    #[test]
    fn every_demo_agent_has_its_own_valid_sip_password() {
        for agent in &AGENTS {
            let profile: model::Agent = serde_json::from_value(serde_json::json!({
                "user_id": null, "name": agent.name, "extension": agent.username, "sip_password": agent.sip_password
            }))
            .unwrap();
            profile.validate().unwrap();
        }
        let mut passwords: Vec<_> = AGENTS.iter().map(|a| a.sip_password).collect();
        passwords.sort_unstable();
        passwords.dedup();
        assert_eq!(passwords.len(), AGENTS.len());
    }
}
