//! The OpenAPI description of the agent session and live-call routes
//! (`routes::agent_session`): an agent's log-in, state, wrap-up and
//! click-to-call; a supervisor's supervision of a live call; transfers.

use utoipa::openapi::HttpMethod;
use utoipa::openapi::path::{OperationBuilder, Paths};

use crate::openapi::{error, named, op, with_id, with_input};

/// What every call-layer route may answer besides success.
fn call_layer(b: OperationBuilder) -> OperationBuilder {
    b.response("409", error("Refused by the call layer or the ACD; the reason is given"))
        .response("503", error("The call layer is not running"))
}

/// An operation on the live call `{id}`.
fn on_call(summary: &str, description: &str, ok: &str, input: Option<&str>) -> OperationBuilder {
    let b = with_id(op("calls", summary.into(), ok, None)).description(Some(description.to_owned()));
    call_layer(match input {
        Some(input) => with_input(b, input),
        None => b,
    })
}

/// An operation of the signed-in agent.
fn as_agent(summary: &str, ok: &str, input: Option<&str>) -> OperationBuilder {
    let b = op("agent", summary.into(), ok, None);
    call_layer(match input {
        Some(input) => with_input(b, input),
        None => b,
    })
}

/// Adds the agent session and live-call routes.
pub(crate) fn add(paths: &mut Paths) {
    let post = || vec![HttpMethod::Post];
    paths.add_path_operation("/api/v1/agent/login", post(), as_agent("Log in to take calls", "204", None).build());
    paths.add_path_operation("/api/v1/agent/logout", post(), as_agent("Log out", "204", None).build());
    let state = as_agent("Set your state (available, not ready with a reason, DND)", "204", Some("ChosenState"));
    paths.add_path_operation("/api/v1/agent/state", vec![HttpMethod::Put], state.build());
    let wrap_up = as_agent("File the disposition of your last call and end the wrap-up", "204", Some("WrapUp"));
    paths.add_path_operation("/api/v1/agent/wrap-up", post(), wrap_up.build());
    let call =
        as_agent("Click-to-call: your phone rings, then the number or contact is dialled", "202", Some("PlaceCall"))
            .response(
                "202",
                utoipa::openapi::ResponseBuilder::new()
                    .description("The call placed")
                    .content(
                        "application/json",
                        utoipa::openapi::ContentBuilder::new().schema(Some(named("CallPlaced"))).build(),
                    )
                    .build(),
            );
    paths.add_path_operation("/api/v1/agent/call", post(), call.build());
    let sip_login = op(
        "agent",
        "A short-lived SIP login for your browser softphone (JsSIP over `GET /sip`)".into(),
        "200",
        Some(named("SipLogin")),
    )
    .description(Some(
        "Registers your own AOR until `expires_at` (a session's length, at most a day); derived from your SIP \
         password, which is never handed out, and void once it changes. 409: you have no SIP account."
            .to_owned(),
    ))
    .response("409", error("You have no agent profile or no SIP password"));
    paths.add_path_operation("/api/v1/agent/sip-login", post(), sip_login.build());
    let reject = as_agent("Refuse the call ringing at you: it goes to the next agent (409: none rings)", "204", None);
    paths.add_path_operation("/api/v1/agent/offer/reject", post(), reject.build());
    let agent_state = with_id(call_layer(with_input(
        op("agents", "Set an agent's state (supervisor)".into(), "204", None),
        "ChosenState",
    )));
    paths.add_path_operation("/api/v1/agents/{id}/state", vec![HttpMethod::Put], agent_state.build());
    let supervise = on_call(
        "Monitor, whisper to or barge into a live call, or switch mode (supervisor)",
        "Your phone is rung, then joins the call's mix in the mode; a second request switches the mode \
         without ringing again. Audited as `supervisor_joined`.",
        "202",
        Some("Supervision"),
    );
    let leave = on_call("Leave the call (supervisor)", "Audited as `supervisor_left`.", "204", None);
    let mut item = utoipa::openapi::PathItem::new(HttpMethod::Post, supervise.build());
    item.delete = Some(leave.build());
    paths.paths.insert("/api/v1/calls/{id}/supervision".into(), item);
    let transfer = on_call(
        "Blind transfer to a queue, an agent or a number (the call's agent, or a supervisor)",
        "The agent's leg is hung up and they go to wrap-up; a queue takes the call as a new arrival, a named \
         agent is offered it at once (409 unless they are free), a number is dialled through the tenant's trunks. \
         Audited as `transferred` (`blind`).",
        "202",
        Some("Transfer"),
    );
    paths.add_path_operation("/api/v1/calls/{id}/transfer", post(), transfer.build());
    let consult = on_call(
        "Warm transfer: consult an agent or a number while the caller holds",
        "The caller hears music (`held`); the agent or number is rung and, once it answers, talks with the agent.",
        "202",
        Some("Transfer"),
    );
    let cancel = on_call("Call the consultation off: back to the caller (`resumed`)", "", "204", None);
    let mut item = utoipa::openapi::PathItem::new(HttpMethod::Post, consult.build());
    item.delete = Some(cancel.build());
    paths.paths.insert("/api/v1/calls/{id}/consult".into(), item);
    let complete = on_call(
        "Complete the warm transfer",
        "The caller is put through to the party consulted and the agent leaves to wrap-up. Audited as \
         `transferred` (`warm`). 409 until the party consulted has answered.",
        "204",
        None,
    );
    paths.add_path_operation("/api/v1/calls/{id}/consult/complete", post(), complete.build());
}
