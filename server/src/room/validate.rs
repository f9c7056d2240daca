//! Checks on user text. Every string a person types passes through one of these before it
//! reaches the room state.

use readyroom_protocol::limits::{
    MAX_LABEL_CHARS, MAX_LABELS, MAX_LINK_TITLE_CHARS, MAX_LINK_URL_CHARS, MAX_LINKS,
};
use readyroom_protocol::{Link, RefinementTimebox};

use super::CommandError;

/// A one-line text: trimmed, not empty, at most `max` characters, no control characters.
pub fn line(what: &str, text: &str, max: usize) -> Result<String, CommandError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(CommandError::invalid(format!("{what} must not be empty")));
    }
    bounded_line(what, trimmed, max)
}

/// A one-line text that may be empty.
pub fn optional_line(what: &str, text: &str, max: usize) -> Result<String, CommandError> {
    bounded_line(what, text.trim(), max)
}

fn bounded_line(what: &str, trimmed: &str, max: usize) -> Result<String, CommandError> {
    if trimmed.chars().count() > max {
        return Err(CommandError::invalid(format!(
            "{what} is longer than {max} characters"
        )));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(CommandError::invalid(format!(
            "{what} must not contain control characters"
        )));
    }
    Ok(trimmed.to_owned())
}

/// A multi-line text, kept exactly as typed: line breaks and tabs allowed, other control
/// characters not.
pub fn long_text(what: &str, text: String, max: usize) -> Result<String, CommandError> {
    if text.chars().count() > max {
        return Err(CommandError::invalid(format!(
            "{what} is longer than {max} characters"
        )));
    }
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(CommandError::invalid(format!(
            "{what} must not contain control characters"
        )));
    }
    Ok(text)
}

/// The median vote from which a split is suggested; 0 for never.
pub fn split_suggestion(at: u32) -> Result<u32, CommandError> {
    let max = readyroom_protocol::limits::MAX_SPLIT_SUGGESTION;
    if at > max {
        return Err(CommandError::invalid(format!(
            "a split is suggested from a vote of at most {max} (0 for never)"
        )));
    }
    Ok(at)
}

/// The share of votes on one card that counts as agreement on a pre-vote.
pub fn consensus_percent(percent: u32) -> Result<u32, CommandError> {
    if (50..=100).contains(&percent) {
        Ok(percent)
    } else {
        Err(CommandError::invalid(
            "the share of votes that makes a consensus is from 50 to 100 percent",
        ))
    }
}

/// A refinement timebox whose every part is within its bounds.
pub fn timebox(timebox: RefinementTimebox) -> Result<RefinementTimebox, CommandError> {
    use readyroom_protocol::limits::{
        MAX_REFINEMENT_PERCENT, MAX_SESSIONS_PER_SPRINT, MAX_SPRINT_DAYS,
    };
    let within = |value: u32, max: u32, what: &str| {
        if (1..=max).contains(&value) {
            Ok(())
        } else {
            Err(CommandError::invalid(format!("{what} is from 1 to {max}")))
        }
    };
    within(
        timebox.sprint_days,
        MAX_SPRINT_DAYS,
        "a sprint's length in working days",
    )?;
    within(
        timebox.share_percent,
        MAX_REFINEMENT_PERCENT,
        "the share of the sprint spent refining, in percent,",
    )?;
    within(
        timebox.sessions_per_sprint,
        MAX_SESSIONS_PER_SPRINT,
        "the number of refinement sessions in a sprint",
    )?;
    Ok(timebox)
}

/// One part of a WSJF score: a whole number from 1 to `MAX_WSJF_VALUE`.
pub fn wsjf_value(value: u32) -> Result<u32, CommandError> {
    let max = readyroom_protocol::limits::MAX_WSJF_VALUE;
    if (1..=max).contains(&value) {
        Ok(value)
    } else {
        Err(CommandError::invalid(format!(
            "a WSJF value is a whole number from 1 to {max}"
        )))
    }
}

/// Every given part of a WSJF score in range.
pub fn wsjf(wsjf: readyroom_protocol::Wsjf) -> Result<readyroom_protocol::Wsjf, CommandError> {
    for value in [
        wsjf.business_value,
        wsjf.time_criticality,
        wsjf.risk_reduction,
        wsjf.job_size,
    ]
    .into_iter()
    .flatten()
    {
        wsjf_value(value)?;
    }
    Ok(wsjf)
}

/// Labels: each a non-empty line, duplicates dropped, order kept.
pub fn labels(labels: Vec<String>) -> Result<Vec<String>, CommandError> {
    if labels.len() > MAX_LABELS {
        return Err(CommandError::invalid(format!(
            "at most {MAX_LABELS} labels"
        )));
    }
    let mut clean: Vec<String> = Vec::with_capacity(labels.len());
    for label in labels {
        let label = line("a label", &label, MAX_LABEL_CHARS)?;
        if !clean.contains(&label) {
            clean.push(label);
        }
    }
    Ok(clean)
}

/// Links: absolute http(s) URLs only, so a client can render them as links without ever
/// producing a `javascript:` or `data:` href.
pub fn links(links: Vec<Link>) -> Result<Vec<Link>, CommandError> {
    if links.len() > MAX_LINKS {
        return Err(CommandError::invalid(format!("at most {MAX_LINKS} links")));
    }
    links
        .into_iter()
        .map(|link| {
            let url = web_address("a link", &link.url)?;
            let title = optional_line("a link's title", &link.title, MAX_LINK_TITLE_CHARS)?;
            Ok(Link { url, title })
        })
        .collect()
}

/// An absolute http(s) URL, so a client can render it as a link without ever producing a
/// `javascript:` or `data:` href.
pub fn web_address(what: &str, url: &str) -> Result<String, CommandError> {
    let url = line(&format!("{what}'s URL"), url, MAX_LINK_URL_CHARS)?;
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    if rest.is_none_or(|host| host.is_empty() || url.contains(char::is_whitespace)) {
        return Err(CommandError::invalid(format!(
            "{what} must be an absolute http:// or https:// URL"
        )));
    }
    Ok(url)
}

/// An item's issue in its tracker: a key of bounded length and, if any, a web address.
pub fn external(
    external: Option<readyroom_protocol::ExternalRef>,
) -> Result<Option<readyroom_protocol::ExternalRef>, CommandError> {
    external
        .map(|external| {
            Ok(readyroom_protocol::ExternalRef {
                tracker: external.tracker,
                key: line(
                    "an issue key",
                    &external.key,
                    crate::tracker::csv_import::MAX_KEY_CHARS,
                )?,
                url: external
                    .url
                    .map(|url| web_address("an issue", &url))
                    .transpose()?,
            })
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_trimmed_and_bounded() {
        assert_eq!(line("x", "  a b ", 5).as_deref(), Ok("a b"));
        assert!(line("x", "   ", 5).is_err());
        assert!(line("x", "abcdef", 5).is_err());
        assert!(line("x", "a\u{7}b", 5).is_err());
        assert_eq!(line("x", "ééééé", 5).as_deref(), Ok("ééééé"));
    }

    #[test]
    fn long_text_keeps_line_breaks_but_not_other_controls() {
        assert!(long_text("x", "a\nb\tc\r\n".into(), 100).is_ok());
        assert!(long_text("x", "a\u{0}b".into(), 100).is_err());
        assert!(long_text("x", "abc".into(), 2).is_err());
    }

    #[test]
    fn links_must_be_http() {
        let link = |url: &str| Link {
            url: url.into(),
            title: String::new(),
        };
        assert!(links(vec![link("https://example.com/x")]).is_ok());
        assert!(links(vec![link("HTTP://example.com")]).is_ok());
        assert!(links(vec![link("javascript:alert(1)")]).is_err());
        assert!(links(vec![link("data:text/html,hi")]).is_err());
        assert!(links(vec![link("https://")]).is_err());
        assert!(links(vec![link("https://a b")]).is_err());
    }

    #[test]
    fn labels_drop_duplicates() {
        assert_eq!(
            labels(vec!["a".into(), " a ".into(), "b".into()]),
            Ok(vec!["a".into(), "b".into()])
        );
        assert!(labels(vec![String::new()]).is_err());
    }
}
