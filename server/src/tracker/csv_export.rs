//! A room's backlog as the CSV each tracker's own importer takes to update its issues: the
//! issue key (or work item id) to match on, the estimate, labels and acceptance criteria. Items
//! with no key come out without one, which those importers read as new issues.

use readyroom_protocol::{ItemView, RoomExport, Tracker};

use super::csv_import::PRIORITY_LABEL;

/// The backlog in backlog order, without items that were split (their parts stand for them).
///
/// # Errors
/// Only if writing to memory fails, which it does not.
pub fn export(room: &RoomExport, tracker: Tracker) -> Result<String, csv::Error> {
    let items: Vec<&ItemView> = room
        .items
        .iter()
        .filter(|item| item.split_into.is_empty())
        .collect();
    let mut writer = csv::WriterBuilder::new()
        .flexible(false)
        .from_writer(Vec::new());
    match tracker {
        Tracker::Jira => jira(&mut writer, &items)?,
        Tracker::Azure => azure(&mut writer, &items)?,
        Tracker::Plain => plain(&mut writer, room, &items)?,
    }
    let bytes = writer.into_inner().map_err(|error| error.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn key_of(item: &ItemView, tracker: Tracker) -> &str {
    item.external
        .as_ref()
        .filter(|external| external.tracker == tracker)
        .map_or("", |external| external.key.as_str())
}

/// Jira's CSV importer: `Issue Key` matches existing issues; a label per `Labels` column, as
/// many columns as the item with the most labels needs; a `priority: High` label (as the
/// import makes them) goes back as the `Priority` field.
fn jira(writer: &mut csv::Writer<Vec<u8>>, items: &[&ItemView]) -> Result<(), csv::Error> {
    let split = |item: &ItemView| -> (Option<String>, Vec<String>) {
        let mut priority = None;
        let mut labels = Vec::new();
        for label in &item.labels {
            match label.strip_prefix(PRIORITY_LABEL) {
                Some(value) if priority.is_none() => priority = Some(value.trim().to_owned()),
                _ => labels.push(jira_label(label)),
            }
        }
        (priority, labels)
    };
    let label_columns = items
        .iter()
        .map(|item| split(item).1.len())
        .max()
        .unwrap_or(0)
        .max(1);
    let mut header = vec![
        "Issue Key",
        "Summary",
        "Description",
        "Acceptance Criteria",
        "Story Points",
        "Priority",
    ];
    header.extend(std::iter::repeat_n("Labels", label_columns));
    writer.write_record(&header)?;
    for item in items {
        let (priority, labels) = split(item);
        let mut record = vec![
            key_of(item, Tracker::Jira).to_owned(),
            item.title.clone(),
            item.description.clone(),
            item.acceptance_criteria.clone(),
            story_points(item),
            priority.unwrap_or_default(),
        ];
        record.extend((0..label_columns).map(|at| labels.get(at).cloned().unwrap_or_default()));
        writer.write_record(&record)?;
    }
    Ok(())
}

/// Jira labels cannot hold spaces.
fn jira_label(label: &str) -> String {
    label.split_whitespace().collect::<Vec<_>>().join("_")
}

/// Azure DevOps' work item import: `ID` matches existing work items, `Tags` are `a; b`, and
/// the rich-text fields take HTML (line breaks as `<br>`).
fn azure(writer: &mut csv::Writer<Vec<u8>>, items: &[&ItemView]) -> Result<(), csv::Error> {
    writer.write_record([
        "ID",
        "Work Item Type",
        "Title",
        "Description",
        "Acceptance Criteria",
        "Story Points",
        "Tags",
    ])?;
    for item in items {
        writer.write_record([
            key_of(item, Tracker::Azure),
            "User Story",
            &item.title,
            &html(&item.description),
            &html(&item.acceptance_criteria),
            &story_points(item),
            &item.labels.join("; "),
        ])?;
    }
    Ok(())
}

/// Ready Room's own columns, which its importer reads back as they are.
fn plain(
    writer: &mut csv::Writer<Vec<u8>>,
    room: &RoomExport,
    items: &[&ItemView],
) -> Result<(), csv::Error> {
    writer.write_record([
        "key",
        "title",
        "description",
        "acceptance_criteria",
        "estimate",
        "labels",
        "status",
        "depends on",
    ])?;
    for item in items {
        let key = item
            .external
            .as_ref()
            .map_or("", |external| external.key.as_str());
        // A dependency is named by its key, the only name another tool can resolve.
        let depends_on: Vec<&str> = item
            .dependencies
            .iter()
            .filter_map(|id| room.items.iter().find(|other| other.id == *id))
            .filter_map(|other| {
                other
                    .external
                    .as_ref()
                    .map(|external| external.key.as_str())
            })
            .collect();
        let status = serde_json::to_value(item.status)
            .ok()
            .and_then(|value| value.as_str().map(str::to_owned))
            .unwrap_or_default();
        writer.write_record([
            key,
            &item.title,
            &item.description,
            &item.acceptance_criteria,
            item.estimate.as_deref().unwrap_or(""),
            &item.labels.join("; "),
            &status,
            &depends_on.join("; "),
        ])?;
    }
    Ok(())
}

/// A numeric estimate, as trackers store story points; a card that is no number (a T-shirt
/// size, "?") leaves the field empty rather than break the importer.
fn story_points(item: &ItemView) -> String {
    item.estimate
        .as_deref()
        .filter(|estimate| estimate.parse::<f64>().is_ok_and(f64::is_finite))
        .unwrap_or("")
        .to_owned()
}

fn html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\n', "<br>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tracker::csv_import::parse;

    fn room_with(items: &[ItemView]) -> RoomExport {
        serde_json::from_value(serde_json::json!({
            "format": readyroom_protocol::EXPORT_FORMAT,
            "version": readyroom_protocol::EXPORT_VERSION,
            "exported_at": 0,
            "room_id": "3f2b8c1e-6d4a-4f7b-9c2e-1a5d8e7f6b40",
            "settings": {"name": "R", "default_deck": {"kind": "fibonacci"}, "auto_reveal": false},
            "participants": [],
            "items": items,
        }))
        .unwrap()
    }

    fn item(
        title: &str,
        key: Option<(&str, Tracker)>,
        estimate: Option<&str>,
        labels: &[&str],
    ) -> ItemView {
        let mut item: ItemView = serde_json::from_value(serde_json::json!({
            "id": uuid::Uuid::new_v4(), "rank": "80", "title": title, "description": "Line one\nline <two> & more",
            "acceptance_criteria": "- given\n- then", "labels": labels, "links": [], "dependencies": [],
            "estimate": estimate, "status": "ready", "history": [], "created_at": 0
        }))
        .unwrap();
        item.external = key.map(|(key, tracker)| readyroom_protocol::ExternalRef {
            tracker,
            key: key.into(),
            url: None,
        });
        item
    }

    #[test]
    fn each_format_reads_back_with_the_import() {
        let room = room_with(&[
            item(
                "Checkout, one click",
                Some(("SHOP-12", Tracker::Jira)),
                Some("5"),
                &["checkout", "two words"],
            ),
            item("Receipt", None, Some("XL"), &[]),
        ]);
        for tracker in [Tracker::Jira, Tracker::Azure, Tracker::Plain] {
            let csv = export(&room, tracker).unwrap();
            let parsed = parse(csv.as_bytes(), None, &[]).unwrap();
            assert_eq!(parsed.tracker, tracker, "{csv}");
            let [first, second] = parsed.items.as_slice() else {
                panic!("{csv}")
            };
            assert_eq!(first.title, "Checkout, one click");
            assert_eq!(first.estimate.as_deref(), Some("5"));
            assert_eq!(
                first.description, "Line one\nline <two> & more",
                "{tracker:?}: {csv}"
            );
            assert_eq!(second.key, None);
            if tracker == Tracker::Plain {
                assert_eq!(second.estimate.as_deref(), Some("XL"));
            } else {
                assert_eq!(second.estimate, None, "story points are numbers");
            }
        }
        let jira = export(&room, Tracker::Jira).unwrap();
        assert!(
            jira.starts_with(
                "Issue Key,Summary,Description,Acceptance Criteria,Story Points,Priority,Labels,Labels\n"
            ),
            "{jira}"
        );
        assert!(jira.contains("SHOP-12,\"Checkout, one click\""), "{jira}");
        assert!(jira.contains(",checkout,two_words\n"), "{jira}");
        let azure = export(&room, Tracker::Azure).unwrap();
        assert!(
            azure.contains("Line one<br>line &lt;two&gt; &amp; more"),
            "{azure}"
        );
        assert!(azure.contains(",User Story,Receipt,"), "{azure}");
    }
}
