//! The server under test runs in its own process (this binary, in a `serve-*` mode), so that
//! its memory and CPU time can be read from `/proc/<pid>` apart from the load generator's.

use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::dialect::Target;

/// What a server process has used so far.
#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct Usage {
    pub rss_kib: u64,
    pub peak_rss_kib: u64,
    /// User plus system CPU time.
    pub cpu: Duration,
}

#[derive(Debug)]
pub struct ServerProcess {
    child: Child,
    pid: u32,
    pub addr: SocketAddr,
    clock_ticks: u64,
}

impl ServerProcess {
    pub async fn spawn(
        target: Target,
        in_memory: bool,
        threads: Option<usize>,
    ) -> anyhow::Result<Self> {
        let exe = std::env::current_exe().context("cannot find the load generator's binary")?;
        // A profiler to run the server under, e.g. `valgrind --tool=massif`. It must run the
        // server in its own process (valgrind does; `perf stat` does not): `/proc` is read
        // for the pid started here.
        let wrapper = std::env::var("LOADGEN_SERVER_WRAPPER").unwrap_or_default();
        let mut words = wrapper.split_whitespace();
        let mut command = match words.next() {
            Some(program) => {
                let mut command = Command::new(program);
                command.args(words).arg(exe);
                command
            }
            None => Command::new(exe),
        };
        command
            .arg(format!("serve-{}", target.name()))
            .args(["--addr", "127.0.0.1:0"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        if in_memory && target == Target::Readyroom {
            command.arg("--in-memory");
        }
        if let Some(threads) = threads {
            command.args(["--threads", &threads.to_string()]);
        }
        let mut child = command.spawn().context("cannot start the server process")?;
        let pid = child.id().context("the server process ended at once")?;
        let stdout = child.stdout.take().context("no stdout from the server")?;
        let mut line = String::new();
        tokio::time::timeout(
            Duration::from_secs(30),
            BufReader::new(stdout).read_line(&mut line),
        )
        .await
        .context("the server did not say where it listens")??;
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .context("unexpected first line from the server")?
            .parse()?;
        Ok(Self {
            child,
            pid,
            addr,
            clock_ticks: clock_ticks_per_second(),
        })
    }

    pub fn usage(&self) -> anyhow::Result<Usage> {
        usage_of(self.pid, self.clock_ticks)
    }

    /// The load generator's own CPU time so far: with both on one machine, whether the
    /// generator or the server ran out of CPU matters for reading the latencies.
    pub fn generator_cpu(&self) -> anyhow::Result<Duration> {
        Ok(usage_of(std::process::id(), self.clock_ticks)?.cpu)
    }

    /// Closes the server's stdin, which it takes as the signal to shut down; kills it if it
    /// does not go within a few seconds.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        drop(self.child.stdin.take());
        match tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await {
            Ok(status) => {
                let status = status?;
                if !status.success() {
                    bail!("the server exited with {status}");
                }
            }
            Err(_) => {
                self.child.kill().await?;
                bail!("the server did not stop within 10 s of being asked");
            }
        }
        Ok(())
    }
}

/// Memory and CPU time of a process (the server, or the load generator itself with
/// `std::process::id()`), from `/proc`.
pub fn usage_of(pid: u32, clock_ticks: u64) -> anyhow::Result<Usage> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| -> anyhow::Result<u64> {
        let line = status
            .lines()
            .find(|line| line.starts_with(name))
            .with_context(|| format!("no {name} in /proc/<pid>/status"))?;
        Ok(line
            .split_whitespace()
            .nth(1)
            .context("malformed /proc/<pid>/status")?
            .parse()?)
    };
    // The command name in `stat` may hold spaces; the fields after it are space-separated.
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let after_name = stat
        .rsplit_once(')')
        .context("malformed /proc/<pid>/stat")?
        .1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // utime and stime are the 14th and 15th fields of `stat`, the 12th and 13th after the
    // name.
    let ticks = |index: usize| -> anyhow::Result<u64> {
        Ok(fields
            .get(index)
            .context("short /proc/<pid>/stat")?
            .parse()?)
    };
    let cpu_ticks = ticks(11)? + ticks(12)?;
    Ok(Usage {
        rss_kib: field("VmRSS:")?,
        peak_rss_kib: field("VmHWM:")?,
        cpu: Duration::from_secs_f64(cpu_ticks as f64 / clock_ticks as f64),
    })
}

/// `USER_HZ`, in which `/proc/<pid>/stat` counts CPU time: 100 on every Linux this runs on,
/// but asked rather than assumed.
fn clock_ticks_per_second() -> u64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .filter(|&ticks| ticks > 0)
        .unwrap_or(100)
}
