use readyroom_protocol::{DeckChoice, ItemId};

use super::*;

fn item(
    n: u8,
    title: &str,
    description: &str,
    labels: &[&str],
    estimate: Option<&str>,
) -> ItemView {
    let mut item: ItemView = serde_json::from_value(serde_json::json!({
        "id": ItemId::from_random_bytes([n; 16]), "rank": "80", "title": title,
        "description": description, "acceptance_criteria": "", "labels": labels, "links": [],
        "dependencies": [], "estimate": estimate, "status": "new", "history": [], "created_at": 0
    }))
    .unwrap();
    item.estimate = estimate.map(str::to_owned);
    item
}

fn fibonacci() -> Deck {
    crate::room::resolve_deck(&DeckChoice::default()).unwrap()
}

#[test]
fn the_most_similar_items_point_to_a_card() {
    let history = [
        item(
            1,
            "Export the backlog as CSV",
            "Download every item as a spreadsheet",
            &["export"],
            Some("3"),
        ),
        item(
            2,
            "Export the backlog as PDF",
            "A printable export",
            &["export"],
            Some("5"),
        ),
        item(
            3,
            "Export estimates as CSV",
            "Spreadsheet with the estimates",
            &["export"],
            Some("3"),
        ),
        item(
            4,
            "Log in with SSO",
            "SAML single sign-on for companies",
            &["auth"],
            Some("13"),
        ),
        item(
            5,
            "Reset a password",
            "A mail with a link",
            &["auth"],
            Some("5"),
        ),
        item(
            6,
            "Unestimated export thing",
            "export csv",
            &["export"],
            None,
        ),
    ];
    let refs: Vec<&ItemView> = history.iter().collect();
    let target = item(
        9,
        "Export the trash as CSV",
        "Deleted items in a spreadsheet",
        &["export"],
        None,
    );
    let suggestion = suggest(&target, &refs, &fibonacci());
    assert_eq!(suggestion.matches, 3, "{suggestion:?}");
    assert_eq!(suggestion.suggested.as_deref(), Some("3"));
    assert_eq!(suggestion.confidence, Some(Confidence::High));
    let titles: Vec<&str> = suggestion
        .references
        .iter()
        .map(|r| r.title.as_str())
        .collect();
    assert_eq!(titles[0], "Export the backlog as CSV");
    assert!(
        !titles.contains(&"Unestimated export thing"),
        "only estimated items are references"
    );
    assert!(
        suggestion
            .references
            .windows(2)
            .all(|w| w[0].similarity >= w[1].similarity)
    );
}

#[test]
fn fewer_than_three_matches_suggest_nothing() {
    let history = [
        item(1, "Export the backlog as CSV", "", &[], Some("3")),
        item(2, "Log in with SSO", "", &[], Some("13")),
        item(3, "Reset a password", "", &[], Some("5")),
    ];
    let refs: Vec<&ItemView> = history.iter().collect();
    let suggestion = suggest(
        &item(9, "Export the trash", "", &[], None),
        &refs,
        &fibonacci(),
    );
    assert_eq!((suggestion.matches, suggestion.suggested), (1, None));
    assert!(suggestion.references.is_empty());
}

#[test]
fn estimates_off_the_deck_snap_to_the_nearest_card() {
    let deck = fibonacci();
    assert_eq!(
        position_in(&deck, "4")
            .and_then(|at| deck.cards.get(at))
            .map(String::as_str),
        Some("3")
    );
    assert_eq!(position_in(&deck, "?"), None);
    assert_eq!(weighted_median(&[(1, 0.2), (3, 0.5), (5, 0.4)]), Some(3));
    assert_eq!(stem("exporting"), "export");
    assert_eq!(stem("items"), "item");
}
