//! The server under test runs in its own process (this binary, in a `serve-*` mode), so that
//! its memory and CPU time can be read from `/proc/<pid>` apart from the load generator's.

use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use readyroom_bench::bench_database::BenchDatabase;

use crate::dialect::Target;

/// What a server process has used so far.
#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct Usage {
    pub rss_kib: u64,
    pub peak_rss_kib: u64,
    /// User plus system CPU time.
    pub cpu: Duration,
}

/// The `readyroom-postgres*` targets' admin connection string (`--postgres`).
pub static POSTGRES_ADMIN: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// One process of the server under test.
#[derive(Debug)]
struct Node {
    child: Child,
    pid: u32,
}

/// The server under test: one process, or several nodes sharing a database.
#[derive(Debug)]
pub struct ServerProcess {
    nodes: Vec<Node>,
    /// Where each node listens; rooms are spread over them.
    pub addrs: Vec<SocketAddr>,
    pub addr: SocketAddr,
    database: Option<BenchDatabase>,
    clock_ticks: u64,
}

impl ServerProcess {
    pub async fn spawn(
        target: Target,
        in_memory: bool,
        threads: Option<usize>,
    ) -> anyhow::Result<Self> {
        let database = if target.on_postgres() {
            let admin = POSTGRES_ADMIN
                .get()
                .context("no PostgreSQL connection string")?;
            Some(BenchDatabase::create(admin).await?)
        } else {
            None
        };
        let mut nodes = Vec::new();
        let mut addrs = Vec::new();
        for number in 0..target.nodes() {
            let mut extra = Vec::new();
            if let Some(database) = &database {
                extra.extend([
                    "--database-url".to_owned(),
                    database.url(),
                    "--node-id".to_owned(),
                    format!("node-{number}"),
                ]);
            }
            let (node, addr) = spawn_node(target, in_memory, threads, &extra).await?;
            nodes.push(node);
            addrs.push(addr);
        }
        let addr = *addrs.first().context("a target without nodes")?;
        Ok(Self {
            nodes,
            addrs,
            addr,
            database,
            clock_ticks: clock_ticks_per_second(),
        })
    }

    /// Every node's memory and CPU time, added up.
    pub fn usage(&self) -> anyhow::Result<Usage> {
        let mut total = Usage::default();
        for node in &self.nodes {
            let usage = usage_of(node.pid, self.clock_ticks)?;
            total.rss_kib += usage.rss_kib;
            total.peak_rss_kib += usage.peak_rss_kib;
            total.cpu += usage.cpu;
        }
        Ok(total)
    }

    /// The load generator's own CPU time so far: with both on one machine, whether the
    /// generator or the server ran out of CPU matters for reading the latencies.
    pub fn generator_cpu(&self) -> anyhow::Result<Duration> {
        Ok(usage_of(std::process::id(), self.clock_ticks)?.cpu)
    }

    /// Closes each node's stdin, which it takes as the signal to shut down; kills it if it
    /// does not go within a few seconds. Then drops the run's database.
    pub async fn stop(self) -> anyhow::Result<()> {
        for mut node in self.nodes {
            drop(node.child.stdin.take());
            match tokio::time::timeout(Duration::from_secs(10), node.child.wait()).await {
                Ok(status) => {
                    let status = status?;
                    if !status.success() {
                        bail!("the server exited with {status}");
                    }
                }
                Err(_) => {
                    node.child.kill().await?;
                    bail!("the server did not stop within 10 s of being asked");
                }
            }
        }
        if let Some(database) = self.database {
            database.drop_it().await?;
        }
        Ok(())
    }
}

async fn spawn_node(
    target: Target,
    in_memory: bool,
    threads: Option<usize>,
    extra: &[String],
) -> anyhow::Result<(Node, SocketAddr)> {
    let exe = std::env::current_exe().context("cannot find the load generator's binary")?;
    // A profiler to run the server under, e.g. `valgrind --tool=massif`. It must run the
    // server in its own process (valgrind does; `perf stat` does not): `/proc` is read for
    // the pid started here.
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
    // Every Ready Room target runs the same `serve-readyroom` mode.
    let mode = if target.is_relay() {
        target.name()
    } else {
        "readyroom"
    };
    command
        .arg(format!("serve-{mode}"))
        .args(["--addr", "127.0.0.1:0"])
        .args(extra)
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
    Ok((Node { child, pid }, addr))
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
