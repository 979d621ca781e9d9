//! The HTML extractor on a realistic nynorsk page: chrome dropped, structure and text kept.

mod common;

use samspor::extract::{ExtractOptions, extract_file};

#[test]
fn nynorsk_page_main_text_matches_the_expected_text() {
    let doc = extract_file(
        &common::fixture("web/partnarskapsmote.html"),
        &ExtractOptions::default(),
    )
    .unwrap();
    let expected =
        std::fs::read_to_string(common::fixture("web/partnarskapsmote.expected.txt")).unwrap();
    let mut lines = Vec::new();
    for section in &doc.sections {
        lines.extend(section.heading.clone());
        lines.extend(
            section
                .text
                .split("\n\n")
                .filter(|p| !p.is_empty())
                .map(str::to_string),
        );
    }
    let expected: Vec<&str> = expected.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines, expected);
    let levels: Vec<u8> = doc.sections.iter().map(|s| s.level).collect();
    assert_eq!(levels, vec![1, 2, 3, 3, 2]);
    assert!(doc.sections.iter().all(|s| s.number.is_none()));
    let all: String = lines.join(" ");
    for chrome in ["Godta", "Hovudmeny", "Personvern", "sidevising"] {
        assert!(!all.contains(chrome), "{chrome} leaked");
    }
}
