//! IVR flows are checked as a graph before they are saved.

use model::{IvrFlow, Validate};

fn flow(json: serde_json::Value) -> IvrFlow {
    serde_json::from_value(json).unwrap()
}

fn fields(flow: &IvrFlow) -> Vec<String> {
    flow.validate().err().map(|e| e.errors.into_iter().map(|e| e.field).collect()).unwrap_or_default()
}

#[test]
fn a_well_formed_menu_flow_is_valid() {
    let f = flow(serde_json::json!({
        "name": "Main menu",
        "start": "welcome",
        "nodes": {
            "welcome": {"type": "play", "prompt": "Welcome to Acme", "next": "menu"},
            "menu": {"type": "menu", "prompt": "Press 1 for sales, 2 for support",
                     "choices": {"1": "sales", "2": "bye"}, "timeout_secs": 5, "retries": 2, "on_failure": "bye"},
            "sales": {"type": "enqueue", "queue_id": "0190b6a6-5a3e-7f1e-9a57-1c2d3e4f5a6b"},
            "bye": {"type": "hangup"}
        }
    }));
    assert_eq!(fields(&f), Vec::<String>::new());
    assert_eq!(f.queue_ids().len(), 1);
}

#[test]
fn dangling_references_bad_digits_and_unreachable_nodes_are_named() {
    let f = flow(serde_json::json!({
        "name": "Broken",
        "start": "menu",
        "nodes": {
            "menu": {"type": "menu", "prompt": "Choose", "choices": {"1": "nowhere", "12": "bye"},
                     "timeout_secs": 5, "retries": 1, "on_failure": "bye"},
            "bye": {"type": "hangup"},
            "orphan": {"type": "hangup"}
        }
    }));
    assert_eq!(fields(&f), ["nodes.menu.choices.12", "nodes.menu.choices.1", "nodes.orphan"]);
}

#[test]
fn missing_start_node_is_named() {
    let f = flow(serde_json::json!({"name": "x", "start": "nope", "nodes": {"a": {"type": "hangup"}}}));
    assert!(fields(&f).contains(&"start".to_string()));
}

#[test]
fn unknown_node_fields_are_rejected_when_parsing() {
    let err = serde_json::from_value::<IvrFlow>(serde_json::json!({
        "name": "x", "start": "a", "nodes": {"a": {"type": "hangup", "volume": 11}}
    }))
    .unwrap_err();
    assert!(err.to_string().contains("volume"), "{err}");
}
