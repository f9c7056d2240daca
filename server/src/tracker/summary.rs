//! A refinement session in Markdown, to paste into the team's wiki or the sprint's notes:
//! what was refined and what it was estimated at, how far the votes were apart, what was
//! decided and what is still open, how long each item took, and who was there.

use std::fmt::Write;

use readyroom_protocol::{ItemView, RemarkKind, Role, RoomExport, RoundRecord};

use super::csv_import::one_line;
use crate::room::focus::{FocusSpan, SessionSpan};

/// What a summary is made from: the room as exported, and where its attention went.
#[derive(Clone, Debug)]
pub struct SessionReport {
    pub room: RoomExport,
    pub focus: Vec<FocusSpan>,
    pub sessions: Vec<SessionSpan>,
    pub now: readyroom_protocol::Timestamp,
}

/// The summary of the latest session (the whole room's life when it never ran one).
#[must_use]
pub fn markdown(report: &SessionReport) -> String {
    let (from, to) = report.sessions.last().map_or((0, report.now), |s| {
        (s.started_at, s.ended_at.unwrap_or(report.now))
    });
    let within = |at: u64| at >= from && at <= to;
    let seconds_on = |item: &ItemView| -> u64 {
        report
            .focus
            .iter()
            .filter(|span| span.item_id == item.id)
            .filter_map(|span| span.within(from, to))
            .map(|span| (span.to - span.from) / 1000)
            .sum()
    };
    let rounds_of = |item: &ItemView| -> usize {
        item.history
            .iter()
            .filter(|round| within(round.revealed_at) && round.dimension.is_none())
            .count()
    };
    let last_round = |item: &'_ ItemView| {
        item.history
            .iter()
            .rev()
            .find(|round| within(round.revealed_at) && round.dimension.is_none())
            .map_or_else(|| "–".to_owned(), votes)
    };
    let refined: Vec<&ItemView> = report
        .room
        .items
        .iter()
        .filter(|item| {
            seconds_on(item) > 0
                || rounds_of(item) > 0
                || item.remarks.iter().any(|remark| within(remark.at))
        })
        .collect();
    let name_of = |id: readyroom_protocol::ParticipantId| {
        report
            .room
            .participants
            .iter()
            .find(|p| p.id == id)
            .map_or("someone", |p| p.name.as_str())
    };

    let mut out = String::new();
    let _ = writeln!(
        out,
        "# {} — refinement summary\n",
        one_line(&report.room.settings.name)
    );
    if report.sessions.is_empty() {
        let _ = writeln!(out, "Everything refined in this room so far.\n");
    } else {
        let _ = writeln!(
            out,
            "Session of {}, {} (budget {}).\n",
            date(from),
            minutes(to.saturating_sub(from) / 1000),
            minutes(report.room.settings.timebox.session_budget_seconds())
        );
    }
    let mut people: Vec<String> = report
        .room
        .participants
        .iter()
        .map(|p| match p.role {
            Role::Observer => format!("{} (observer)", one_line(&p.name)),
            Role::Voter => one_line(&p.name),
        })
        .collect();
    people.sort();
    if !people.is_empty() {
        let _ = writeln!(out, "**People:** {}\n", people.join(", "));
    }

    let _ = writeln!(out, "## Items refined ({})\n", refined.len());
    if refined.is_empty() {
        let _ = writeln!(out, "Nothing yet.\n");
    } else {
        let _ = writeln!(out, "| Item | Estimate | Votes | Rounds | Time |");
        let _ = writeln!(out, "|---|---|---|---|---|");
        let mut total = 0;
        for item in &refined {
            let seconds = seconds_on(item);
            total += seconds;
            let title = match &item.external {
                Some(external) => format!("{} {}", external.key, item.title),
                None => item.title.clone(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                cell(&title),
                cell(item.estimate.as_deref().unwrap_or("–")),
                cell(&last_round(item)),
                rounds_of(item),
                minutes(seconds)
            );
        }
        let _ = writeln!(out, "\nTime on items: {}.\n", minutes(total));
    }

    for (kind, heading) in [
        (RemarkKind::Decision, "Decisions"),
        (RemarkKind::Question, "Open questions"),
    ] {
        let lines: Vec<String> = refined
            .iter()
            .flat_map(|item| {
                item.remarks
                    .iter()
                    .filter(move |remark| {
                        remark.kind == kind && (kind == RemarkKind::Decision || remark.is_open())
                    })
                    .map(move |remark| {
                        let owner = remark
                            .owner
                            .map(|owner| format!(" (owner: {})", one_line(name_of(owner))))
                            .unwrap_or_default();
                        format!(
                            "- **{}**: {}{owner}",
                            one_line(&item.title),
                            one_line(&remark.text)
                        )
                    })
            })
            .collect();
        if !lines.is_empty() {
            let _ = writeln!(out, "## {heading}\n\n{}\n", lines.join("\n"));
        }
    }
    out.trim_end().to_owned() + "\n"
}

/// "3 votes, 3–8, no consensus" or "4 votes, all 5".
fn votes(round: &RoundRecord) -> String {
    let cards: Vec<&str> = round
        .stats
        .distribution
        .iter()
        .flat_map(|count| std::iter::repeat_n(count.card.as_str(), count.count as usize))
        .collect();
    let position = |card: &&&str| round.deck.cards.iter().position(|c| c == **card);
    let lowest = cards.iter().min_by_key(position);
    let highest = cards.iter().max_by_key(position);
    let spread = match (lowest, highest) {
        (Some(low), Some(high)) if low == high => format!("all {low}"),
        (Some(low), Some(high)) => format!("{low}–{high}"),
        _ => "no cards".to_owned(),
    };
    let agreement = if round.stats.consensus {
        "consensus".to_owned()
    } else {
        format!("{:.0}% agreed", round.stats.agreement * 100.0)
    };
    format!("{} votes, {spread}, {agreement}", round.stats.votes)
}

fn minutes(seconds: u64) -> String {
    match seconds {
        0 => "–".to_owned(),
        1..60 => format!("{seconds} s"),
        _ => format!("{} min", (seconds + 30) / 60),
    }
}

/// A day as `2026-11-30`, from milliseconds since 1970 (UTC).
fn date(at: u64) -> String {
    let days = i64::try_from(at / 86_400_000).unwrap_or(0);
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Text in a table cell: one line, and a `|` that does not end the cell.
fn cell(text: &str) -> String {
    one_line(text).replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_civil() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(1_795_996_800_000), "2026-11-30");
        assert_eq!(date(951_782_400_000), "2000-02-29");
    }

    #[test]
    fn cells_stay_in_their_table() {
        assert_eq!(cell("a | b\nc"), "a \\| b c");
        assert_eq!(minutes(0), "–");
        assert_eq!(minutes(45), "45 s");
        assert_eq!(minutes(95), "2 min");
    }
}
