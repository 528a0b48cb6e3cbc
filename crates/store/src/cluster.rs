//! A private PostgreSQL cluster started from the system's binaries, for
//! `serve` without a configured database and for the tests.
//!
//! `initdb` refuses to run as root; when we are root the cluster is created
//! and run as the `postgres` system user (created by Debian's package) through
//! `runuser`. The cluster listens on 127.0.0.1 only, on a free port, and has no
//! Unix socket. Starting is idempotent: a cluster already running in the data
//! directory is reused, so several processes (e.g. test processes) share one.

use std::fs::{self, File};
use std::io;
use std::net::TcpListener;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::error::StoreError;

/// The package that provides `initdb` and `pg_ctl` on Debian.
pub const POSTGRES_PACKAGE: &str = "postgresql";

/// How a local cluster should behave.
#[derive(Clone, Debug)]
pub struct ClusterOptions {
    /// Durability off (`fsync=off`): for throwaway test clusters only.
    pub throwaway: bool,
}

/// A running local cluster.
#[derive(Debug)]
pub struct LocalCluster {
    bin_dir: PathBuf,
    data_dir: PathBuf,
    port: u16,
    run_as_postgres: bool,
}

impl LocalCluster {
    /// Creates the cluster in `data_dir` when it does not exist, starts it
    /// when it is not running, and makes sure database `switchboard` exists.
    pub fn start(data_dir: &Path, options: &ClusterOptions) -> Result<LocalCluster, StoreError> {
        let bin_dir = find_bin_dir()?;
        let run_as_postgres = is_root();
        fs::create_dir_all(data_dir).map_err(|e| cluster_io("create the data directory", e))?;
        let data_dir = data_dir.canonicalize().map_err(|e| cluster_io("resolve the data directory", e))?;
        // One process at a time creates or starts the cluster.
        let lock_path = data_dir.with_extension("lock");
        let lock = File::create(&lock_path).map_err(|e| cluster_io("create the cluster lock", e))?;
        lock.lock().map_err(|e| cluster_io("lock the cluster", e))?;

        let mut cluster = LocalCluster { bin_dir, data_dir, port: 0, run_as_postgres };
        if !cluster.data_dir.join("PG_VERSION").exists() {
            cluster.init()?;
        }
        match cluster.running_port() {
            Some(port) => cluster.port = port,
            None => cluster.boot(options)?,
        }
        drop(lock);
        Ok(cluster)
    }

    /// The connection URL of database `db` in this cluster.
    pub fn url_for(&self, db: &str) -> String {
        format!("postgres://switchboard@127.0.0.1:{}/{db}", self.port)
    }

    /// The connection URL of the `switchboard` database.
    pub fn url(&self) -> String {
        self.url_for("switchboard")
    }

    /// The TCP port the cluster listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Stops the cluster (`pg_ctl stop -m fast`): connections are closed,
    /// committed data stays.
    pub fn stop(&self) -> Result<(), StoreError> {
        let data = self.data_dir.to_string_lossy().into_owned();
        self.pg("pg_ctl", &["stop", "-D", &data, "-m", "fast", "-w"]).map(drop)
    }

    /// Starts a stopped cluster again on the same port.
    pub fn restart(&self) -> Result<(), StoreError> {
        self.pg_ctl_start(self.port, false)
    }

    fn init(&self) -> Result<(), StoreError> {
        if self.run_as_postgres {
            self.hand_to_postgres()?;
        }
        let data = self.data_dir.to_string_lossy().into_owned();
        self.pg(
            "initdb",
            &["-D", &data, "-U", "switchboard", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"],
        )
        .map(drop)
    }

    fn boot(&mut self, options: &ClusterOptions) -> Result<(), StoreError> {
        let port = free_port()?;
        self.pg_ctl_start(port, options.throwaway)?;
        self.port = port;
        self.create_database("switchboard")
    }

    fn pg_ctl_start(&self, port: u16, throwaway: bool) -> Result<(), StoreError> {
        let data = self.data_dir.to_string_lossy().into_owned();
        let log = self.data_dir.join("server.log").to_string_lossy().into_owned();
        let mut opts = format!("-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''");
        if throwaway {
            opts.push_str(" -c fsync=off -c full_page_writes=off");
        }
        self.pg("pg_ctl", &["start", "-D", &data, "-l", &log, "-w", "-t", "60", "-o", &opts]).map(drop)
    }

    /// Creates database `name` when it does not exist.
    pub fn create_database(&self, name: &str) -> Result<(), StoreError> {
        let port = self.port.to_string();
        let out = self.pg(
            "psql",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "-U",
                "switchboard",
                "-d",
                "postgres",
                "-tAc",
                &format!("SELECT 1 FROM pg_database WHERE datname = '{}'", name.replace('\'', "''")),
            ],
        )?;
        if String::from_utf8_lossy(&out.stdout).trim() != "1" {
            self.pg("createdb", &["-h", "127.0.0.1", "-p", &port, "-U", "switchboard", name])?;
        }
        Ok(())
    }

    /// The port of a cluster already running in the data directory, if any.
    fn running_port(&self) -> Option<u16> {
        let pid_file = fs::read_to_string(self.data_dir.join("postmaster.pid")).ok()?;
        serving_port(&pid_file, &self.data_dir)
    }

    /// Gives the data directory to the `postgres` user and lets it reach it.
    fn hand_to_postgres(&self) -> Result<(), StoreError> {
        run(Command::new("chown").args(["-R", "postgres:postgres"]).arg(&self.data_dir), "chown")?;
        // The postgres user must be able to traverse every parent directory.
        let mut dir = self.data_dir.parent();
        while let Some(d) = dir {
            if let Ok(meta) = fs::metadata(d) {
                use std::os::unix::fs::PermissionsExt;
                let mode = meta.permissions().mode();
                if mode & 0o001 == 0 {
                    let _ = fs::set_permissions(d, fs::Permissions::from_mode(mode | 0o001));
                }
            }
            dir = d.parent();
        }
        Ok(())
    }

    fn pg(&self, tool: &str, args: &[&str]) -> Result<Output, StoreError> {
        let exe = self.bin_dir.join(tool);
        let mut cmd = if self.run_as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        cmd.args(args).current_dir("/");
        run(&mut cmd, tool)
    }
}

fn run(cmd: &mut Command, what: &str) -> Result<Output, StoreError> {
    let out = cmd.output().map_err(|e| cluster_io(what, e))?;
    if out.status.success() {
        Ok(out)
    } else {
        Err(StoreError::Cluster(format!(
            "{what} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim(),
            String::from_utf8_lossy(&out.stdout).trim()
        )))
    }
}

fn cluster_io(what: &str, e: io::Error) -> StoreError {
    StoreError::Cluster(format!("could not {what}: {e}"))
}

fn is_root() -> bool {
    // The owner of /proc/self is our effective uid.
    use std::os::unix::fs::MetadataExt;
    fs::metadata("/proc/self").map(|m| m.uid() == 0).unwrap_or(false)
}

fn free_port() -> Result<u16, StoreError> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| cluster_io("find a free port", e))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| cluster_io("find a free port", e))
}

/// The port from `postmaster.pid` contents `pid_file` when its postmaster
/// is alive and really serves `data_dir`: line 2 names `data_dir`, and the
/// process's working directory (the postmaster `chdir`s into its data
/// directory) or its command line points at it. A stale file whose pid was
/// reused by another process gives `None`.
pub fn serving_port(pid_file: &str, data_dir: &Path) -> Option<u16> {
    let mut lines = pid_file.lines();
    let pid: u32 = lines.next()?.trim().parse().ok()?;
    let dir = lines.next()?.trim();
    let port: u16 = lines.nth(1)?.trim().parse().ok()?;
    let data_dir = data_dir.canonicalize().unwrap_or_else(|_| data_dir.to_owned());
    if Path::new(dir) != data_dir {
        return None;
    }
    let proc_dir = PathBuf::from(format!("/proc/{pid}"));
    let cwd_matches = fs::read_link(proc_dir.join("cwd")).is_ok_and(|cwd| cwd == data_dir);
    let cmdline_matches = fs::read(proc_dir.join("cmdline"))
        .is_ok_and(|c| c.split(|b| *b == 0).any(|arg| Path::new(std::ffi::OsStr::from_bytes(arg)) == data_dir));
    (cwd_matches || cmdline_matches).then_some(port)
}

/// Finds the directory holding `initdb` and `pg_ctl`: `SWITCHBOARD_PG_BIN`,
/// then the newest `/usr/lib/postgresql/*/bin`, then `PATH`.
pub fn find_bin_dir() -> Result<PathBuf, StoreError> {
    if let Some(dir) = std::env::var_os("SWITCHBOARD_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, bin): &(u32, PathBuf)| bin.join("initdb").exists())
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(bin);
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .find(|d| d.join("initdb").exists() && d.join("pg_ctl").exists())
        .ok_or(StoreError::PostgresMissing)
}
