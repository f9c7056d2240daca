use super::*;

const JIRA: &[u8] = include_bytes!("../../../../tests/fixtures/jira-export.csv");
const AZURE: &[u8] = include_bytes!("../../../../tests/fixtures/azure-export.csv");
const PLAIN_SEMICOLON: &[u8] = include_bytes!("../../../../tests/fixtures/plain-semicolon.csv");

fn error_of(bytes: &[u8]) -> String {
    match parse(bytes, None, &[]) {
        Ok(parsed) => panic!("expected an error, read {parsed:?}"),
        Err(error) => {
            assert_eq!(error.code, ErrorCode::InvalidCsv);
            error.message
        }
    }
}

#[test]
fn a_jira_export_is_read_with_repeated_columns_merged() {
    let parsed = parse(JIRA, None, &[]).unwrap();
    assert_eq!(parsed.tracker, Tracker::Jira);
    assert_eq!(parsed.items.len(), 3);
    let checkout = &parsed.items[0];
    assert_eq!(checkout.row, 2);
    assert_eq!(checkout.key.as_deref(), Some("SHOP-12"));
    assert_eq!(checkout.title, "Checkout, one click");
    assert_eq!(
        checkout.description,
        "Goal\nLet shoppers pay with saved cards (https://wiki.example.test/cards).\n- no re-entry\n- works on phones"
    );
    // The first of the two acceptance-criteria columns is empty.
    assert_eq!(
        checkout.acceptance_criteria,
        "1. card is charged once\n1. receipt is mailed"
    );
    assert_eq!(checkout.labels, ["priority: High", "checkout", "payments"]);
    assert_eq!(checkout.estimate.as_deref(), Some("5"));
    assert_eq!(checkout.blocks, ["SHOP-13"]);
    let receipt = &parsed.items[1];
    assert_eq!(receipt.depends_on, ["SHOP-12"]);
    assert_eq!(
        receipt.acceptance_criteria,
        "Receipt arrives within a minute"
    );
    let saved = &parsed.items[2];
    assert_eq!(saved.description, "A page listing saved cards; 2 * 3 = 6");
    assert_eq!(saved.estimate, None);
    let fields: Vec<_> = parsed
        .columns
        .iter()
        .map(|c| (c.header.as_str(), c.field))
        .collect();
    assert_eq!(fields[0], ("Summary", Field::Title));
    assert_eq!(fields[2], ("Issue id", Field::Ignored));
    assert_eq!(fields[8], ("Sprint", Field::Ignored));
}

#[test]
fn an_azure_export_is_read_with_html_as_text() {
    let parsed = parse(AZURE, None, &[]).unwrap();
    assert_eq!(parsed.tracker, Tracker::Azure);
    let sign_up = &parsed.items[0];
    assert_eq!(sign_up.key.as_deref(), Some("101"));
    assert_eq!(sign_up.labels, ["onboarding", "web"]);
    assert_eq!(
        sign_up.description,
        "New users sign up with an e-mail address.\n- no password rules beyond 12 characters"
    );
    assert_eq!(
        sign_up.acceptance_criteria,
        "1. a mail confirms the address\n2. the link expires after a day"
    );
    assert_eq!(parsed.items[1].description, "Seen with Gmail & Outlook.");
}

#[test]
fn a_semicolon_separated_plain_file_is_read() {
    let parsed = parse(PLAIN_SEMICOLON, None, &[]).unwrap();
    assert_eq!(parsed.tracker, Tracker::Plain);
    assert_eq!(parsed.items[0].labels, ["reports", "print"]);
    assert_eq!(parsed.items[0].estimate.as_deref(), Some("2"));
    assert_eq!(parsed.items[1].title, "Dark mode; everywhere");
    assert_eq!(parsed.items[1].key, None);
}

#[test]
fn a_column_can_be_used_for_another_field() {
    let file = b"Name,Notes\nExport,Long text\n";
    assert!(error_of(file).contains("which tracker wrote this file"));
    let parsed = parse(
        file,
        Some(Tracker::Plain),
        &[(1, Field::Title), (2, Field::Description)],
    )
    .unwrap();
    assert_eq!(parsed.items[0].title, "Export");
    assert_eq!(parsed.items[0].description, "Long text");
    assert!(parse(file, Some(Tracker::Plain), &[(3, Field::Title)]).is_err());
}

#[test]
fn bad_files_name_the_row_and_the_column() {
    assert_eq!(
        error_of(b"title,estimate\nA,1\n,2\n"),
        "row 3, column “title”: the title is empty"
    );
    assert_eq!(
        error_of(b"title,estimate\nA,1\nB,2,3\n"),
        "row 3 has 3 columns, the header has 2; is a quote missing?"
    );
    assert_eq!(
        error_of(b"key,title\nK-1,A\nK-1,B\n"),
        "row 3: the key K-1 is also on row 2"
    );
    assert_eq!(
        error_of(b"title,estimate\nA,-3\n"),
        "row 2, column “estimate”: “-3” is not an estimate"
    );
    let long = format!("title\n{}\n", "x".repeat(MAX_TITLE_CHARS + 1));
    let pasted_log = format!(
        "title,description\nA,{}é\n",
        "x".repeat(MAX_LONG_TEXT_CHARS)
    );
    let parsed = parse(pasted_log.as_bytes(), None, &[]).unwrap();
    assert_eq!(
        parsed.items[0].description.chars().count(),
        MAX_LONG_TEXT_CHARS
    );
    assert_eq!(
        parsed.warnings,
        ["row 2, column “description”: cut to 20000 characters"]
    );
    assert!(error_of(long.as_bytes()).starts_with("row 2, column “title”: a title is at most"));
    assert_eq!(error_of(b"title\n"), "the file has a header but no items");
    assert_eq!(error_of(b""), "the file is empty");
    assert!(error_of(b"title\nA\n\xff\xfe\n").starts_with("line 3 is not UTF-8 text"));
    let many: String = std::iter::once("title\n".to_owned())
        .chain((0..=MAX_ITEMS_PER_ROOM).map(|i| format!("item {i}\n")))
        .collect();
    assert!(error_of(many.as_bytes()).contains("more than 1000 items"));
}

#[test]
fn blank_rows_are_skipped_and_quoted_newlines_kept() {
    let parsed = parse(
        b"title,description\n\n\"A\",\"two\r\nlines\"\n,\n",
        None,
        &[],
    )
    .unwrap();
    assert_eq!(parsed.items.len(), 1);
    assert_eq!(parsed.items[0].description, "two\nlines");
    assert_eq!(
        parsed.items[0].row, 2,
        "an empty line is no record, as in a spreadsheet that drops it"
    );
}
