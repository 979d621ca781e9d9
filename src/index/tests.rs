use super::*;

fn section(source: &str, ordinal: u64, heading: &str, text: &str) -> IndexedSection {
    IndexedSection {
        themes: vec!["fastlegekrise".into()],
        ..test_section(source, ordinal, heading, text)
    }
}

#[test]
fn index_search_and_replace() {
    let dir = tempfile::tempdir().unwrap();
    let index = SectionIndex::open_or_create(dir.path()).unwrap();
    let mut batch = index.begin().unwrap();
    batch
        .replace_source(
            "a",
            &[
                section(
                    "a",
                    0,
                    "Fastlegeordningen",
                    "Fastlegene har for lange lister.",
                ),
                section("a", 1, "Økonomi", "Sykehusene har underskudd."),
            ],
        )
        .unwrap();
    batch.commit().unwrap();
    assert_eq!(index.len(), 2);

    let request = |query: &str| SearchRequest {
        query: query.into(),
        limit: 10,
        ..SearchRequest::default()
    };
    let results = index.search(&request("fastlegen")).unwrap();
    assert_eq!(results.total, 1);
    assert_eq!(
        results.hits[0].section.heading.as_deref(),
        Some("Fastlegeordningen")
    );
    let results = index.search(&request("sykehus")).unwrap();
    assert_eq!(results.hits[0].section.number.as_deref(), Some("2"));
    assert!(!results.hits[0].highlights.is_empty());

    let err = index
        .search(&request("fastlege AND ("))
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("invalid query"), "{err}");

    // Replacing a source drops its old sections.
    let mut batch = index.begin().unwrap();
    batch
        .replace_source("a", &[section("a", 0, "Nytt", "Berre ein seksjon no.")])
        .unwrap();
    batch.commit().unwrap();
    assert_eq!(index.sections_of("a").unwrap().len(), 1);
    assert_eq!(index.search(&request("sykehus")).unwrap().total, 0);
}

fn best_match_index(dir: &Path) -> SectionIndex {
    let index = SectionIndex::open_or_create(dir).unwrap();
    let mut batch = index.begin().unwrap();
    batch
        .replace_source(
            "a",
            &[
                section(
                    "a",
                    0,
                    "Fastleger",
                    "Fastlegene har lange lister. Fastlegene i distriktene er få.",
                ),
                section("a", 1, "Sykehus", "Sykehusene har underskudd."),
                section(
                    "a",
                    2,
                    "Samarbeid",
                    "Fastlegen og sykehuset må samarbeide om utskrivning.",
                ),
                section(
                    "a",
                    3,
                    "Personell",
                    "Kommunen må skaffe og beholde sykepleiere, og det er mangel på folk.",
                ),
            ],
        )
        .unwrap();
    batch.commit().unwrap();
    index
}

fn ask(index: &SectionIndex, query: &str) -> SearchResults {
    index
        .search(&SearchRequest {
            query: query.into(),
            limit: 10,
            ..SearchRequest::default()
        })
        .unwrap()
}

fn numbers(results: &SearchResults) -> Vec<&str> {
    results
        .hits
        .iter()
        .map(|h| h.section.number.as_deref().unwrap_or(""))
        .collect()
}

#[test]
fn best_match_ranks_by_coverage_and_never_returns_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let index = best_match_index(dir.path());
    // Both words in section 3 only; the rest follow by their own scores.
    let results = ask(&index, "fastlege sykehus");
    assert!(results.all_words);
    assert_eq!(numbers(&results)[0], "3", "{:?}", numbers(&results));
    assert_eq!(results.total, 3);
    assert_eq!(results.hits[0].matched, vec!["fastlege", "sykehus"]);
    assert_eq!(results.hits[1].matched.len(), 1);
    // No section has both: some of them, said so.
    let results = ask(&index, "fastlege underskudd");
    assert!(!results.all_words);
    assert_eq!(results.total, 3);
    // Stop words typed among other words neither rank nor count.
    assert!(ask(&index, "sykehus som har").all_words);
    // A word no section has does not empty the list.
    let results = ask(&index, "sykehus sjiraff");
    assert!(!results.all_words && results.total == 2);
}

#[test]
fn explicit_operators_keep_their_meaning() {
    let dir = tempfile::tempdir().unwrap();
    let index = best_match_index(dir.path());
    assert_eq!(numbers(&ask(&index, "+fastlege sykehus")), vec!["3", "1"]);
    assert_eq!(numbers(&ask(&index, "fastlege AND sykehus")), vec!["3"]);
    assert_eq!(numbers(&ask(&index, "\"lange lister\" sykehus")), vec!["1"]);
    assert_eq!(numbers(&ask(&index, "fastlege -sykehus")), vec!["1"]);
    assert_eq!(
        ask(&index, "(fastlege sykehus) OR underskudd").total,
        2,
        "inside a group all words are required"
    );
    // Filters restrict; they do not turn optional words into "anything".
    assert_eq!(ask(&index, "fastlege kind:nou").total, 2);
    assert_eq!(ask(&index, "sjiraff kind:nou").total, 0);
}

#[test]
fn hits_say_what_they_were_found_via() {
    let dir = tempfile::tempdir().unwrap();
    let index = best_match_index(dir.path());
    let results = ask(&index, "rekruttering");
    assert_eq!(numbers(&results), vec!["4"]);
    let hit = &results.hits[0];
    assert!(hit.matched.is_empty());
    assert!(
        hit.found_via
            .iter()
            .any(|v| v.term == "rekruttering" && v.via == "skaffe og beholde"),
        "{:?}",
        hit.found_via
    );
    assert!(
        found_via_text(&hit.found_via)
            .unwrap()
            .starts_with("funnet via: rekruttering ≈ ")
    );
    // Without expansion the word alone finds nothing.
    let none = index
        .search(&SearchRequest {
            query: "rekruttering".into(),
            limit: 10,
            expand: Some(Expand::default()),
            ..SearchRequest::default()
        })
        .unwrap();
    assert_eq!(none.total, 0);
    // A compound the index lacks is split into words it has.
    let results = ask(&index, "sykepleiermangel");
    assert_eq!(numbers(&results), vec!["4"]);
    assert_eq!(results.hits[0].found_via[0].via, "sykepleier + mangel");
}

#[test]
fn missing_index_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = SectionIndex::open(dir.path()).err().unwrap().to_string();
    assert!(err.contains("run `samspor run`"), "{err}");
}
