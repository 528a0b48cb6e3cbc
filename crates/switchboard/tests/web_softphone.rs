//! The web app (`web/`, built by the test command) in Debian's Chromium,
//! driven headless by playwright-core (`web/tests/*.mjs`), against `serve`
//! with the demo tenant: alice logs in, logs in to her queues, takes a
//! break and becomes available in the softphone; the supervisor's
//! wallboard shows her going to lunch (done over the API meanwhile) from
//! the live feed, without a reload; the server's own snapshot agrees; and
//! when `serve` stops and starts again under the open softphone, the page
//! says the connection is lost, then reconnects by itself, its JsSIP phone
//! registers again with the new server, and it shows what the new server says (alice logged out: the ACD does not keep agents'
//! log-ins across a restart); the reports page charts a week of generated
//! history (`switchboard history`) with the API's figures. The
//! test fails with what is missing when Chromium, Node.js or the built app
//! is not there (`scripts/test` installs and builds them).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::http::request;
use crate::serve::{Node, login, terminate};

/// The repository's `web/` directory.
pub(crate) fn web_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web")
}

/// Where the browser tests leave their screenshots (linked from README.md).
pub(crate) fn artifacts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/web-artifacts")
}

/// Panics naming what the browser tests need and do not find.
pub(crate) fn require_browser_setup(web: &Path) {
    let missing: Vec<String> = [
        (web.join("dist/index.html"), "the built web app (cd web && npm ci && npm run build)"),
        (web.join("node_modules/playwright-core"), "web's npm packages (cd web && npm ci)"),
        (PathBuf::from("/usr/bin/chromium"), "Chromium (apt-get install chromium)"),
    ]
    .into_iter()
    .filter(|(path, _)| !path.exists())
    .map(|(path, what)| format!("{what}: {} is missing", path.display()))
    .collect();
    let node = Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    assert!(missing.is_empty() && node, "the browser tests need {missing:?}{}", if node { "" } else { " and Node.js" });
}

/// A node with the demo tenant whose `serve` hands out the built web app;
/// and the `web/` directory.
async fn demo_with_web() -> (PathBuf, Node) {
    let web = web_root();
    require_browser_setup(&web);
    let mut node = Node::new().await.with_own_media_range();
    let dist = web.join("dist").canonicalize().expect("web/dist");
    node.env.push(("SWITCHBOARD_HTTP__WEB_DIR", dist.display().to_string()));
    node.run(&["demo"]);
    (web, node)
}

/// A child process killed when dropped, so that a failing test leaves no
/// `serve` or browser script running behind it.
pub(crate) struct Guard(pub(crate) Option<std::process::Child>);

impl Guard {
    pub(crate) fn child(&mut self) -> &mut std::process::Child {
        self.0.as_mut().expect("the process")
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Starts `serve` on `node`, guarded.
fn serve(node: &Node) -> Guard {
    Guard(Some(node.serve()))
}

/// Stops `serve`, which must exit cleanly.
fn stop(mut server: Guard) {
    let status = terminate(server.0.take().expect("serve"));
    assert!(status.success(), "serve exits cleanly: {status}");
}

/// `node web/tests/<script>` set to run against `url`.
pub(crate) fn script_command(web: &Path, script: &str, url: &str) -> Command {
    let mut cmd = Command::new("node");
    cmd.arg(format!("tests/{script}")).current_dir(web).env("SWITCHBOARD_URL", url).env("ARTIFACTS_DIR", artifacts());
    cmd
}

/// Runs `web/tests/<script>` against `url`; returns its standard output.
fn run_script(web: &Path, script: &str, url: &str) -> String {
    let out = script_command(web, script, url).output().expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{script} failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    stdout
}

#[tokio::test(flavor = "multi_thread")]
async fn an_agent_logs_in_in_chromium_and_becomes_available() {
    let (web, node) = demo_with_web().await;
    // Today's calls for "My day" (the generator writes whole local days).
    let today = chrono::Utc::now().date_naive().to_string();
    node.run(&["history", "--tenant", "demo", "--days", "1", "--until", &today, "--seed", "5"]);
    let server = serve(&node);

    let page = request(node.addr, "GET", "/", None, None).expect("GET /");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<div id=\"app\"") || page.body.contains("<script"), "the app's page: {}", page.body);

    let out = run_script(&web, "agent-state.mjs", &format!("http://{}", node.addr));
    assert!(out.contains("OK agent-state available"), "{out}");
    // The page's figures equal the API's (the script checks); how many
    // depends on the hour the test runs (few calls come at night).
    assert!(out.lines().any(|l| l.starts_with("my day: ")), "{out}");
    let shot = std::fs::read(artifacts().join("softphone-available.png")).expect("the screenshot");
    assert!(shot.starts_with(b"\x89PNG"), "a PNG screenshot");

    // The server's view: alice is available.
    let supervisor = login(node.addr, "supervisor", "demo-supervisor");
    let agents = request(node.addr, "GET", "/api/v1/agents", Some(&supervisor), None).expect("agents").json();
    let alice = agents["items"]
        .as_array()
        .and_then(|a| a.iter().find(|a| a["extension"] == "alice" || a["name"] == "Alice Senior"))
        .map(|a| a["id"].clone())
        .expect("alice");
    let live = request(node.addr, "GET", "/api/v1/reports/realtime", Some(&supervisor), None).expect("realtime").json();
    let state =
        live["agents"].as_array().and_then(|a| a.iter().find(|a| a["agent_id"] == alice)).map(|a| a["state"].clone());
    assert_eq!(state.map(|s| s["state"].clone()), Some("available".into()), "{live}");

    stop(server);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_supervisors_wallboard_shows_an_agents_change_from_the_live_feed() {
    let (web, node) = demo_with_web().await;
    let server = serve(&node);

    // The script signs alice in over the API while the page is open and
    // waits for her row to change without a reload.
    let out = run_script(&web, "wallboard.mjs", &format!("http://{}", node.addr));
    assert!(out.contains("OK wallboard live"), "{out}");
    let shot = std::fs::read(artifacts().join("wallboard.png")).expect("the screenshot");
    assert!(shot.starts_with(b"\x89PNG"), "a PNG screenshot");

    let supervisor = login(node.addr, "supervisor", "demo-supervisor");
    let live = request(node.addr, "GET", "/api/v1/reports/realtime", Some(&supervisor), None).expect("realtime").json();
    let lunch = live["agents"].as_array().is_some_and(|a| {
        a.iter().any(|a| a["state"] == serde_json::json!({"state": "not_ready", "reason": {"code": "lunch"}}))
    });
    assert!(lunch, "the server has alice at lunch too: {live}");

    stop(server);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_softphone_says_when_the_server_is_gone_and_reconnects_by_itself_when_it_is_back() {
    use std::io::Write;
    use std::process::Stdio;

    let (web, node) = demo_with_web().await;
    let mut server = serve(&node);

    let mut script = Guard(Some(
        script_command(&web, "reconnect.mjs", &format!("http://{}", node.addr))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("run node"),
    ));
    let mut lines = ScriptLines::of(script.child());

    lines.expect("READY");
    stop(server);
    lines.expect("LOST");
    server = serve(&node);
    writeln!(script.child().stdin.as_mut().expect("stdin"), "back").expect("tell the script");
    lines.expect("OK reconnected");
    eprintln!("{}", lines.seen());
    assert!(script.child().wait().expect("the script ends").success());
    let shot = std::fs::read(artifacts().join("softphone-connection-lost.png")).expect("the screenshot");
    assert!(shot.starts_with(b"\x89PNG"), "a PNG screenshot");
    // Each server saw the browser register over the WebSocket: the page's
    // phone registered again by itself with the server that came back.
    let pool = store::connect(&node.database_url, 1).await.expect("the database");
    let (over_ws,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM events WHERE kind = 'agent_device_registered' AND payload->>'transport' = 'ws'",
    )
    .fetch_one(&pool)
    .await
    .expect("count the registrations");
    assert!(over_ws >= 2, "the browser registered with both servers: {over_ws} registrations");
    stop(server);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_reports_page_charts_a_weeks_history_and_matches_the_api() {
    let (web, node) = demo_with_web().await;
    let history = node.run(&["history", "--tenant", "demo", "--days", "7", "--seed", "3"]);
    assert!(history.contains("calls"), "{history}");
    let server = serve(&node);

    let out = run_script(&web, "reports.mjs", &format!("http://{}", node.addr));
    assert!(out.contains("OK reports"), "{out}");
    let shot = std::fs::read(artifacts().join("reports.png")).expect("the screenshot");
    assert!(shot.starts_with(b"\x89PNG"), "a PNG screenshot");

    stop(server);
}

#[tokio::test(flavor = "multi_thread")]
async fn every_page_has_named_controls_visible_focus_and_no_sideways_scroll_at_1366x768_and_sign_in_works_by_keyboard()
{
    let (web, node) = demo_with_web().await;
    let server = serve(&node);
    // The script signs in with the keyboard only, then on each page (the
    // softphone, the wallboard, the reports, every admin page and four
    // edit forms) tabs through the controls and checks names and width.
    let out = run_script(&web, "a11y.mjs", &format!("http://{}", node.addr));
    assert!(out.contains("OK a11y"), "{out}");
    let pages = out.lines().filter(|l| l.starts_with("page ")).count();
    assert!(pages >= 15, "every page was checked: {out}");
    assert!(out.lines().any(|l| l.starts_with("sign-in: the username field after")), "{out}");
    let png = std::fs::read(artifacts().join("a11y-focus.png")).expect("the screenshot");
    assert!(png.starts_with(b"\x89PNG"));
    stop(server);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_admin_pages_edit_the_tenants_configuration_with_the_json_the_api_validates() {
    let (web, node) = demo_with_web().await;
    let server = serve(&node);

    // The script edits through the pages only and checks every object
    // through the API; the Main line flow must round-trip unchanged.
    let out = run_script(&web, "admin.mjs", &format!("http://{}", node.addr));
    assert!(out.contains("OK admin"), "{out}");
    for shot in ["admin-queues.png", "admin-ivr.png"] {
        let png = std::fs::read(artifacts().join(shot)).expect("the screenshot");
        assert!(png.starts_with(b"\x89PNG"), "{shot} is a PNG");
    }

    // What the pages made is in the store, as the ACD will read it.
    let pool = store::connect(&node.database_url, 1).await.expect("the database");
    let tenant = store::repo::tenants::find_by_slug(&pool, "demo").await.expect("read").expect("demo").id;
    let queues = store::repo::queues::list(&pool, tenant).await.expect("queues");
    let billing = queues.iter().find(|q| q.queue.name == "billing").expect("the billing queue");
    assert_eq!(billing.queue.wrap_up_secs, 15);
    let numbers = store::repo::numbers::list(&pool, tenant).await.expect("numbers");
    let number = numbers.iter().find(|n| n.data.e164 == "+442079460777").expect("the billing number");
    assert_eq!(number.data.entry, model::EntryPoint::Queue { queue_id: billing.id });
    stop(server);
}

/// A browser script's standard output, line by line as it comes: the
/// script says how far it got (`READY`, `RINGING <call>`, …) and the test
/// acts in between.
pub(crate) struct ScriptLines {
    lines: std::sync::mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl ScriptLines {
    /// Reads `child`'s piped standard output on a thread of its own.
    pub(crate) fn of(child: &mut std::process::Child) -> ScriptLines {
        use std::io::BufRead;
        let (tx, lines) = std::sync::mpsc::channel::<String>();
        let stdout = child.stdout.take().expect("the script's stdout is piped");
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        ScriptLines { lines, seen: Vec::new() }
    }

    /// The next line starting with `prefix` (lines before it are kept for
    /// messages); panics on a `FAIL` line, the script's end, or after 60 s
    /// without a line (a bound on a script that hangs, not a timing
    /// assertion).
    pub(crate) fn expect(&mut self, prefix: &str) -> String {
        loop {
            match self.lines.recv_timeout(std::time::Duration::from_secs(60)) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    assert!(!line.starts_with("FAIL"), "the script failed:\n{}", self.seen());
                    if line.starts_with(prefix) {
                        return line;
                    }
                }
                Err(e) => panic!("no {prefix} from the script ({e}):\n{}", self.seen()),
            }
        }
    }

    /// Every line so far.
    pub(crate) fn seen(&self) -> String {
        self.seen.join("\n")
    }
}
