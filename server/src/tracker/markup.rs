//! Trackers' rich text as the plain text an item holds: Jira's wiki markup and Azure DevOps'
//! HTML. Lists stay lists (`- `, `1. `) and links keep their address, so nothing a reader
//! needs is lost; formatting that only decorates (bold, colour, panels) goes.

/// Jira wiki markup (`h2. Title`, `*bold*`, `[text|url]`, `{code}` …) as plain text.
#[must_use]
pub fn jira_to_text(source: &str) -> String {
    let mut lines = Vec::new();
    for line in source.replace("\r\n", "\n").split('\n') {
        let framed = strip_block_macros(line);
        if framed.trim().is_empty() && !line.trim().is_empty() {
            // A line that was only a frame (`{code}`) leaves no blank line behind.
            continue;
        }
        let line = framed;
        let trimmed = line.trim_start();
        let line = if let Some(rest) = heading_text(trimmed) {
            rest.to_owned()
        } else if let Some((depth, rest)) = list_item(trimmed, '*').or(list_item(trimmed, '-')) {
            format!("{}- {}", "  ".repeat(depth - 1), rest)
        } else if let Some((depth, rest)) = list_item(trimmed, '#') {
            format!("{}1. {}", "  ".repeat(depth - 1), rest)
        } else if let Some(rest) = trimmed.strip_prefix("bq. ") {
            format!("> {rest}")
        } else {
            line
        };
        lines.push(inline_jira(&line).replace("\\\\", "\n"));
    }
    tidy(&lines.join("\n"))
}

/// `{code}`, `{noformat}`, `{quote}`, `{panel:title=…}`, `{color:red}` … are frames around
/// text: the frame goes, the text stays.
fn strip_block_macros(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = rest.find('{') {
        let Some(length) = rest[start..].find('}') else {
            break;
        };
        let name = &rest[start + 1..start + length];
        let word = name.split(':').next().unwrap_or_default();
        out.push_str(&rest[..start]);
        if ["code", "noformat", "quote", "panel", "color", "anchor"].contains(&word) {
            rest = &rest[start + length + 1..];
        } else if let Some(inner) = name.strip_prefix('{') {
            // `{{monospace}}`: keep what is inside.
            out.push_str(inner);
            rest = rest[start + length + 1..].trim_start_matches('}');
        } else {
            out.push('{');
            rest = &rest[start + 1..];
        }
    }
    out.push_str(rest);
    out
}

fn heading_text(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('h')?;
    let mut chars = rest.chars();
    let level = chars.next()?;
    if !('1'..='6').contains(&level) {
        return None;
    }
    chars.as_str().strip_prefix(". ")
}

/// `** text` is a list item two deep.
fn list_item(line: &str, marker: char) -> Option<(usize, &str)> {
    let depth = line.chars().take_while(|&c| c == marker).count();
    if depth == 0 {
        return None;
    }
    let rest = line[depth..].strip_prefix(' ')?;
    Some((depth, rest))
}

/// Links (`[text|url]`, `[url]`), emphasis (`*b*`, `_i_`, `-s-`, `+u+`) and images (`!x.png!`).
fn inline_jira(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = rest.find('[') {
        out.push_str(&rest[..start]);
        let Some(length) = rest[start..].find(']') else {
            rest = &rest[start..];
            break;
        };
        let inner = &rest[start + 1..start + length];
        match inner.split_once('|') {
            Some((text, url)) if text.trim() == url.trim() => out.push_str(url.trim()),
            Some((text, url)) => {
                out.push_str(text.trim());
                out.push_str(" (");
                out.push_str(url.trim());
                out.push(')');
            }
            None => out.push_str(inner.trim_start_matches('~')),
        }
        rest = &rest[start + length + 1..];
    }
    out.push_str(rest);
    strip_emphasis(&out)
}

/// Removes paired emphasis markers that sit at word edges: `*done*` → `done`, but `2 * 3`
/// and `snake_case_name` stay as they are.
fn strip_emphasis(text: &str) -> String {
    // Each character, and whether it stays.
    let mut chars: Vec<(char, bool)> = text.chars().map(|c| (c, true)).collect();
    for marker in ['*', '_', '+', '!'] {
        let mut open: Option<usize> = None;
        for index in 0..chars.len() {
            if chars.get(index) != Some(&(marker, true)) {
                continue;
            }
            let at = |i: Option<usize>| i.and_then(|i| chars.get(i)).map(|&(c, _)| c);
            let before = at(index.checked_sub(1));
            let after = at(Some(index + 1));
            let opens = before.is_none_or(|b| !b.is_alphanumeric())
                && after.is_some_and(|a| !a.is_whitespace());
            let closes = before.is_some_and(|b| !b.is_whitespace())
                && after.is_none_or(|a| !a.is_alphanumeric());
            match open {
                Some(start) if closes => {
                    // An image (`!screen.png!`) says nothing in text: all of it goes.
                    for (position, slot) in chars
                        .iter_mut()
                        .enumerate()
                        .skip(start)
                        .take(index - start + 1)
                    {
                        if marker == '!' || position == start || position == index {
                            slot.1 = false;
                        }
                    }
                    open = None;
                }
                _ if opens => open = Some(index),
                _ => {}
            }
        }
    }
    chars
        .into_iter()
        .filter_map(|(c, keep)| keep.then_some(c))
        .collect()
}

/// Azure DevOps' HTML (`<div>`, `<br>`, `<ul><li>`, `<a href>` …) as plain text.
#[must_use]
pub fn html_to_text(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    // Ordered lists number their items; nested lists are rare in work items and flattened.
    let mut ordered: Vec<Option<usize>> = Vec::new();
    let mut link: Option<String> = None;
    while let Some(start) = rest.find('<') {
        out.push_str(&decode_entities(&rest[..start]));
        let Some(length) = rest[start..].find('>') else {
            rest = &rest[start..];
            break;
        };
        let tag = &rest[start + 1..start + length];
        rest = &rest[start + length + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        match (name.as_str(), closing) {
            ("br", _) => out.push('\n'),
            ("p" | "div" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "tr" | "blockquote", _) => {
                ensure_line_break(&mut out);
            }
            ("ul", false) => ordered.push(None),
            ("ol", false) => ordered.push(Some(0)),
            ("ul" | "ol", true) => {
                ordered.pop();
                ensure_line_break(&mut out);
            }
            ("li", false) => {
                ensure_line_break(&mut out);
                let depth = ordered.len().saturating_sub(1);
                out.push_str(&"  ".repeat(depth));
                match ordered.last_mut() {
                    Some(Some(number)) => {
                        *number += 1;
                        out.push_str(&format!("{number}. "));
                    }
                    _ => out.push_str("- "),
                }
            }
            ("a", false) => link = attribute(tag, "href"),
            ("a", true) => {
                if let Some(url) = link.take() {
                    if !out.ends_with(&url) {
                        out.push_str(&format!(" ({url})"));
                    }
                }
            }
            ("td" | "th", true) => out.push('\t'),
            _ => {}
        }
    }
    out.push_str(&decode_entities(rest));
    tidy(&out)
}

fn ensure_line_break(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

/// `href="…"` or `href='…'` in a tag.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let at = lower.find(&format!("{name}="))? + name.len() + 1;
    let value = &tag[at..];
    let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let end = value[1..].find(quote)?;
    Some(decode_entities(&value[1..=end]))
}

fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let decoded = tail.find(';').filter(|&end| end <= 10).and_then(|end| {
            let entity = &tail[1..end];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" | "#39" => Some('\''),
                "nbsp" => Some(' '),
                _ => entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            }?;
            Some((c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &tail[end + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Trailing spaces off each line, at most one blank line in a row, none at either end.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.lines().map(str::trim_end) {
        if line.is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jira_markup_becomes_readable_text() {
        let source = "h2. Goal\r\nLet *shoppers* pay with _one_ click, see [the spec|https://x.test/spec].\r\n\r\n\r\n* saved card\r\n** default first\r\n# confirm\r\n{code:java}\r\npay();\r\n{code}\r\nuse {{snake_case_name}}; 2 * 3 = 6 !shot.png!";
        assert_eq!(
            jira_to_text(source),
            "Goal\nLet shoppers pay with one click, see the spec (https://x.test/spec).\n\n- saved card\n  - default first\n1. confirm\npay();\nuse snake_case_name; 2 * 3 = 6"
        );
    }

    #[test]
    fn azure_html_becomes_readable_text() {
        let source = "<div>Pay &amp; go&nbsp;fast</div><div><br></div><ul><li>saved card</li><li>a <a href=\"https://x.test/a?b=1&amp;c=2\">spec</a></li></ul><ol><li>one</li><li>two</li></ol>&lt;b&gt; &#233;&#x20AC; &bogus;";
        assert_eq!(
            html_to_text(source),
            "Pay & go fast\n\n- saved card\n- a spec (https://x.test/a?b=1&c=2)\n1. one\n2. two\n<b> é€ &bogus;"
        );
    }

    #[test]
    fn plain_text_passes_through() {
        assert_eq!(
            jira_to_text("just words, no markup"),
            "just words, no markup"
        );
        assert_eq!(
            html_to_text("just words < 3 & more"),
            "just words < 3 & more"
        );
    }
}
