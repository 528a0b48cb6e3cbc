//! The Switchboard domain model: typed ids, tenant configuration and domain
//! events, with validation that names the offending field. No I/O: every
//! other crate depends on this one and it depends on none of them.
//!
//! ```
//! use model::{Queue, Validate};
//! let queue: Queue = serde_json::from_str(r#"{
//!     "name": "", "max_wait_secs": 600, "max_length": 50, "wrap_up_secs": 30,
//!     "business_hours": {"time_zone": "Europe/London", "weekly": []},
//!     "overflow": null, "callback_threshold_secs": null
//! }"#).unwrap();
//! let errors = queue.validate().unwrap_err();
//! assert_eq!(errors.errors[0].field, "name");
//! ```

pub mod agent;
pub mod agent_state;
pub mod api_key;
pub mod cdr;
pub mod contact;
pub mod event;
pub mod hours;
pub mod ids;
pub mod ivr;
pub mod number;
pub mod queue;
pub mod record;
pub mod report;
pub mod roster;
pub mod routing;
pub mod sip;
pub mod skill;
pub mod tenant;
pub mod trunk;
pub mod user;
pub mod validation;
pub mod vip;

pub use agent::{Agent, AgentDevice};
pub use agent_state::{AgentState, NotReadyReason};
pub use api_key::ApiKey;
pub use cdr::{CallOutcome, CallRecord, CdrError};
pub use contact::Contact;
pub use event::{
    AbandonStage, CallDirection, EVENT_SCHEMA_VERSION, EndCause, Event, EventPayload, IvrExit, MoveTarget, OfferReason,
    SkillMatch, SupervisionMode, TransferKind, TransferTarget, UnregisterReason,
};
pub use hours::{BusinessHours, Holiday, OpeningWindow};
pub use ids::*;
pub use ivr::{IvrFlow, IvrNode};
pub use number::{EntryPoint, PhoneNumber};
pub use queue::{
    AgentSkill, OverflowTarget, Queue, QueueMembership, RoutingStrategy, ServiceLevelTarget, SkillRequirement,
};
pub use record::Record;
pub use roster::{Roster, Shift};
pub use routing::{RoutingRules, SkillStep, StickyRule};
pub use sip::{agent_aor, is_valid_domain, sip_domain};
pub use skill::Skill;
pub use tenant::Tenant;
pub use trunk::{DigestCredentials, InboundAuth, OutboundRegistration, SipTransport, Trunk};
pub use user::{NewUser, Role, User};
pub use validation::{FieldError, FieldErrors, Validate};
pub use vip::VipTier;
