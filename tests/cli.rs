//! End to end through the real binary: the demo corpus through `run`, then `search`, `match`,
//! `status`; `extract --file` on good and broken files; exit codes; the index-dir lock.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use common::{demo, fixture, write_config};
use serde_json::Value;

fn samspor(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_samspor"))
        .args(args)
        .env_remove("RUST_LOG")
        // As on a machine without Tesseract: scans end with the "OCR needed" error (tests/ocr.rs
        // reads them with Tesseract).
        .env("SAMSPOR_TESSERACT", "/finst/ikkje/tesseract")
        .output()
        .expect("run samspor")
}

fn stdout_json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "exit {:?}\nstderr: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// One pipeline run over the demo corpus, shared by the tests that only read it.
fn demo_index() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("index");
        let output = samspor(&[
            "--sources",
            demo("sources.toml").to_str().unwrap(),
            "--index-dir",
            index.to_str().unwrap(),
            "run",
        ]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "run failed: {}",
            stderr(&output)
        );
        dir
    })
    .path()
}

fn demo_args(rest: &[&str]) -> Vec<String> {
    let index = demo_index().join("index");
    let mut args = vec![
        "--sources".to_string(),
        demo("sources.toml").display().to_string(),
        "--index-dir".to_string(),
        index.display().to_string(),
    ];
    args.extend(rest.iter().map(|s| s.to_string()));
    args
}

fn demo_cmd(rest: &[&str]) -> Output {
    let args = demo_args(rest);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    samspor(&args)
}

#[test]
fn search_finds_the_section_about_list_length() {
    let json = stdout_json(&demo_cmd(&[
        "search",
        "listelengde",
        "--source",
        "nou-demo",
        "--json",
    ]));
    assert_eq!(json["query"], "listelengde");
    assert!(json["total"].as_u64().unwrap() >= 1);
    let hit = &json["hits"][0];
    assert_eq!(hit["source"], "nou-demo");
    assert_eq!(hit["section"], "3.4.1", "{hit:#}");
    assert_eq!(hit["heading"], "Listelengde og arbeidsbelastning");
    let page = hit["page"].as_u64().unwrap();
    assert!(
        page > 3,
        "after the title page and the table of contents: {page}"
    );
    let url = hit["url"].as_str().unwrap();
    assert!(
        url.starts_with("file://") && url.ends_with(&format!("nou-demo.pdf#page={page}")),
        "{url}"
    );
    assert!(hit["score"].as_f64().unwrap() > 0.0);
    assert!(
        hit["snippet"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("listelengde")
    );
}

#[test]
fn search_in_the_nynorsk_web_page() {
    let json = stdout_json(&demo_cmd(&[
        "search",
        "partnarskapsmøtet",
        "--source",
        "samarbeidsavtale-demo",
        "--json",
    ]));
    assert_eq!(json["hits"][0]["section"], "5.1");
    assert!(!json["hits"][0]["url"].as_str().unwrap().contains("#page="));
}

#[test]
fn search_filters_by_theme() {
    let json = stdout_json(&demo_cmd(&[
        "search",
        "sykepleiere",
        "--theme",
        "rekruttering",
        "--json",
    ]));
    let hits = json["hits"].as_array().unwrap();
    assert!(!hits.is_empty());
    for hit in hits {
        assert!(
            hit["themes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t == "rekruttering"),
            "{hit:#}"
        );
    }
}

#[test]
fn search_errors_are_clear() {
    let output = demo_cmd(&["search", "fastlege AND ("]);
    // A malformed query is a usage error (it exited 1 before issue 16).
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.starts_with("error: invalid query"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");

    let output = demo_cmd(&["search", "fastlege", "--theme", "fastlegekrisa"]);
    assert!(stderr(&output).contains("unknown theme \"fastlegekrisa\" (known: felles-planlegging"));
}

#[test]
fn every_usage_error_exits_2() {
    for args in [
        &["search", "fastlege", "--theme", "fastlegekrisa"][..],
        &["search", "fastlege", "--source", "nou-dmeo"],
        &["search", "fastlege AND ("],
        &["search", "farge:blå"],
        &["brief", "--theme", "fastlegekrisa"],
        &["brief", "--all-themes", "--format", "docx"],
        &["match", "--explain", "nou-demo", "99.99"],
        &["changes", "--since", "i går"],
        &[
            "export",
            "--format",
            "ndjson",
            "--index-name",
            "Store Bokstaver",
        ],
        &["search"],
    ] {
        let output = demo_cmd(args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        let err = stderr(&output);
        assert!(err.contains("error"), "{args:?}: {err}");
    }
    // Not a usage error: a run that does not exist is a fact about the index dir.
    let output = demo_cmd(&["changes", "--run", "999"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
}

#[test]
fn search_without_json_is_readable() {
    let output = demo_cmd(&["search", "legevakt", "--limit", "2"]);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("treff for «legevakt»"), "{text}");
    assert!(text.contains("**"), "highlighted terms: {text}");
    assert!(text.contains("1. "));
}

#[test]
fn search_is_a_best_match_and_says_so() {
    let json = stdout_json(&demo_cmd(&["search", "listelengde sjiraffpark", "--json"]));
    assert_eq!(json["all_terms_matched"], false, "{json:#}");
    let hits = json["hits"].as_array().unwrap();
    assert!(!hits.is_empty(), "some of the words still find sections");
    for hit in hits {
        assert_eq!(
            hit["matched_terms"],
            serde_json::json!(["listelengde"]),
            "{hit:#}"
        );
        assert!(hit["found_via"].is_array());
    }
    let output = demo_cmd(&["search", "listelengde sjiraffpark"]);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains("Ingen treff på alle ordene – viser treff på noen av dem"),
        "{text}"
    );
    let json = stdout_json(&demo_cmd(&["search", "fastlege listelengde", "--json"]));
    assert_eq!(json["all_terms_matched"], true);
    // `+word` requires: nothing has the made-up word.
    let json = stdout_json(&demo_cmd(&["search", "listelengde +sjiraffpark", "--json"]));
    assert_eq!(json["total"], 0);
}

fn theme<'a>(json: &'a Value, id: &str) -> &'a Vec<Value> {
    json["themes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("theme {id} missing"))["sections"]
        .as_array()
        .unwrap()
}

fn has(sections: &[Value], source: &str, section: &str) -> bool {
    sections
        .iter()
        .any(|s| s["source"] == source && s["section"] == section)
}

#[test]
fn match_lists_sections_under_the_right_themes() {
    let json = stdout_json(&demo_cmd(&["match", "--json"]));
    let fastlege = theme(&json, "fastlegekrise");
    assert!(has(fastlege, "nou-demo", "3.4.1"), "{fastlege:#?}");
    assert!(has(fastlege, "horingsuttalelse-demo", "3.4"));
    assert!(
        !has(fastlege, "nou-demo", "5.1"),
        "one passing mention of fastlegene in a section on hospital finances"
    );
    assert!(
        has(theme(&json, "rekruttering"), "nou-demo", "3.2"),
        "recruitment without the word"
    );
    assert!(has(theme(&json, "skropelige-eldre"), "nou-demo", "4.3"));
    // Ranked, with evidence quoted from the section.
    let scores: Vec<f64> = fastlege
        .iter()
        .map(|s| s["score"].as_f64().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    for section in fastlege {
        let evidence = section["evidence"].as_array().unwrap();
        assert!(!evidence.is_empty() && evidence.len() <= 2, "{section:#}");
    }
}

#[test]
fn match_explain_shows_the_parts() {
    // nou-demo 2.1 names the four priority groups in one sentence: passing mentions.
    let json = stdout_json(&demo_cmd(&[
        "match",
        "--explain",
        "nou-demo",
        "2.1",
        "--json",
    ]));
    let psykisk = json["themes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["theme"] == "psykisk-rus")
        .expect("the passing mention is scored");
    assert_eq!(psykisk["passed"], false);
    assert_eq!(psykisk["parts"]["heading_terms"], 0);
    assert_eq!(psykisk["parts"]["passing_only"], true);
    assert_eq!(psykisk["passing"][0]["reason"], "many_themes");
    let text =
        String::from_utf8(demo_cmd(&["match", "--explain", "nou-demo", "2.1"]).stdout).unwrap();
    assert!(
        text.contains(
            "i forbifarten (teller lite): «alvorlige psykiske lidelser» (setning med mange tema)"
        ),
        "{text}"
    );
}

#[test]
fn status_reports_every_source() {
    let json = stdout_json(&demo_cmd(&["status", "--json"]));
    let sources = json["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 4);
    for source in sources {
        assert_eq!(source["state"], "ok", "{source:#}");
        assert_eq!(source["versions"], 1);
        assert_eq!(source["sha256"].as_str().unwrap().len(), 64);
        assert!(source["sections"].as_u64().unwrap() >= 10, "{source:#}");
        assert!(source["pages"].as_u64().unwrap() >= 1);
    }
    assert_eq!(json["last_run"]["outcome"], "ok");
}

#[test]
fn extract_json_contract() {
    let output = samspor(&[
        "extract",
        "--file",
        demo("nou-demo.pdf").to_str().unwrap(),
        "--json",
    ]);
    let json = stdout_json(&output);
    assert_eq!(json["format"], "pdf");
    assert_eq!(json["pages"], 10);
    let sections = json["sections"].as_array().unwrap();
    let numbers: Vec<&str> = sections
        .iter()
        .filter_map(|s| s["number"].as_str())
        .collect();
    assert!(
        numbers.contains(&"2.2.1") && numbers.contains(&"7"),
        "{numbers:?}"
    );
    let first = &sections[0];
    for key in [
        "number",
        "heading",
        "level",
        "page_start",
        "page_end",
        "text",
    ] {
        assert!(first.get(key).is_some(), "section key {key}");
    }
    assert!(json["warnings"].is_array());

    let html = stdout_json(&samspor(&[
        "extract",
        "--file",
        demo("samarbeidsavtale-demo.html").to_str().unwrap(),
        "--json",
    ]));
    assert_eq!(html["format"], "html");
    assert_eq!(html["pages"], 1);
}

fn extract_error(path: &Path) -> String {
    let output = samspor(&["extract", "--file", path.to_str().unwrap(), "--json"]);
    assert_ne!(
        output.status.code(),
        Some(0),
        "{} should fail",
        path.display()
    );
    assert!(output.stdout.is_empty());
    let err = stderr(&output);
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(
        err.starts_with(&format!("error: {}: ", path.display())),
        "{err}"
    );
    err
}

#[test]
fn broken_files_fail_with_one_clear_line() {
    let scanned = extract_error(&fixture("pdf/scanned.pdf"));
    assert!(
        scanned.contains("no text layer: OCR needed (2 pages)")
            && scanned.contains("install the Debian packages tesseract-ocr and tesseract-ocr-nor"),
        "{scanned}"
    );
    let html = extract_error(&fixture("pdf/not-a-pdf.pdf"));
    assert!(html.contains("HTML"), "{html}");
    let empty = extract_error(&fixture("pdf/empty.pdf"));
    assert!(empty.contains("empty"), "{empty}");
    let locked = extract_error(&fixture("pdf/encrypted-user-password.pdf"));
    assert!(locked.contains("password"), "{locked}");
    extract_error(&PathBuf::from("/finst/ikkje.pdf"));
}

#[test]
fn encrypted_with_empty_user_password_is_read() {
    let json = stdout_json(&samspor(&[
        "extract",
        "--file",
        fixture("pdf/encrypted-empty-user.pdf").to_str().unwrap(),
        "--json",
    ]));
    let text: String = json["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["text"].as_str().unwrap().to_string())
        .collect();
    assert!(text.contains("helse"), "{text}");
}

#[test]
fn config_errors_exit_2_with_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sources.toml");
    std::fs::write(
        &path,
        "[[source]]\nid = \"a\"\ntitle = \"A\"\nkind = \"nou\"\nurl = \"a.pdf\"\nlanguag = \"nb\"\n",
    )
    .unwrap();
    let output = samspor(&[
        "--sources",
        path.to_str().unwrap(),
        "--index-dir",
        dir.path().join("i").to_str().unwrap(),
        "run",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.starts_with(&format!(
            "error: {}:6: unknown field `languag`",
            path.display()
        )),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1);

    let output = samspor(&["search"]);
    assert_eq!(output.status.code(), Some(2), "usage error");
}

#[test]
fn failed_sources_exit_3_and_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let good = demo("samarbeidsavtale-demo.html");
    let config = write_config(
        dir.path(),
        "retries = 0",
        &[
            ("god", "avtale", good.to_str().unwrap()),
            ("mangler", "nou", "finst-ikkje.pdf"),
            (
                "skannet",
                "nou",
                fixture("pdf/scanned.pdf").to_str().unwrap(),
            ),
        ],
    );
    let index = dir.path().join("index");
    let output = samspor(&[
        "--sources",
        config.to_str().unwrap(),
        "--index-dir",
        index.to_str().unwrap(),
        "run",
    ]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("error: source mangler: fetch failed:"),
        "{err}"
    );
    assert!(
        err.contains("error: source skannet: extract failed:") && err.contains("OCR needed"),
        "{err}"
    );
    assert!(!err.contains("source god"), "{err}");

    let status = stdout_json(&samspor(&[
        "--sources",
        config.to_str().unwrap(),
        "--index-dir",
        index.to_str().unwrap(),
        "status",
        "--json",
    ]));
    let states: Vec<(&str, &str)> = status["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap(), s["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        states,
        vec![("god", "ok"), ("mangler", "failed"), ("skannet", "failed")]
    );
}

#[test]
fn a_second_run_on_a_locked_index_fails_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let _held = samspor::track::lock::IndexLock::acquire(&index, "run").unwrap();
    let started = std::time::Instant::now();
    let output = samspor(&[
        "--sources",
        demo("sources.toml").to_str().unwrap(),
        "--index-dir",
        index.to_str().unwrap(),
        "run",
    ]);
    assert!(started.elapsed().as_secs() < 5, "does not wait");
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains("is in use by another samspor run"), "{err}");
    assert!(
        err.contains(&format!("pid {}", std::process::id())),
        "names the holder: {err}"
    );
}

#[test]
fn refs_link_citations_and_find_references_however_typed() {
    let json = stdout_json(&demo_cmd(&["refs", "--cited-by", "prop 102 l", "--json"]));
    let citations = json["citations"].as_array().unwrap();
    assert!(
        citations
            .iter()
            .any(|c| c["source"] == "samarbeidsavtale-demo"
                && c["canonical"] == "Prop. 102 L (2020–2021)"),
        "{json:#}"
    );
    let all = stdout_json(&demo_cmd(&["refs", "--json"]));
    let linked = all["citations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["target"] == "nou-demo" && c["canonical"] == "NOU 2099: 3");
    assert!(
        linked,
        "a citation of a tracked source is linked through cites_as"
    );
    let candidates = all["candidates"].as_array().unwrap();
    assert!(
        candidates
            .iter()
            .any(|c| c["document"] == "NOU 2023: 4" && c["count"].as_u64().unwrap() >= 2)
    );

    let dot = demo_cmd(&["refs", "--graph", "dot"]);
    let dot = String::from_utf8(dot.stdout).unwrap();
    assert!(
        dot.starts_with("digraph samspor {") && dot.contains("-> \"nou-demo\""),
        "{dot}"
    );

    for typed in [
        "Prop. 102 L (2020–2021)",
        "prop 102 l",
        "Prop. 102 L (2020-21)",
    ] {
        let json = stdout_json(&demo_cmd(&[
            "search",
            typed,
            "--source",
            "samarbeidsavtale-demo",
            "--json",
        ]));
        assert!(json["total"].as_u64().unwrap() >= 1, "{typed}: {json:#}");
    }
}

#[test]
fn search_filters_by_kind_and_year() {
    let all = stdout_json(&demo_cmd(&[
        "search",
        "helsefellesskap",
        "--json",
        "--limit",
        "50",
    ]));
    let kinds: std::collections::BTreeSet<&str> = all["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.len() >= 2, "several kinds to filter: {kinds:?}");

    let props = stdout_json(&demo_cmd(&[
        "search",
        "helsefellesskap",
        "--kind",
        "prop",
        "--json",
        "--limit",
        "50",
    ]));
    let hits = props["hits"].as_array().unwrap();
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| h["kind"] == "prop"), "{props}");
    assert!(hits.len() < all["hits"].as_array().unwrap().len());

    // The year comes from `cites_as` ("Prop. 98 L (2098–2099)" → 2098).
    let by_year = stdout_json(&demo_cmd(&[
        "search",
        "helsefellesskap",
        "--year",
        "2098",
        "--json",
        "--limit",
        "50",
    ]));
    let hits = by_year["hits"].as_array().unwrap();
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| h["year"] == 2098), "{by_year}");
}

fn hit_keys(query: &str) -> Vec<(String, String)> {
    let json = stdout_json(&demo_cmd(&["search", query, "--json", "--limit", "50"]));
    json["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["source"].as_str().unwrap().to_string(),
                h["section"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn sorted(mut keys: Vec<(String, String)>) -> Vec<(String, String)> {
    keys.sort();
    keys
}

#[test]
fn references_find_the_same_sections_however_typed() {
    let canonical = sorted(hit_keys("NOU 2099: 3"));
    assert!(!canonical.is_empty());
    for typed in ["NOU 2099:3", "nou 2099 3"] {
        assert_eq!(sorted(hit_keys(typed)), canonical, "{typed}");
    }
    let paragraph = sorted(hit_keys("§ 6-2"));
    assert!(paragraph.len() >= 3, "{paragraph:?}");
    assert_eq!(sorted(hit_keys("paragraf 6-2")), paragraph);
}

#[test]
fn queries_without_norwegian_letters_still_find_them() {
    let exact = hit_keys("skrøpelige eldre");
    let folded = hit_keys("skropelige eldre");
    assert!(!exact.is_empty());
    assert_eq!(exact[0], folded[0], "same best hit");
    assert_eq!(sorted(exact), sorted(folded));
}

#[test]
fn boolean_exact_and_prefix_queries_keep_their_meaning() {
    let text_of = |query: &str| -> Vec<String> {
        let json = stdout_json(&demo_cmd(&["search", query, "--json", "--limit", "50"]));
        json["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                format!(
                    "{} {}",
                    h["heading"].as_str().unwrap_or(""),
                    h["snippet"].as_str().unwrap()
                )
            })
            .collect()
    };
    let with = hit_keys("fastlege");
    let without = hit_keys("fastlege -legevakt");
    assert!(!without.is_empty() && without.len() < with.len());
    let exact = stdout_json(&demo_cmd(&["search", "\"fastlegen\"", "--json"]));
    let exact_hits = exact["hits"].as_array().unwrap();
    assert!(!exact_hits.is_empty());
    for hit in exact_hits {
        let snippet = hit["snippet"].as_str().unwrap().to_lowercase();
        let highlighted: Vec<&str> = hit["highlights"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let (a, b) = (
                    r[0].as_u64().unwrap() as usize,
                    r[1].as_u64().unwrap() as usize,
                );
                &snippet[a..b]
            })
            .collect();
        assert!(
            highlighted.iter().all(|w| *w == "fastlegen"),
            "only the exact form: {highlighted:?}"
        );
    }
    assert!(exact_hits.len() < with.len(), "the exact form is narrower");
    let prefix = text_of("fastlege*");
    assert!(prefix.len() >= 3);
    assert!(
        prefix.iter().all(|t| t.to_lowercase().contains("fastlege")),
        "{prefix:?}"
    );
}

#[test]
fn one_document_does_not_fill_the_first_page() {
    let keys = hit_keys("helsefellesskap");
    let first: Vec<_> = keys.iter().take(9).collect();
    let sources: std::collections::BTreeSet<&String> = first.iter().map(|k| &k.0).collect();
    assert!(sources.len() >= 3, "{first:?}");
    for source in &sources {
        assert!(
            first.iter().filter(|k| &&k.0 == source).count() <= 3,
            "{source} has more than three of the first places: {first:?}"
        );
    }
    // Turned off, the best document may take them all.
    let json = stdout_json(&demo_cmd(&[
        "search",
        "helsefellesskap",
        "--json",
        "--per-source",
        "0",
    ]));
    assert!(json["total"].as_u64().unwrap() >= 10);
}
