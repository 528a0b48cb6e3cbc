//! A network namespace of the test's own with only loopback in it, for
//! browser tests whose WebRTC must not stray onto the machine's other
//! interfaces (Chromium gathers candidates on every interface and may
//! nominate eth0: ../shared/TESTING-PEERS.md). The test body runs on a
//! thread that has left the machine's network namespace (`unshare(2)`
//! with `CLONE_NEWNET`, which needs root or CAP_SYS_ADMIN); every thread
//! and process it starts — a tokio runtime, PostgreSQL, `serve`, SIPp,
//! node and Chromium — is in the namespace with it, and reaches nothing
//! outside it. So the test brings its own PostgreSQL cluster
//! ([`PrivateCluster`]): the shared one listens in the machine's namespace.

use std::process::Command;

use store::{ClusterOptions, LocalCluster};

/// Runs `body` in a new network namespace whose only interface is
/// loopback (up); panics naming what is missing when it cannot be made.
pub(crate) fn in_loopback_namespace<T: Send>(body: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| {
        let thread = scope.spawn(|| {
            let unshared = nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNET);
            assert!(
                unshared.is_ok(),
                "cannot make a network namespace for the browser test (unshare CLONE_NEWNET needs root or \
                 CAP_SYS_ADMIN): {unshared:?}"
            );
            let up = Command::new("ip").args(["link", "set", "lo", "up"]).status();
            assert!(
                up.as_ref().is_ok_and(|s| s.success()),
                "cannot bring loopback up in the test's namespace (`ip`, Debian package iproute2): {up:?}"
            );
            body()
        });
        match thread.join() {
            Ok(value) => value,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// A throwaway PostgreSQL cluster of one test, in a temporary directory,
/// stopped when dropped.
pub(crate) struct PrivateCluster {
    cluster: LocalCluster,
    _dir: tempfile::TempDir,
}

impl PrivateCluster {
    /// Creates and starts the cluster (`initdb`, then `pg_ctl start` on a
    /// free port of the current namespace's 127.0.0.1).
    pub(crate) fn start() -> PrivateCluster {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let cluster = LocalCluster::start(&dir.path().join("pg"), &ClusterOptions { throwaway: true })
            .unwrap_or_else(|e| panic!("cannot start the test's own PostgreSQL cluster: {e}"));
        PrivateCluster { cluster, _dir: dir }
    }

    /// The URL of its `switchboard` database.
    pub(crate) fn url(&self) -> String {
        self.cluster.url()
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        if let Err(e) = self.cluster.stop() {
            eprintln!("the test's PostgreSQL cluster did not stop: {e}");
        }
    }
}
