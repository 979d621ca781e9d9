//! Queries for readers and the pipeline: stored sections, new theme matches, the feed's
//! stamp, and the snapshot.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};
use serde::Serialize;

use super::{SectionSummary, db_error, get_meta, parse_time, path_in, time};
use crate::extract::model::Format;
use crate::track::{
    Catalog, CatalogError, ExtractSummary, FailedStage, MAX_RUNS, RunCounts, RunOutcome, RunRecord,
    SourceChange, SourceRecord, SourceResult, SourceRun, SourceState, VersionRecord,
};

/// The stored sections of a version, in order (empty if none were recorded).
pub fn section_summaries(
    conn: &Connection,
    source: &str,
    sha256: &str,
) -> rusqlite::Result<Vec<SectionSummary>> {
    let mut select = conn.prepare_cached(
        "SELECT ordinal, number, heading, level, page_start, page_end, text_hash, chars
         FROM sections WHERE source = ?1 AND sha256 = ?2 ORDER BY ordinal",
    )?;
    let rows = select.query_map(params![source, sha256], |row| {
        Ok(SectionSummary {
            ordinal: row.get(0)?,
            number: row.get(1)?,
            heading: row.get(2)?,
            level: row.get(3)?,
            page_start: row.get(4)?,
            page_end: row.get(5)?,
            text_hash: row.get(6)?,
            chars: row.get(7)?,
        })
    })?;
    rows.collect()
}

/// A theme match that is new in a run: the section did not carry the theme in the source's
/// previous matched version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewThemeMatch {
    pub theme: String,
    pub source: String,
    pub version: String,
    pub ordinal: u64,
    pub number: Option<String>,
    pub heading: Option<String>,
    pub page: u32,
    pub score: f32,
    pub run: u64,
    /// When that run started.
    pub detected_at: DateTime<Utc>,
}

impl NewThemeMatch {
    /// What a reader calls the section: its number, else its heading, else "(innledning)".
    pub fn label(&self) -> String {
        self.number
            .clone()
            .or_else(|| self.heading.clone())
            .unwrap_or_else(|| "(innledning)".to_string())
    }
}

/// Which runs a query covers. Serialised as `{"run":N}` or `{"since":T}` (`changes --json`).
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunWindow {
    /// Runs started at or after this instant.
    Since(DateTime<Utc>),
    /// Exactly this run.
    Run(u64),
}

/// New theme matches in the window, oldest first, strongest first within a run.
pub fn new_theme_matches(
    conn: &Connection,
    window: RunWindow,
) -> rusqlite::Result<Vec<NewThemeMatch>> {
    let (condition, value): (&str, rusqlite::types::Value) = match window {
        RunWindow::Since(since) => (
            "r.started_at >= ?1",
            rusqlite::types::Value::Text(time(&Some(since)).unwrap_or_default()),
        ),
        RunWindow::Run(run) => (
            "m.new_in_run = ?1",
            rusqlite::types::Value::Integer(i64::try_from(run).unwrap_or(i64::MAX)),
        ),
    };
    let sql = format!(
        "SELECT m.theme, m.source, m.sha256, m.ordinal, s.number, s.heading, s.page_start,
                m.score, m.new_in_run, r.started_at
         FROM theme_matches m
         JOIN runs r ON r.id = m.new_in_run
         LEFT JOIN sections s ON s.source = m.source AND s.sha256 = m.sha256 AND s.ordinal = m.ordinal
         WHERE m.new_in_run IS NOT NULL AND {condition}
         ORDER BY m.new_in_run, m.score DESC, m.source, m.ordinal, m.theme"
    );
    let mut select = conn.prepare(&sql)?;
    let rows = select.query_map([value], |row| {
        Ok(NewThemeMatch {
            theme: row.get(0)?,
            source: row.get(1)?,
            version: row.get(2)?,
            ordinal: row.get(3)?,
            number: row.get(4)?,
            heading: row.get(5)?,
            page: row.get::<_, Option<u32>>(6)?.unwrap_or(0),
            score: row.get::<_, f64>(7)? as f32,
            run: row.get(8)?,
            detected_at: parse_time(row.get(9)?).unwrap_or_default(),
        })
    })?;
    rows.collect()
}

/// Changes whenever something the feed shows may have changed: a version fetched or
/// extracted, a new theme match, a source removed.
pub(super) fn feed_stamp(conn: &Connection) -> rusqlite::Result<String> {
    conn.query_row(
        "SELECT coalesce((SELECT max(max(coalesce(first_run, 0)), max(coalesce(extracted_run, 0)))
                          FROM versions), 0),
                (SELECT count(*) FROM versions WHERE text_hash IS NOT NULL),
                coalesce((SELECT max(new_in_run) FROM theme_matches), 0),
                (SELECT count(*) FROM theme_matches WHERE new_in_run IS NOT NULL),
                coalesce((SELECT max(removed_run) FROM sources), 0)",
        [],
        |row| {
            Ok(format!(
                "{}/{}/{}/{}/{}",
                row.get::<_, i64>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, i64>(2)?,
                row.get::<_, i64>(3)?,
                row.get::<_, i64>(4)?
            ))
        },
    )
}

/// Loads a snapshot: every source with its versions, the last [`MAX_RUNS`] runs, the meta
/// values the pipeline keeps.
pub fn load_snapshot(conn: &Connection, index_dir: &Path) -> Result<Catalog, CatalogError> {
    let path = path_in(index_dir);
    let err = |e: rusqlite::Error| db_error(&path, e);
    let read = || -> rusqlite::Result<Catalog> {
        // One read transaction: the snapshot is consistent even while a run commits.
        conn.execute_batch("BEGIN DEFERRED")?;
        let result = read_snapshot(conn);
        let _ = conn.execute_batch("COMMIT");
        result
    };
    let mut catalog = read().map_err(err)?;
    catalog.set_path(path.clone());
    Ok(catalog)
}

pub(super) fn read_snapshot(conn: &Connection) -> rusqlite::Result<Catalog> {
    let mut catalog = Catalog::default();
    let mut select = conn.prepare(
        "SELECT id, state, last_error, failed_stage, fetched_at, last_attempt_at,
            failures_since_ok, sha256, etag, last_modified, url, indexed_sha256, removed_at,
            removed_run, title, final_url, moved_to FROM sources ORDER BY id",
    )?;
    let rows = select.query_map([], |row| {
        let state: String = row.get(1)?;
        Ok((
            row.get::<_, String>(0)?,
            SourceRecord {
                state: SourceState::parse(&state),
                last_error: row.get(2)?,
                failed_stage: row.get(3)?,
                fetched_at: parse_time(row.get(4)?),
                last_attempt_at: parse_time(row.get(5)?),
                failures_since_ok: row.get(6)?,
                sha256: row.get(7)?,
                etag: row.get(8)?,
                last_modified: row.get(9)?,
                url: row.get(10)?,
                versions: Vec::new(),
                indexed_sha256: row.get(11)?,
                removed_at: parse_time(row.get(12)?),
                removed_run: row.get(13)?,
                title: row.get(14)?,
                final_url: row.get(15)?,
                moved_to: row.get(16)?,
            },
        ))
    })?;
    for row in rows {
        let (id, record) = row?;
        catalog.sources.insert(id, record);
    }
    let mut select = conn.prepare(
        "SELECT source, sha256, format, fetched_at, size, etag, last_modified, first_run,
            extracted_run, pages, sections, warnings, extract_error, text_hash
         FROM versions ORDER BY source, fetched_at, rowid",
    )?;
    let rows = select.query_map([], |row| {
        let format: String = row.get(2)?;
        let pages: Option<u32> = row.get(9)?;
        let sections: Option<usize> = row.get(10)?;
        let warnings: Option<usize> = row.get(11)?;
        Ok((
            row.get::<_, String>(0)?,
            VersionRecord {
                sha256: row.get(1)?,
                format: Format::parse(&format).unwrap_or(Format::Html),
                fetched_at: parse_time(row.get(3)?).unwrap_or_default(),
                size: row.get(4)?,
                extracted: match (pages, sections, warnings) {
                    (Some(pages), Some(sections), Some(warnings)) => Some(ExtractSummary {
                        pages,
                        sections,
                        warnings,
                    }),
                    _ => None,
                },
                extract_error: row.get(12)?,
                etag: row.get(5)?,
                last_modified: row.get(6)?,
                first_run: row.get(7)?,
                extracted_run: row.get(8)?,
                text_hash: row.get(13)?,
            },
        ))
    })?;
    for row in rows {
        let (source, version) = row?;
        catalog
            .sources
            .entry(source)
            .or_default()
            .versions
            .push(version);
    }
    let mut select = conn.prepare(
        "SELECT id, command, started_at, finished_at, outcome, sections_indexed, reindexed,
            theme_matches, stage_millis, total_millis, counts
         FROM (SELECT * FROM runs ORDER BY id DESC LIMIT ?1) ORDER BY id",
    )?;
    let rows = select.query_map([MAX_RUNS as u64], |row| {
        let reindexed: String = row.get(6)?;
        let stage_millis: String = row.get(8)?;
        let counts: String = row.get(10)?;
        Ok(RunRecord {
            id: row.get(0)?,
            command: row.get(1)?,
            started_at: parse_time(row.get(2)?).unwrap_or_default(),
            finished_at: parse_time(row.get(3)?),
            outcome: RunOutcome::parse(&row.get::<_, String>(4)?),
            sources: Vec::new(),
            sections_indexed: row.get(5)?,
            reindexed: serde_json::from_str(&reindexed).unwrap_or_default(),
            theme_matches: row.get(7)?,
            stage_millis: serde_json::from_str(&stage_millis).unwrap_or_default(),
            total_millis: row.get(9)?,
            counts: serde_json::from_str::<RunCounts>(&counts).unwrap_or_default(),
        })
    })?;
    for row in rows {
        catalog.runs.push(row?);
    }
    if let Some(first) = catalog.runs.first().map(|r| r.id) {
        let mut select = conn.prepare(
            "SELECT run, source, result, change, error, stage, millis, extract_millis
             FROM run_sources WHERE run >= ?1 ORDER BY run, source",
        )?;
        let rows = select.query_map([first], |row| {
            Ok((
                row.get::<_, u64>(0)?,
                SourceRun {
                    id: row.get(1)?,
                    result: SourceResult::parse(&row.get::<_, String>(2)?),
                    change: row
                        .get::<_, Option<String>>(3)?
                        .as_deref()
                        .and_then(SourceChange::parse),
                    error: row.get(4)?,
                    stage: row
                        .get::<_, Option<String>>(5)?
                        .as_deref()
                        .and_then(FailedStage::parse),
                    millis: row.get(6)?,
                    extract_millis: row.get(7)?,
                },
            ))
        })?;
        let positions: BTreeMap<u64, usize> = catalog
            .runs
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id, i))
            .collect();
        for row in rows {
            let (run, source) = row?;
            if let Some(&i) = positions.get(&run) {
                catalog.runs[i].sources.push(source);
            }
        }
    }
    catalog.themes_fingerprint = get_meta(conn, "themes_fingerprint")?;
    catalog.matched_state = get_meta(conn, "matched_state")?;
    Ok(catalog)
}
