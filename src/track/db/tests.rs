//! Tests of the catalog database.

use super::schema::SCHEMA_V1;
use super::*;
use crate::extract::model::{Format, Section};
use crate::track::{
    ExtractSummary, RunOutcome, SourceChange, SourceResult, SourceRun, SourceState, VersionRecord,
    extracted_path,
};

fn doc(sections: &[(&str, &str, &str)]) -> ExtractedDoc {
    ExtractedDoc {
        file: "x.pdf".into(),
        format: Format::Pdf,
        title: None,
        pages: 3,
        sections: sections
            .iter()
            .map(|(number, heading, text)| Section {
                number: Some(number.to_string()),
                heading: Some(heading.to_string()),
                level: 1,
                page_start: 1,
                page_end: 1,
                text: text.to_string(),
            })
            .collect(),
        warnings: vec![],
        ocr_pages: vec![],
    }
}

fn version(sha: &str, run: u64) -> VersionRecord {
    VersionRecord {
        sha256: sha.into(),
        format: Format::Pdf,
        fetched_at: Utc::now(),
        size: 10,
        extracted: Some(ExtractSummary {
            pages: 3,
            sections: 2,
            warnings: 0,
        }),
        extract_error: None,
        etag: None,
        last_modified: None,
        first_run: Some(run),
        extracted_run: Some(run),
        text_hash: None,
    }
}

#[test]
fn text_hash_ignores_whitespace_only() {
    assert_eq!(text_hash("a  b\nc"), text_hash("a b c"));
    assert_ne!(text_hash("a b c"), text_hash("a b d"));
    let one = SectionSummary::of(&doc(&[("1", "Innledning", "Tekst.")]));
    let heading_changed = SectionSummary::of(&doc(&[("1", "Innleiing", "Tekst.")]));
    assert_ne!(version_text_hash(&one), version_text_hash(&heading_changed));
}

#[test]
fn legacy_json_is_imported_once_and_kept_as_backup() {
    let dir = tempfile::tempdir().unwrap();
    let mut legacy = Catalog::default();
    let record = legacy.sources.entry("nou".into()).or_default();
    let mut v = version("aa", 1);
    v.first_run = None;
    record.versions.push(v);
    record.sha256 = Some("aa".into());
    record.indexed_sha256 = Some("aa".into());
    record.state = SourceState::Ok;
    let run = legacy.start_run("run");
    legacy.runs[0].started_at = Utc::now() - chrono::TimeDelta::minutes(1);
    legacy.runs[0].finished_at = Some(Utc::now() + chrono::TimeDelta::minutes(1));
    crate::fsutil::write_json_atomic(
        &extracted_path(dir.path(), "aa"),
        &doc(&[
            ("1", "Innledning", "Kommunene har ansvar."),
            ("2", "Fastlegar", "Mange står uten fastlege."),
        ]),
    )
    .unwrap();
    crate::fsutil::write_json_atomic(&dir.path().join("catalog.json"), &legacy).unwrap();

    let db = CatalogDb::open(dir.path()).unwrap();
    let snapshot = db.snapshot();
    assert_eq!(
        snapshot.sources["nou"].indexed_sha256.as_deref(),
        Some("aa")
    );
    assert_eq!(
        snapshot.sources["nou"].versions[0].first_run,
        Some(run),
        "attributed to the run that fetched it"
    );
    assert!(snapshot.sources["nou"].versions[0].text_hash.is_some());
    assert_eq!(section_summaries(&db.conn, "nou", "aa").unwrap().len(), 2);
    assert!(!dir.path().join("catalog.json").exists());
    assert!(dir.path().join("catalog.json.imported").is_file());
    drop(db);
    // A second open neither re-imports nor fails.
    let again = CatalogDb::open(dir.path()).unwrap();
    assert_eq!(again.snapshot().sources.len(), 1);
}

#[test]
fn a_version_1_catalog_gains_the_redirect_columns_and_keeps_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    {
        let conn = Connection::open(path_in(dir.path())).unwrap();
        conn.execute_batch(SCHEMA_V1).unwrap();
        conn.execute(
            "INSERT INTO sources (id, state, url) VALUES ('avtale', 'ok', 'https://saman.no/a')",
            [],
        )
        .unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
    }
    drop(CatalogDb::open(dir.path()).unwrap());
    let mut catalog = Catalog::load(dir.path()).unwrap();
    let record = &catalog.sources["avtale"];
    assert_eq!(record.url.as_deref(), Some("https://saman.no/a"));
    assert_eq!(record.moved_to, None);

    let record = catalog.source_mut("avtale");
    record.final_url = Some("https://saman.no/ny/a".into());
    record.moved_to = Some("https://saman.no/ny/a".into());
    catalog.save().unwrap();
    let again = Catalog::load(dir.path()).unwrap();
    assert_eq!(
        again.sources["avtale"].moved_to.as_deref(),
        Some("https://saman.no/ny/a")
    );
    assert_eq!(
        again.sources["avtale"].final_url.as_deref(),
        Some("https://saman.no/ny/a")
    );
    let conn = Connection::open(path_in(dir.path())).unwrap();
    assert_eq!(
        user_version(&conn, &path_in(dir.path())).unwrap(),
        SCHEMA_VERSION
    );
}

#[test]
fn newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    drop(CatalogDb::open(dir.path()).unwrap());
    let conn = Connection::open(path_in(dir.path())).unwrap();
    conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    drop(conn);
    let err = CatalogDb::open(dir.path()).err().unwrap().to_string();
    assert!(err.contains("newer than this samspor"), "{err}");
    let err = Catalog::load(dir.path()).unwrap_err().to_string();
    assert!(err.contains("newer than this samspor"), "{err}");
}

#[test]
fn theme_matches_are_new_only_when_the_section_did_not_carry_the_theme() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = CatalogDb::open(dir.path()).unwrap();
    let mut catalog = db.snapshot();
    let run1 = catalog.start_run("run");
    let record = catalog.source_mut("nou");
    record.versions.push(version("v1", run1));
    let first = SectionSummary::of(&doc(&[
        ("1", "Innledning", "Kommunene har ansvar."),
        ("2", "Fastlegar", "Mange står uten fastlege."),
    ]));
    db.save(
        &catalog,
        &StageWrites {
            run: Some(run1),
            sections: vec![VersionSections {
                source: "nou".into(),
                sha256: "v1".into(),
                sections: first,
            }],
            theme_matches: vec![VersionMatches {
                source: "nou".into(),
                sha256: "v1".into(),
                matches: vec![(1, "fastlegekrise".into(), 3.0)],
            }],
        },
    )
    .unwrap();
    let news = new_theme_matches(&db.conn, RunWindow::Run(run1)).unwrap();
    assert_eq!(news.len(), 1, "a first version's matches are new");
    assert_eq!(news[0].label(), "2");

    // Version 2 inserts a section first: the fastlege section moves to ordinal 2 but is
    // the same section, so only the new section's match is new.
    let run2 = catalog.start_run("run");
    catalog.source_mut("nou").versions.push(version("v2", run2));
    let second = SectionSummary::of(&doc(&[
        ("0", "Sammendrag", "Kort om fastlegekrisen og legevakt."),
        ("1", "Innledning", "Kommunene har ansvar."),
        ("2", "Fastlegar", "Mange står uten fastlege."),
    ]));
    db.save(
        &catalog,
        &StageWrites {
            run: Some(run2),
            sections: vec![VersionSections {
                source: "nou".into(),
                sha256: "v2".into(),
                sections: second,
            }],
            theme_matches: vec![VersionMatches {
                source: "nou".into(),
                sha256: "v2".into(),
                matches: vec![
                    (0, "fastlegekrise".into(), 2.0),
                    (2, "fastlegekrise".into(), 3.0),
                ],
            }],
        },
    )
    .unwrap();
    let news = new_theme_matches(&db.conn, RunWindow::Run(run2)).unwrap();
    let labels: Vec<String> = news.iter().map(|m| m.label()).collect();
    assert_eq!(labels, vec!["0"]);
    let since = new_theme_matches(
        &db.conn,
        RunWindow::Since(Utc::now() - chrono::TimeDelta::hours(1)),
    )
    .unwrap();
    assert_eq!(since.len(), 2);

    // Re-matching the same version does not make anything new again.
    let run3 = catalog.start_run("match");
    db.save(
        &catalog,
        &StageWrites {
            run: Some(run3),
            theme_matches: vec![VersionMatches {
                source: "nou".into(),
                sha256: "v2".into(),
                matches: vec![(2, "fastlegekrise".into(), 3.5)],
            }],
            ..StageWrites::default()
        },
    )
    .unwrap();
    assert!(
        new_theme_matches(&db.conn, RunWindow::Run(run3))
            .unwrap()
            .is_empty()
    );
    let reloaded = Catalog::load(dir.path()).unwrap();
    assert_eq!(reloaded.runs.len(), 3);
}

#[test]
fn only_changed_records_are_written_and_runs_are_pruned() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = CatalogDb::open(dir.path()).unwrap();
    let mut catalog = db.snapshot();
    for _ in 0..3 {
        catalog.start_run("run");
        if let Some(run) = catalog.current_run_mut() {
            run.sources.push(SourceRun {
                id: "nou".into(),
                result: SourceResult::Ok,
                change: Some(SourceChange::NotModified),
                error: None,
                millis: 4,
                stage: None,
                extract_millis: None,
            });
            run.finished_at = Some(Utc::now());
            run.outcome = RunOutcome::Ok;
        }
        db.save(&catalog, &StageWrites::default()).unwrap();
    }
    let loaded = Catalog::load(dir.path()).unwrap();
    assert_eq!(loaded.runs, catalog.runs);
    // Pretend many runs passed: the oldest fall out of the database.
    catalog.runs.last_mut().unwrap().id = RUNS_KEPT + 2;
    db.save(&catalog, &StageWrites::default()).unwrap();
    let ids: Vec<u64> = Catalog::load(dir.path())
        .unwrap()
        .runs
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(ids, vec![3, RUNS_KEPT + 2]);
}
