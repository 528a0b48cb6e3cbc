//! The OpenAPI document served at `/api/openapi.json`. Schemas come from
//! the types' `ToSchema` derives; the CRUD paths are generated from one
//! table so that they cannot drift from each other.

use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{AllOfBuilder, ArrayBuilder, ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ContentBuilder, KnownFormat, OpenApi as Document, Paths, Ref, RefOr, Required, ResponseBuilder, Schema,
    SchemaFormat,
};
use utoipa::{Modify, OpenApi};

use crate::call_control::{CallPlaced, ChosenState, PlaceCall, Supervision, Transfer, WrapUp};
use crate::error::ErrorBody;
use crate::live::{LiveAgent, LiveCall, LiveMessage, LiveSnapshot, QueueFigures};
use crate::routes::agents::DirectoryEntry;
use crate::routes::api_keys::ApiKeyView;
use crate::routes::auth::{LoginRequest, LoginResponse, Me};
use crate::routes::call_actions::{MoveCall, PriorityChange};
use crate::routes::contact_calls::ContactCall;
use crate::routes::health::Readiness;
use crate::routes::queues::{Member, Members, QueueView};
use crate::routes::reports::{
    AgentCountersGroup, AgentCountersReport, AgentReport, AgentReportRow, CallCountersGroup, CallCountersReport,
    CallerReport, GroupKeyView, ServiceLevelReport, VolumeReportView,
};
use crate::routes::shifts::AgentShifts;
use crate::routes::sip_login::SipLogin;
use crate::routes::tenant::{TenantPatch, TenantSettings};
use crate::routes::tenants::{NewTenant, TenantView};
use crate::routes::users::UserUpdate;

#[derive(OpenApi)]
#[openapi(
    info(title = "Switchboard API", description = "Tenant administration, authentication, events and reports."),
    components(schemas(
        ErrorBody, model::FieldError, LoginRequest, LoginResponse, Me, NewTenant, TenantView, model::User,
        model::NewUser, UserUpdate, model::ApiKey, ApiKeyView, model::Skill, model::Agent, model::Queue, QueueView,
        Member, Members, model::PhoneNumber, model::Trunk, model::Contact, model::IvrFlow, Readiness,
        LiveMessage, LiveSnapshot, LiveCall, LiveAgent, QueueFigures, MoveCall, PriorityChange, ChosenState, WrapUp,
        Supervision, Transfer, PlaceCall, CallPlaced, model::TransferTarget, model::SupervisionMode,
        model::NotReadyReason, TenantSettings, TenantPatch, CallCountersReport, CallCountersGroup,
        AgentCountersReport, AgentCountersGroup, GroupKeyView, ServiceLevelReport, VolumeReportView, AgentReport,
        AgentReportRow, CallerReport, SipLogin, ContactCall, model::Shift, model::Roster, AgentShifts, DirectoryEntry
    )),
    modifiers(&Bearer)
)]
struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, doc: &mut Document) {
        let scheme = SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build());
        doc.components.get_or_insert_with(Default::default).add_security_scheme("bearer", scheme);
    }
}

/// The whole document.
pub fn document() -> Document {
    let mut doc = ApiDoc::openapi();
    doc.paths = paths();
    doc
}

/// A CRUD resource: its collection path, the schema it accepts and what it returns.
struct Crud {
    path: &'static str,
    tag: &'static str,
    input: &'static str,
    output: fn() -> RefOr<Schema>,
    read: &'static str,
    write: &'static str,
}

pub(crate) fn named(name: &str) -> RefOr<Schema> {
    Ref::from_schema_name(name).into()
}

fn uuid() -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid))).into()
}

/// `{"id": ..., ...T}`.
fn record(name: &str) -> RefOr<Schema> {
    let id = ObjectBuilder::new().property("id", uuid()).required("id");
    AllOfBuilder::new().item(id).item(named(name)).into()
}

fn items(item: RefOr<Schema>) -> RefOr<Schema> {
    ObjectBuilder::new().property("items", ArrayBuilder::new().items(item)).required("items").into()
}

fn json(schema: RefOr<Schema>) -> utoipa::openapi::Content {
    ContentBuilder::new().schema(Some(schema)).build()
}

pub(crate) fn error(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new().description(description).content("application/json", json(named("ErrorBody"))).build()
}

pub(crate) fn op(tag: &str, summary: String, ok: &str, body: Option<RefOr<Schema>>) -> OperationBuilder {
    let mut b = OperationBuilder::new()
        .tag(tag)
        .summary(Some(summary))
        .security(SecurityRequirement::new("bearer", Vec::<String>::new()))
        .response("401", error("No valid bearer token"))
        .response("403", error("The caller's role does not allow this"));
    if let Some(body) = body {
        b = b.response(
            ok,
            ResponseBuilder::new().description("Success").content("application/json", json(body)).build(),
        );
    } else {
        b = b.response(ok, ResponseBuilder::new().description("Success").build());
    }
    b
}

pub(crate) fn with_input(b: OperationBuilder, input: &str) -> OperationBuilder {
    b.request_body(Some(
        RequestBodyBuilder::new()
            .content("application/json", json(named(input)))
            .required(Some(Required::True))
            .build(),
    ))
    .response("400", error("Malformed JSON"))
    .response("422", error("Invalid fields, each named by its JSON path"))
    .response("409", error("Conflicts with existing data (duplicate name, number in use)"))
}

pub(crate) fn with_id(b: OperationBuilder) -> OperationBuilder {
    b.parameter(
        ParameterBuilder::new()
            .name("id")
            .parameter_in(ParameterIn::Path)
            .required(Required::True)
            .schema(Some(uuid())),
    )
    .response("404", error("No such object in your tenant"))
}

fn add_crud(paths: &mut Paths, c: &Crud) {
    let one = format!("{}/{{id}}", c.path);
    let (r, w) = (c.read, c.write);
    paths.add_path_operation(
        c.path,
        vec![HttpMethod::Get],
        op(c.tag, format!("List ({r})"), "200", Some(items((c.output)()))).build(),
    );
    paths.add_path_operation(
        c.path,
        vec![HttpMethod::Post],
        with_input(op(c.tag, format!("Create ({w})"), "201", Some((c.output)())), c.input).build(),
    );
    paths.add_path_operation(
        &one,
        vec![HttpMethod::Get],
        with_id(op(c.tag, format!("Get one ({r})"), "200", Some((c.output)()))).build(),
    );
    paths.add_path_operation(
        &one,
        vec![HttpMethod::Put],
        with_id(with_input(op(c.tag, format!("Replace ({w})"), "200", Some((c.output)())), c.input)).build(),
    );
    paths.add_path_operation(
        &one,
        vec![HttpMethod::Delete],
        with_id(op(c.tag, format!("Delete ({w})"), "204", None)).build(),
    );
}

const CRUD: &[Crud] = &[
    Crud {
        path: "/api/v1/users",
        tag: "users",
        input: "NewUser",
        output: || record("User"),
        read: "supervisor",
        write: "admin",
    },
    Crud {
        path: "/api/v1/api-keys",
        tag: "api-keys",
        input: "ApiKey",
        output: || named("ApiKeyView"),
        read: "admin",
        write: "admin",
    },
    Crud {
        path: "/api/v1/skills",
        tag: "skills",
        input: "Skill",
        output: || record("Skill"),
        read: "any role",
        write: "admin",
    },
    Crud {
        path: "/api/v1/agents",
        tag: "agents",
        input: "Agent",
        output: || record("Agent"),
        read: "supervisor, or the agent",
        write: "admin",
    },
    Crud {
        path: "/api/v1/queues",
        tag: "queues",
        input: "Queue",
        output: || named("QueueView"),
        read: "any role",
        write: "admin",
    },
    Crud {
        path: "/api/v1/numbers",
        tag: "numbers",
        input: "PhoneNumber",
        output: || record("PhoneNumber"),
        read: "supervisor",
        write: "admin",
    },
    Crud {
        path: "/api/v1/trunks",
        tag: "trunks",
        input: "Trunk",
        output: || record("Trunk"),
        read: "supervisor",
        write: "admin",
    },
    Crud {
        path: "/api/v1/contacts",
        tag: "contacts",
        input: "Contact",
        output: || record("Contact"),
        read: "any role",
        write: "supervisor",
    },
    Crud {
        path: "/api/v1/ivr-flows",
        tag: "ivr-flows",
        input: "IvrFlow",
        output: || record("IvrFlow"),
        read: "supervisor",
        write: "admin",
    },
];

fn query(name: &str, description: &str) -> ParameterBuilder {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
}

/// `GET /api/v1/live`: the WebSocket and what flows on it.
fn live() -> OperationBuilder {
    let protocol = ParameterBuilder::new()
        .name("Sec-WebSocket-Protocol")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "`switchboard.bearer, <token>`: the bearer token for browsers, which cannot set Authorization \
             on a WebSocket; the server answers with `switchboard.bearer`",
        ))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)));
    let switching = ResponseBuilder::new()
        .description(
            "Switching to WebSocket. Each text message is one LiveMessage (JSON, tagged by `type`): `snapshot` \
             first; then `event` (a domain event of the tenant, once durable), `queue` (a queue's figures when they \
             change) and `resync` (a fresh snapshot after the client fell behind and missed events). The server \
             pings every 30 s and closes a client that did not answer the previous ping; it closes with code 4001 \
             when the session expires. Supervisors and admins see the whole tenant; an agent sees their own agent, \
             their calls from the offer on, and the figures of their queues.",
        )
        .content("application/json", json(named("LiveMessage")))
        .build();
    op("live", "Live feed of the tenant's calls, agents, queues and events (any role)".into(), "101", None)
        .description(Some(
            "A WebSocket; authenticate with the Authorization header, the `token` query parameter or the \
             Sec-WebSocket-Protocol offer. A missing or bad token is refused with 401 before the upgrade.",
        ))
        .parameter(query("token", "The bearer token (browsers); kept out of the logs"))
        .parameter(protocol)
        .response("101", switching)
        .response("400", error("Not a WebSocket upgrade request"))
        .response("503", error("The live feed is not running"))
}

/// A supervisor's actions on a waiting call: move, priority.
fn add_call_actions(paths: &mut Paths) {
    let refused = "The call is not waiting (it rings or talks), or the ACD refused (the agent is not available \
                   or may not take the call); the reason is given";
    let action = |summary: &str, description: &str, input: &str| {
        with_id(with_input(op("calls", summary.into(), "204", None), input))
            .description(Some(description.to_owned()))
            .response("404", error("No such live call in your tenant, or it is not in a queue"))
            .response("409", error(refused))
            .response("503", error("The call layer is not running"))
    };
    let moved = action(
        "Move a waiting call to another queue or offer it to an agent (supervisor)",
        "Exactly one of `queue_id` (the call waits there from now on) and `agent_id` (an available agent, \
         offered the call at once). Audited as the call's `call_moved` event (who, from which queue, where to).",
        "MoveCall",
    );
    paths.add_path_operation("/api/v1/calls/{id}/move", vec![HttpMethod::Post], moved.build());
    let priority = action(
        "Change a waiting call's priority (supervisor)",
        "The call's new base priority; higher is served first. Audited as the call's `priority_changed` event \
         (who, the priority before and after, the position after).",
        "PriorityChange",
    );
    paths.add_path_operation("/api/v1/calls/{id}/priority", vec![HttpMethod::Post], priority.build());
}

fn paths() -> Paths {
    let mut paths = Paths::new();
    for c in CRUD {
        add_crud(&mut paths, c);
    }
    // PUT on users takes UserUpdate (password optional), not NewUser.
    paths.add_path_operation(
        "/api/v1/users/{id}",
        vec![HttpMethod::Put],
        with_id(with_input(op("users", "Replace (admin)".into(), "200", Some(record("User"))), "UserUpdate")).build(),
    );
    paths.add_path_operation(
        "/api/v1/queues/{id}/members",
        vec![HttpMethod::Put],
        with_id(with_input(
            op("queues", "Replace the members (admin)".into(), "200", Some(named("QueueView"))),
            "Members",
        ))
        .build(),
    );
    paths.add_path_operation(
        "/api/v1/agents/{id}/sip-password",
        vec![HttpMethod::Delete],
        with_id(op("agents", "Remove the SIP password: the agent can no longer register (admin)".into(), "204", None))
            .build(),
    );
    paths.add_path_operation(
        "/api/v1/agent-directory",
        vec![HttpMethod::Get],
        op(
            "agents",
            "The tenant's agents by name and extension: transfer targets (any role)".into(),
            "200",
            Some(items(named("DirectoryEntry"))),
        )
        .build(),
    );
    let shifts = |b| with_id(b).response("404", error("No such agent in your tenant"));
    paths.add_path_operation(
        "/api/v1/agents/{id}/shifts",
        vec![HttpMethod::Get],
        shifts(op(
            "agents",
            "The agent's weekly shifts in the tenant's local time (supervisor; an agent their own)".into(),
            "200",
            Some(named("AgentShifts")),
        ))
        .build(),
    );
    paths.add_path_operation(
        "/api/v1/agents/{id}/shifts",
        vec![HttpMethod::Put],
        shifts(with_input(
            op(
                "agents",
                "Replace the agent's weekly shifts; an end before the start runs overnight (supervisor)".into(),
                "200",
                Some(named("AgentShifts")),
            ),
            "Roster",
        ))
        .build(),
    );
    let contacts = op("contacts", "List or search (any role)".into(), "200", Some(items(record("Contact"))))
        .parameter(query("q", "Text in the name, company or a number"))
        .parameter(query("limit", "At most this many (1-1000, default 100)"))
        .parameter(query("offset", "Skip this many"))
        .parameter(query("number", "Only contacts with exactly this E.164 number"));
    paths.add_path_operation("/api/v1/contacts", vec![HttpMethod::Get], contacts.build());
    let contact_calls =
        with_id(op("contacts", "The contact's latest calls, newest first (any role; screen pop)".into(), "200", {
            Some(items(named("ContactCall")))
        }))
        .parameter(query("limit", "At most this many (1-50, default 5)"))
        .response("400", error("A bad query parameter, named"))
        .response("404", error("No such contact in your tenant"));
    paths.add_path_operation("/api/v1/contacts/{id}/calls", vec![HttpMethod::Get], contact_calls.build());
    let events = op(
        "events",
        "Stored events, oldest first (supervisor)".into(),
        "200",
        Some(items(ObjectBuilder::new().into())),
    )
    .parameter(query("since", "RFC 3339 instant, inclusive"))
    .parameter(query("until", "RFC 3339 instant, exclusive"))
    .parameter(query("call_id", "Only this call"))
    .parameter(query("limit", "At most this many (1-1000, default 100)"))
    .response("400", error("A bad query parameter, named"));
    paths.add_path_operation("/api/v1/events", vec![HttpMethod::Get], events.build());
    let call = with_id(op(
        "events",
        "One call's events in order (supervisor)".into(),
        "200",
        Some(items(ObjectBuilder::new().into())),
    ));
    paths.add_path_operation("/api/v1/calls/{id}/events", vec![HttpMethod::Get], call.build());
    let login = OperationBuilder::new()
        .tag("auth")
        .summary(Some("Log in with tenant slug, username and password"))
        .request_body(Some(RequestBodyBuilder::new().content("application/json", json(named("LoginRequest"))).build()))
        .response(
            "200",
            ResponseBuilder::new()
                .description("A session")
                .content("application/json", json(named("LoginResponse")))
                .build(),
        )
        .response("401", error("Wrong tenant, username or password"))
        .response("422", error("Missing or invalid fields"));
    paths.add_path_operation("/api/v1/auth/login", vec![HttpMethod::Post], login.build());
    paths.add_path_operation(
        "/api/v1/auth/logout",
        vec![HttpMethod::Post],
        op("auth", "End the session".into(), "204", None).build(),
    );
    paths.add_path_operation(
        "/api/v1/me",
        vec![HttpMethod::Get],
        op("auth", "Who am I".into(), "200", Some(named("Me"))).build(),
    );
    let tenants = op(
        "tenants",
        "Create a tenant with its first admin (platform operator)".into(),
        "201",
        Some(named("TenantView")),
    );
    paths.add_path_operation("/api/v1/tenants", vec![HttpMethod::Post], with_input(tenants, "NewTenant").build());
    paths.add_path_operation(
        "/api/v1/tenants",
        vec![HttpMethod::Get],
        op("tenants", "List tenants (platform operator)".into(), "200", Some(items(named("TenantView")))).build(),
    );
    let plain = |summary: &str, schema: Option<RefOr<Schema>>| {
        let mut r = ResponseBuilder::new().description(summary);
        if let Some(s) = schema {
            r = r.content("application/json", json(s));
        }
        OperationBuilder::new().tag("operations").summary(Some(summary)).response("200", r.build())
    };
    add_call_actions(&mut paths);
    crate::openapi_calls::add(&mut paths);
    crate::openapi_reports::add(&mut paths);
    paths.add_path_operation("/api/v1/live", vec![HttpMethod::Get], live().build());
    paths.add_path_operation("/healthz", vec![HttpMethod::Get], plain("Liveness", None).build());
    let ready = plain("Readiness: database and event writer", Some(named("Readiness"))).response(
        "503",
        ResponseBuilder::new().description("Not ready").content("application/json", json(named("Readiness"))).build(),
    );
    paths.add_path_operation("/readyz", vec![HttpMethod::Get], ready.build());
    paths.add_path_operation("/metrics", vec![HttpMethod::Get], plain("Prometheus metrics (text)", None).build());
    paths
}
