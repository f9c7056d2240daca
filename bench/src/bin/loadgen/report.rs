//! Figures per scenario and server, their ratios (Ready Room / baseline), the targets,
//! a table for people and JSON for machines.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::dialect::Target;
use crate::metrics::Latency;
use crate::scenarios::{Outcome, Scenario};

#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    pub participants: usize,
    pub fanout: Option<Latency>,
    pub reveal: Option<Latency>,
    pub join: Option<Latency>,
    pub commands_per_s: Option<f64>,
    pub events_per_s: Option<f64>,
    /// Meeting: the mean size of an edit event as another participant receives it.
    pub edit_event_bytes: Option<f64>,
    pub errors: u64,
    pub disconnects: u64,
    pub refused: usize,
    pub rss_before_kib: u64,
    pub rss_after_kib: u64,
    pub peak_rss_kib: u64,
    /// Idle and join storm: what the server's memory grew by, per participant.
    pub rss_per_participant_kib: Option<f64>,
    pub cpu_seconds: f64,
    /// CPU time over wall time of the measured phase (200% is both cores busy).
    pub cpu_percent: Option<f64>,
    /// The load generator's CPU over the same span: the two share the machine.
    pub generator_cpu_percent: Option<f64>,
    /// Join storm: until the last participant had its snapshot.
    pub seconds_until_all_joined: Option<f64>,
    pub error_samples: Vec<String>,
}

impl Figures {
    pub fn of(scenario: Scenario, outcome: &Outcome) -> Self {
        let measured = outcome.measured.as_secs_f64();
        let per_second = |count: u64| (measured > 0.0).then(|| count as f64 / measured);
        let cpu = outcome
            .after
            .cpu
            .saturating_sub(outcome.before.cpu)
            .as_secs_f64();
        let grown = outcome.after.rss_kib.saturating_sub(outcome.before.rss_kib) as f64;
        let tally = &outcome.tally;
        let rates = scenario.is_meeting() || scenario == Scenario::RevealStorm;
        Self {
            participants: outcome.participants,
            fanout: Latency::of(&tally.fanout),
            reveal: Latency::of(&tally.reveal),
            join: (scenario == Scenario::JoinStorm)
                .then(|| Latency::of(&tally.join))
                .flatten(),
            commands_per_s: rates.then(|| per_second(tally.commands)).flatten(),
            events_per_s: rates.then(|| per_second(tally.events)).flatten(),
            edit_event_bytes: (tally.edit_events > 0)
                .then(|| tally.edit_bytes as f64 / tally.edit_events as f64),
            errors: tally.errors,
            disconnects: tally.disconnects,
            refused: outcome.refused,
            rss_before_kib: outcome.before.rss_kib,
            rss_after_kib: outcome.after.rss_kib,
            peak_rss_kib: outcome.after.peak_rss_kib,
            rss_per_participant_kib: (matches!(scenario, Scenario::Idle | Scenario::JoinStorm)
                && outcome.participants > 0)
                .then(|| grown / outcome.participants as f64),
            cpu_seconds: cpu,
            cpu_percent: (measured > 0.0).then(|| 100.0 * cpu / measured),
            generator_cpu_percent: (measured > 0.0)
                .then(|| 100.0 * outcome.generator_cpu.as_secs_f64() / measured),
            seconds_until_all_joined: (scenario == Scenario::JoinStorm).then_some(measured),
            error_samples: tally.error_samples.clone(),
        }
    }
}

/// One scenario against every server that was asked for.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioReport {
    pub scenario: Scenario,
    pub rooms: usize,
    pub participants_per_room: usize,
    /// Meeting: the length of the descriptions typed into, when it started.
    pub description_chars: Option<usize>,
    pub results: BTreeMap<&'static str, Figures>,
    /// Ready Room's figure divided by the baseline's (the relay without a room task), for each
    /// figure both have.
    pub ratios: BTreeMap<&'static str, f64>,
}

/// A row of the table: its label and how to read it off the figures.
type Row = (&'static str, fn(&Figures) -> Option<f64>);

const ROWS: &[Row] = &[
    ("fan-out p50 ms", |f| f.fanout.map(|l| l.p50_ms)),
    ("fan-out p90 ms", |f| f.fanout.map(|l| l.p90_ms)),
    ("fan-out p99 ms", |f| f.fanout.map(|l| l.p99_ms)),
    ("fan-out p99.9 ms", |f| f.fanout.map(|l| l.p999_ms)),
    ("fan-out max ms", |f| f.fanout.map(|l| l.max_ms)),
    ("fan-out deliveries", |f| f.fanout.map(|l| l.count as f64)),
    ("bytes per edit event", |f| f.edit_event_bytes),
    ("reveal p50 ms", |f| f.reveal.map(|l| l.p50_ms)),
    ("reveal p90 ms", |f| f.reveal.map(|l| l.p90_ms)),
    ("reveal p99 ms", |f| f.reveal.map(|l| l.p99_ms)),
    ("reveal p99.9 ms", |f| f.reveal.map(|l| l.p999_ms)),
    ("reveal max ms", |f| f.reveal.map(|l| l.max_ms)),
    ("reveal deliveries", |f| f.reveal.map(|l| l.count as f64)),
    ("join p50 ms", |f| f.join.map(|l| l.p50_ms)),
    ("join p99 ms", |f| f.join.map(|l| l.p99_ms)),
    ("join max ms", |f| f.join.map(|l| l.max_ms)),
    ("joined", |f| f.join.map(|l| l.count as f64)),
    ("all joined after ms", |f| {
        f.seconds_until_all_joined.map(|s| s * 1000.0)
    }),
    ("commands/s in", |f| f.commands_per_s),
    ("events/s out", |f| f.events_per_s),
    ("errors", |f| Some(f.errors as f64)),
    ("disconnects", |f| Some(f.disconnects as f64)),
    ("refused joins", |f| Some(f.refused as f64)),
    ("server RSS before MiB", |f| {
        Some(f.rss_before_kib as f64 / 1024.0)
    }),
    ("server RSS after MiB", |f| {
        Some(f.rss_after_kib as f64 / 1024.0)
    }),
    ("server peak RSS MiB", |f| {
        Some(f.peak_rss_kib as f64 / 1024.0)
    }),
    ("RSS KiB/participant", |f| f.rss_per_participant_kib),
    ("server CPU s", |f| Some(f.cpu_seconds)),
    ("server CPU %", |f| f.cpu_percent),
    ("load generator CPU %", |f| f.generator_cpu_percent),
];

impl ScenarioReport {
    pub fn new(
        scenario: Scenario,
        rooms: usize,
        participants_per_room: usize,
        results: Vec<(Target, Figures)>,
    ) -> Self {
        let results: BTreeMap<_, _> = results
            .into_iter()
            .map(|(target, figures)| (target.name(), figures))
            .collect();
        let mut ratios = BTreeMap::new();
        if let (Some(baseline), Some(readyroom)) =
            (results.get("baseline"), results.get("readyroom"))
        {
            for (label, read) in ROWS {
                if let (Some(base), Some(ours)) = (read(baseline), read(readyroom))
                    && base > 0.0
                {
                    ratios.insert(*label, ours / base);
                }
            }
        }
        Self {
            scenario,
            rooms,
            participants_per_room,
            description_chars: None,
            results,
            ratios,
        }
    }

    pub fn print(&self) {
        let total = self
            .results
            .values()
            .next()
            .map_or(0, |figures| figures.participants);
        let descriptions = self.description_chars.map_or_else(String::new, |chars| {
            format!(", descriptions of {chars} characters")
        });
        println!(
            "\n{:?}: {} rooms × {} participants ({total} connections{descriptions})",
            self.scenario, self.rooms, self.participants_per_room
        );
        let columns: Vec<&str> = [
            "baseline",
            "room-task",
            "readyroom",
            "readyroom-postgres",
            "readyroom-postgres-2",
        ]
        .into_iter()
        .filter(|name| self.results.contains_key(name))
        .collect();
        let mut header = format!("  {:<24}", "");
        for name in &columns {
            header.push_str(&format!(" {name:>12}"));
        }
        println!("{header} {:>8}", "ratio");
        for (label, read) in ROWS {
            let values: Vec<Option<f64>> = columns
                .iter()
                .map(|name| self.results.get(name).and_then(read))
                .collect();
            if values.iter().all(Option::is_none) {
                continue;
            }
            let ratio = self
                .ratios
                .get(label)
                .map_or_else(|| "-".to_owned(), |ratio| format!("{ratio:.2}×"));
            let mut line = format!("  {label:<24}");
            for value in values {
                line.push_str(&format!(" {:>12}", cell(value)));
            }
            println!("{line} {ratio:>8}");
        }
        for (target, figures) in &self.results {
            for sample in &figures.error_samples {
                println!("  {target} error: {sample}");
            }
        }
    }
}

fn cell(value: Option<f64>) -> String {
    match value {
        None => "-".to_owned(),
        Some(value) if value.abs() >= 1000.0 => format!("{value:.0}"),
        Some(value) if value.fract() == 0.0 => format!("{value:.0}"),
        Some(value) => format!("{value:.2}"),
    }
}

/// One of the targets, judged against this run.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub target: &'static str,
    pub measured: String,
    pub met: bool,
}

/// The targets that this run's scenarios can judge.
pub fn verdicts(reports: &[ScenarioReport]) -> Vec<Verdict> {
    let mut verdicts = Vec::new();
    for report in reports {
        let Some(ours) = report.results.get("readyroom") else {
            continue;
        };
        let clean = ours.errors == 0 && ours.disconnects == 0;
        match report.scenario {
            Scenario::Meeting | Scenario::MeetingReplace => {
                if let Some(ratio) = report.ratios.get("fan-out p99 ms") {
                    verdicts.push(Verdict {
                        target: if report.scenario == Scenario::Meeting {
                            "meeting: p99 fan-out ≤ 1.25× baseline, no errors or disconnects"
                        } else {
                            "meeting-replace: p99 fan-out ≤ 1.25× baseline, no errors or disconnects"
                        },
                        measured: format!(
                            "{ratio:.2}×, {} errors, {} disconnects",
                            ours.errors, ours.disconnects
                        ),
                        met: *ratio <= 1.25 && clean,
                    });
                }
            }
            Scenario::RevealStorm => {
                if let Some(reveal) = ours.reveal {
                    verdicts.push(Verdict {
                        target: "reveal storm: p99 ≤ 100 ms",
                        measured: format!("{:.1} ms", reveal.p99_ms),
                        met: reveal.p99_ms <= 100.0 && clean,
                    });
                }
            }
            Scenario::Idle => {
                if let Some(per) = ours.rss_per_participant_kib {
                    verdicts.push(Verdict {
                        target: "idle: ≤ 13 KiB server RSS per participant",
                        measured: format!("{per:.1} KiB at {} participants", ours.participants),
                        met: per <= 13.0 && clean,
                    });
                }
            }
            Scenario::JoinStorm => {
                let joined = ours.join.map_or(0, |join| join.count);
                verdicts.push(Verdict {
                    target: "join storm: every snapshot delivered, none refused",
                    measured: format!(
                        "{joined} of {} joined, {} refused",
                        ours.participants, ours.refused
                    ),
                    met: usize::try_from(joined).is_ok_and(|joined| joined == ours.participants)
                        && ours.refused == 0,
                });
            }
        }
    }
    verdicts
}

pub fn print_verdicts(verdicts: &[Verdict]) {
    if verdicts.is_empty() {
        return;
    }
    println!("\nTargets");
    for verdict in verdicts {
        let mark = if verdict.met { "met   " } else { "MISSED" };
        println!("  {mark} {}: {}", verdict.target, verdict.measured);
    }
}
