//! CPU time of processes and threads from `/proc` (`schedstat`: the
//! nanoseconds each task has run, user and system together), and pinning
//! threads to a core.

use std::fs;
use std::io;

/// The tasks (threads) of process `pid` ("self" for this one) whose name
/// starts with `prefix` ("" for all).
pub fn tasks(pid: &str, prefix: &str) -> io::Result<Vec<i32>> {
    let mut found = Vec::new();
    for entry in fs::read_dir(format!("/proc/{pid}/task"))? {
        let entry = entry?;
        let Some(tid) = entry.file_name().to_str().and_then(|name| name.parse::<i32>().ok()) else { continue };
        let name = fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
        if name.trim_end().starts_with(prefix) {
            found.push(tid);
        }
    }
    Ok(found)
}

/// The CPU time, in nanoseconds, that the tasks of process `pid` named
/// `prefix…` have used so far (a task that ended is no longer counted).
pub fn cpu_ns(pid: &str, prefix: &str) -> io::Result<u64> {
    let mut total = 0;
    for tid in tasks(pid, prefix)? {
        // A task may end between the listing and the read.
        let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/task/{tid}/schedstat")) else { continue };
        total += stat.split_whitespace().next().and_then(|ns| ns.parse::<u64>().ok()).unwrap_or(0);
    }
    Ok(total)
}

/// Pins task `tid` (0 for the calling thread) to core `cpu`.
pub fn pin(tid: i32, cpu: usize) -> io::Result<()> {
    let mut set = rustix::thread::CpuSet::new();
    set.set(cpu);
    let pid = rustix::process::Pid::from_raw(tid);
    rustix::thread::sched_setaffinity(pid, &set)?;
    Ok(())
}
