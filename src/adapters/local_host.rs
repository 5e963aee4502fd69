//! This machine as workers see it: its name, and whether a process of it still runs.

use std::path::Path;

fn hostname() -> String {
    let uname = rustix::system::uname();
    let host = uname.nodename().to_string_lossy().into_owned();
    if host.is_empty() {
        "localhost".into()
    } else {
        host
    }
}

/// `hostname:pid`, the default `--worker-id`: unique among live workers, says where a lease
/// came from, and lets a run on the same host free the leases of a dead one.
pub fn local_worker_id() -> String {
    format!("{}:{}", hostname(), std::process::id())
}

/// The pid of a default worker id of this host whose process no longer exists.
pub fn dead_local_worker(owner: &str) -> Option<u32> {
    dead_pid_on(owner, &hostname())
}

fn dead_pid_on(owner: &str, host: &str) -> Option<u32> {
    let pid: u32 = owner.strip_prefix(host)?.strip_prefix(':')?.parse().ok()?;
    let alive = pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists();
    (!alive).then_some(pid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_hosts_dead_default_workers_are_dead() {
        let me = std::process::id();
        assert_eq!(
            dead_pid_on(&format!("box:{me}"), "box"),
            None,
            "this process"
        );
        assert_eq!(dead_pid_on("box:1", "box"), None, "pid 1 lives");
        // Pids are below 2^22 on Linux.
        assert_eq!(dead_pid_on("box:4294967295", "box"), Some(u32::MAX));
        assert_eq!(dead_pid_on("other:4294967295", "box"), None, "another host");
        assert_eq!(dead_pid_on("boxer:4294967295", "box"), None);
        assert_eq!(dead_pid_on("victim", "box"), None, "a chosen id");
        assert!(local_worker_id().ends_with(&format!(":{me}")));
        assert_eq!(dead_local_worker(&local_worker_id()), None);
    }
}
