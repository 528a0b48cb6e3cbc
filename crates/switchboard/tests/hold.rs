//! Hold through `serve`: the agent's phone holds the call (a re-INVITE
//! with `sendonly`), we answer `recvonly`; the caller hears music on hold
//! instead of the agent; the agent resumes and they hear each other again;
//! `held` and `resumed` are events and the CDR counts the hold time.

use std::time::Duration;

use model::{EntryPoint, PhoneNumber};

use crate::calls::wait_for_kinds;
use crate::http::request;
use crate::phones::{Phone, baresip_available, share};
use crate::serve::{Node, login, terminate};

const DID: &str = "+442079460003";

#[tokio::test(flavor = "multi_thread")]
async fn the_agent_holds_the_caller_hears_music_then_resumes_and_the_cdr_counts_the_hold() {
    if !baresip_available() {
        return;
    }
    let node = Node::new().await.with_own_media_range();
    node.run(&["demo"]);
    let pool = store::connect(&node.database_url, 2).await.unwrap();
    let tenant = store::repo::tenants::find_by_slug(&pool, "demo").await.unwrap().unwrap().id;
    let agents = store::repo::agents::list(&pool, tenant).await.unwrap();
    let queue_id = agents.iter().find(|a| a.data.extension == "alice").unwrap().data.queues[0].queue_id;
    let number = PhoneNumber { e164: DID.into(), entry: EntryPoint::Queue { queue_id }, label: "Test".into() };
    store::repo::numbers::create(&pool, tenant, &number).await.unwrap();
    let server = node.serve();
    let admin = login(node.addr, "admin", "demo-admin");
    let agent = Phone::start(
        &format!(
            "<sip:alice@demo.switchboard.localhost>;auth_pass=alice-sip-demo;outbound=\"sip:{}\";answermode=auto;regint=60;audio_codecs=pcmu",
            node.sip_udp
        ),
        440.0,
    );
    wait_for_kinds(&node, &admin, &["agent_device_registered"]);
    let alice = login(node.addr, "alice", "demo-agent");
    assert_eq!(request(node.addr, "POST", "/api/v1/agent/login", Some(&alice), None).unwrap().status, 204);
    let caller = Phone::start("<sip:+447700900125@127.0.0.1>;regint=0;audio_codecs=pcmu", 700.0);
    caller.command("dial", &format!("sip:{DID}@{}", node.sip_udp));
    wait_for_kinds(&node, &admin, &["bridged"]);
    std::thread::sleep(Duration::from_secs(1));
    agent.command("hold", "");
    if std::panic::catch_unwind(|| wait_for_kinds(&node, &admin, &["held"])).is_err() {
        panic!("the hold did not come:\n{}", agent.log());
    }
    std::thread::sleep(Duration::from_secs(2));
    agent.command("resume", "");
    wait_for_kinds(&node, &admin, &["resumed"]);
    std::thread::sleep(Duration::from_secs(2));
    caller.command("hangup", "");
    wait_for_kinds(&node, &admin, &["call_ended"]);

    let mut hold_ms = None;
    for _ in 0..200 {
        hold_ms = sqlx::query_scalar::<_, Option<i64>>("SELECT hold_ms FROM calls WHERE tenant_id = $1")
            .bind(tenant.0)
            .fetch_optional(&pool)
            .await
            .unwrap()
            .flatten();
        if hold_ms.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let hold_ms = hold_ms.expect("the CDR row with its hold time");
    assert!((1_000..10_000).contains(&hold_ms), "about two seconds on hold: {hold_ms} ms");

    let caller_calls = caller.quit_per_call();
    let _ = agent.quit_per_call();
    let heard = &caller_calls[0];
    // The last two seconds (resumed) carry the agent; the two before them (on hold) do not.
    let resumed = &heard[heard.len() - 10_000..heard.len() - 2_000];
    let on_hold = &heard[heard.len() - 30_000..heard.len() - 22_000];
    assert!(share(resumed, 440.0) > 0.3, "resumed: the caller hears the agent again ({})", share(resumed, 440.0));
    assert!(share(on_hold, 440.0) < 0.05, "on hold the caller does not hear the agent ({})", share(on_hold, 440.0));
    pool.close().await;
    assert!(terminate(server).success());
}
