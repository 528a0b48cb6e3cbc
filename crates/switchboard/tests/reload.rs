//! Configuration changed while `serve` runs takes effect without a
//! restart: a number added through the store after start-up routes calls
//! once the next reload (`reload.every_secs`, here 1 s) has read it.

use std::time::Duration;

use model::EntryPoint;

use crate::phones::baresip_available;
use crate::scenario::{Answer, Demo, kinds, of_kind};

const DID: &str = "+442079460041";
const CALLER: &str = "+447700900741";

#[tokio::test(flavor = "multi_thread")]
async fn a_number_added_while_serve_runs_takes_calls_after_the_next_reload() {
    if !baresip_available() {
        return;
    }
    let demo = Demo::seed().await.reloading_every_second();
    let sales = demo.queue("sales").await;
    let pool = demo.pool().clone();
    let tenant = demo.tenant();
    let calls = demo.serve();
    let alice = calls.agent_phone("alice", Answer::Auto, 440.0).await;
    calls.log_in("alice");

    let number =
        model::PhoneNumber { e164: DID.into(), entry: EntryPoint::Queue { queue_id: sales }, label: "New".into() };
    store::repo::numbers::create(&pool, tenant, &number).await.unwrap();
    // Until a reload has read the number a call to it is refused (404);
    // each try waits for the call's first event, boundedly.
    let mut answered = None;
    for _ in 0..10 {
        let caller = calls.dial(CALLER, DID, 700.0);
        let arrived = (0..40).any(|_| {
            std::thread::sleep(Duration::from_millis(50));
            caller.log().contains("Call established")
        });
        if arrived {
            answered = Some(caller);
            break;
        }
        let _ = caller.quit();
    }
    let caller = answered.expect("a reload made the new number take calls");
    calls.wait_for_kinds(&["bridged"]).await;
    caller.command("hangup", "");
    let events = calls.wait_for_kinds(&["call_ended"]).await;
    assert_eq!(of_kind(&events, "call_arrived")[0]["to"], DID, "{:?}", kinds(&events));
    assert_eq!(calls.cdr().await.outcome, "answered");
    let _ = (caller.quit(), alice.quit());
    calls.stop();
}
