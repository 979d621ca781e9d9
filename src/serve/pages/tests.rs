//! Tests of the pages.

use super::search::snippet_ellipses;
use super::status::is_stale;
use super::*;
use crate::index::IndexError;

#[test]
fn query_errors_are_norwegian_on_the_page() {
    for (query, expected) in [
        ("fastlege AND (", "parentes"),
        ("\"fastlege", "anførselstegn"),
        ("-legevakt", "utelate"),
        ("farge:blå", "ukjent filter «farge:»"),
        ("fa*", "tre bokstaver"),
        ("år:20x3", "årstall"),
        ("fastlege OR", "ELLER"),
    ] {
        let Err(error) = crate::index::query::parse(query) else {
            panic!("{query} should not parse");
        };
        let page = PageError::from_index(IndexError::Query {
            query: query.into(),
            error,
        });
        assert!(page.message.contains(expected), "{query}: {}", page.message);
        assert!(!page.message.contains("needs"), "{}", page.message);
    }
}

#[test]
fn states_show_their_one_norwegian_label() {
    use crate::track::RunOutcome;
    // The status page said "interrupted" in English while the CLI said "avbrutt".
    assert_eq!(shown_label(RunOutcome::Interrupted.label()), "Avbrutt");
    assert_eq!(shown_label(RunOutcome::Partial.label()), "Delvis");
    assert_eq!(shown_label(RunOutcome::Running.label()), "Pågår");
    assert_eq!(shown_label(RunOutcome::Ok.label()), "OK");
    assert_eq!(shown_label(SourceState::Failed.label()), "Feilet");
    assert_eq!(shown_label(SourceState::Pending.label()), "Venter");
}

#[test]
fn highlights_skip_bad_ranges() {
    assert_eq!(
        highlight_pieces("Fastlegene har lister", &[(0, 10)]),
        vec![(true, "Fastlegene"), (false, " har lister")]
    );
    // Inside a character, reversed, overlapping, out of bounds: all ignored, no panic.
    assert_eq!(
        highlight_pieces("æøå", &[(1, 2), (4, 2), (0, 99)]),
        vec![(false, "æøå")]
    );
    assert_eq!(
        highlight_pieces("a b c", &[(2, 3), (0, 1)]),
        vec![(false, "a "), (true, "b"), (false, " c")]
    );
}

#[test]
fn text_and_queries_are_escaped() {
    let html = highlighted("<script>alert(1)</script> & co", &[(0, 8)]).into_string();
    assert_eq!(
        html,
        "<mark>&lt;script&gt;</mark>alert(1)&lt;/script&gt; &amp; co"
    );
    let page = layout("<b>x</b>", Nav::None, html! { p { "\"q\"" } }).into_string();
    assert!(page.contains("<title>&lt;b&gt;x&lt;/b&gt; – samspor</title>"));
    assert!(page.contains("<p>&quot;q&quot;</p>"));
}

#[test]
fn snippets_show_where_text_was_cut() {
    let text = "Første setning. Fastlegene har lange lister. Siste setning.";
    assert_eq!(
        snippet_ellipses(text, "Fastlegene har lange lister."),
        (true, true)
    );
    assert_eq!(snippet_ellipses(text, "Første setning."), (false, true));
    assert_eq!(snippet_ellipses(text, "Siste setning."), (true, false));
    assert_eq!(snippet_ellipses(text, "Første setning …"), (false, false));
}

#[test]
fn diffs_become_pieces() {
    assert_eq!(
        diff_pieces("[-Mange-] {+Over 200 000+} står uten fastlege."),
        vec![
            (-1, "Mange"),
            (0, " "),
            (1, "Over 200 000"),
            (0, " står uten fastlege.")
        ]
    );
    assert_eq!(
        diff_pieces("ingen [- lukking"),
        vec![(0, "ingen [- lukking")]
    );
}

#[test]
fn only_document_schemes_are_links() {
    assert!(safe_href("https://www.regjeringen.no/x.pdf#page=3").is_some());
    assert!(safe_href("file:///tmp/a.pdf").is_some());
    assert!(safe_href("javascript:alert(1)").is_none());
    assert!(safe_href(" JavaScript:alert(1)").is_none());
    assert!(safe_href("data:text/html,x").is_none());
}

#[test]
fn path_segments_are_encoded() {
    assert_eq!(document_href("nou-2023-4"), "/dokument/nou-2023-4");
    assert_eq!(
        document_href("../etc/passwd"),
        "/dokument/..%2Fetc%2Fpasswd"
    );
    assert_eq!(section_href("a b", 3), "/dokument/a%20b/3");
}

#[test]
fn search_links_keep_the_filters() {
    let form = SearchForm {
        query: "fastlege & legevakt".into(),
        theme: Some("fastlegekrise".into()),
        year: Some(2023),
        limit: PAGE_HITS,
        ..SearchForm::default()
    };
    assert_eq!(
        form.href(40),
        "/sok?q=fastlege+%26+legevakt&tema=fastlegekrise&ar=2023&antall=40"
    );
}

#[test]
fn staleness() {
    let now = Utc::now();
    let mut record = SourceView::default();
    assert!(is_stale(&record, now), "never fetched");
    record.fetched_at = Some(now - chrono::TimeDelta::hours(5));
    assert!(!is_stale(&record, now));
    record.fetched_at = Some(now - chrono::TimeDelta::days(4));
    assert!(is_stale(&record, now));
}
