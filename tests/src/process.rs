//! The real `readyroom` binary as a child process, for the tests that kill it, signal it or
//! measure its memory.

use std::ffi::OsStr;
use std::net::SocketAddr;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, SystemTime};

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::RECEIVE_TIMEOUT;

/// How long the binary may take to start and print its address.
const STARTUP_LIMIT: Duration = Duration::from_secs(20);
/// The prefix of the line the binary prints once it listens.
const READY_LINE: &str = "Ready Room is running: open http://";

/// The `readyroom` binary next to this test's executable (`target/<profile>/`).
pub fn server_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test executable is not in target/<profile>/deps");
    let binary = profile_dir.join(format!("readyroom{}", std::env::consts::EXE_SUFFIX));
    assert!(
        binary.is_file(),
        "the server binary {} is missing: build it first (`cargo build -p readyroom-server \
         --bin readyroom`; `scripts/test` does)",
        binary.display()
    );
    warn_if_stale(&binary);
    binary
}

/// `cargo test -p readyroom-tests` does not rebuild the binary: say so if the server's sources
/// are newer than it.
fn warn_if_stale(binary: &Path) {
    fn newest(dir: &Path) -> Option<SystemTime> {
        let mut latest = None;
        for entry in std::fs::read_dir(dir).ok()?.flatten() {
            let path = entry.path();
            let time = if path.is_dir() {
                newest(&path)
            } else {
                entry.metadata().ok().and_then(|m| m.modified().ok())
            };
            latest = latest.max(time);
        }
        latest
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let built = std::fs::metadata(binary).and_then(|m| m.modified()).ok();
    let sources = ["server/src", "protocol/src", "web"]
        .iter()
        .filter_map(|dir| newest(&root.join(dir)))
        .max();
    if let (Some(built), Some(sources)) = (built, sources) {
        if sources > built {
            eprintln!(
                "warning: {} is older than the server's sources; testing the old build \
                 (`cargo build -p readyroom-server` first)",
                binary.display()
            );
        }
    }
}

/// The server binary running as a child process; killed when dropped, even on a panic.
#[derive(Debug)]
pub struct ServerProcess {
    child: Child,
    pub addr: SocketAddr,
}

impl ServerProcess {
    /// Starts the binary on an ephemeral port with `--log warn` and `args`.
    pub async fn start<I, S>(binary: &Path, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut command = Command::new(binary);
        command
            .arg("--addr")
            .arg("127.0.0.1:0")
            .arg("--log")
            .arg("warn")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        // Settings from the environment would override nothing given here, but could add
        // conflicting ones (READYROOM_IN_MEMORY).
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("READYROOM_") {
                command.env_remove(key);
            }
        }
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let stderr = child.stderr.take().unwrap();
        tokio::spawn(forward(BufReader::new(stderr).lines()));
        let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        let addr = tokio::time::timeout(STARTUP_LIMIT, async {
            loop {
                match stdout.next_line().await {
                    Ok(Some(line)) => match line.strip_prefix(READY_LINE) {
                        Some(rest) => {
                            let addr = rest.split('/').next().unwrap_or_default();
                            break addr.parse::<SocketAddr>().unwrap_or_else(|e| {
                                panic!("cannot read the address in {line:?}: {e}")
                            });
                        }
                        None => eprintln!("[server] {line}"),
                    },
                    Ok(None) | Err(_) => {
                        let status = child.wait().await;
                        panic!(
                            "the server exited before printing its address: {status:?} (its \
                             output is above)"
                        );
                    }
                }
            }
        })
        .await
        .unwrap_or_else(|_| panic!("the server did not print its address in {STARTUP_LIMIT:?}"));
        // Keep draining the pipe so that the server never blocks on a full one.
        tokio::spawn(forward(stdout));
        Self { child, addr }
    }

    /// The process's resident memory in KiB (from `/proc`).
    pub fn rss_kib(&self) -> u64 {
        let pid = self.child.id().expect("the server has exited");
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse().ok())
            .expect("no VmRSS in /proc/<pid>/status")
    }

    /// Sends a signal by name (`STOP`, `CONT`, `TERM`).
    pub fn signal(&self, name: &str) {
        let pid = self.child.id().expect("the server has exited");
        let status = std::process::Command::new("kill")
            .arg(format!("-{name}"))
            .arg(pid.to_string())
            .status()
            .unwrap();
        assert!(status.success(), "kill -{name} {pid} failed");
    }

    /// SIGTERM, then the exit status, if the process exits within `limit`.
    pub async fn terminate(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        self.signal("TERM");
        tokio::time::timeout(limit, self.child.wait())
            .await
            .ok()
            .map(Result::unwrap)
    }

    /// SIGKILL, and wait until the process is gone. Fails if it had died on its own.
    pub async fn kill(&mut self) {
        self.child.start_kill().unwrap();
        let status = tokio::time::timeout(RECEIVE_TIMEOUT, self.child.wait())
            .await
            .expect("the killed server did not exit")
            .unwrap();
        assert_eq!(
            status.signal(),
            Some(9),
            "the server had exited before it was killed: {status:?}"
        );
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        // Already gone after `kill`; otherwise (a panic) it must not outlive the test.
        let _ = self.child.start_kill();
    }
}

/// Prints a child's output lines (shown with the test's output).
async fn forward<R: tokio::io::AsyncBufRead + Unpin>(mut lines: tokio::io::Lines<R>) {
    while let Ok(Some(line)) = lines.next_line().await {
        eprintln!("[server] {line}");
    }
}
