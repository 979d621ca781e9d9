//! Writing rows: sources, versions, runs, sections and theme matches.

use std::collections::{BTreeMap, HashSet};

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::read::section_summaries;
use super::{VersionMatches, VersionSections, time};
use crate::track::keys::section_keys;
use crate::track::{FailedStage, RunRecord, SourceChange, SourceRecord, VersionRecord};

pub(super) fn upsert_source(
    conn: &Connection,
    id: &str,
    r: &SourceRecord,
) -> rusqlite::Result<usize> {
    // An upsert, never INSERT OR REPLACE: replacing would cascade-delete the versions.
    conn.execute(
        "INSERT INTO sources (id, state, last_error, failed_stage, fetched_at, last_attempt_at,
            failures_since_ok, sha256, etag, last_modified, url, indexed_sha256, removed_at,
            removed_run, title, final_url, moved_to)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
         ON CONFLICT(id) DO UPDATE SET state = excluded.state, last_error = excluded.last_error,
            failed_stage = excluded.failed_stage, fetched_at = excluded.fetched_at,
            last_attempt_at = excluded.last_attempt_at,
            failures_since_ok = excluded.failures_since_ok, sha256 = excluded.sha256,
            etag = excluded.etag, last_modified = excluded.last_modified, url = excluded.url,
            indexed_sha256 = excluded.indexed_sha256, removed_at = excluded.removed_at,
            removed_run = excluded.removed_run, title = excluded.title,
            final_url = excluded.final_url, moved_to = excluded.moved_to",
        params![
            id,
            r.state.as_str(),
            r.last_error,
            r.failed_stage,
            time(&r.fetched_at),
            time(&r.last_attempt_at),
            r.failures_since_ok,
            r.sha256,
            r.etag,
            r.last_modified,
            r.url,
            r.indexed_sha256,
            time(&r.removed_at),
            r.removed_run,
            r.title,
            r.final_url,
            r.moved_to,
        ],
    )
}

pub(super) fn upsert_version(
    conn: &Connection,
    source: &str,
    v: &VersionRecord,
) -> rusqlite::Result<usize> {
    conn.execute(
        "INSERT INTO versions (source, sha256, format, fetched_at, size, etag, last_modified,
            first_run, extracted_run, pages, sections, warnings, extract_error, text_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT(source, sha256) DO UPDATE SET format = excluded.format,
            fetched_at = excluded.fetched_at, size = excluded.size, etag = excluded.etag,
            last_modified = excluded.last_modified, first_run = excluded.first_run,
            extracted_run = excluded.extracted_run, pages = excluded.pages,
            sections = excluded.sections, warnings = excluded.warnings,
            extract_error = excluded.extract_error, text_hash = excluded.text_hash",
        params![
            source,
            v.sha256,
            v.format.as_str(),
            time(&Some(v.fetched_at)),
            v.size,
            v.etag,
            v.last_modified,
            v.first_run,
            v.extracted_run,
            v.extracted.as_ref().map(|e| e.pages),
            v.extracted.as_ref().map(|e| e.sections),
            v.extracted.as_ref().map(|e| e.warnings),
            v.extract_error,
            v.text_hash,
        ],
    )
}

pub(super) fn upsert_run(conn: &Connection, run: &RunRecord) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO runs (id, command, started_at, finished_at, outcome, sections_indexed,
            reindexed, theme_matches, stage_millis, total_millis, counts)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT(id) DO UPDATE SET command = excluded.command,
            started_at = excluded.started_at, finished_at = excluded.finished_at,
            outcome = excluded.outcome, sections_indexed = excluded.sections_indexed,
            reindexed = excluded.reindexed, theme_matches = excluded.theme_matches,
            stage_millis = excluded.stage_millis, total_millis = excluded.total_millis,
            counts = excluded.counts",
        params![
            run.id,
            run.command,
            time(&Some(run.started_at)),
            time(&run.finished_at),
            run.outcome.as_str(),
            run.sections_indexed,
            json(&run.reindexed),
            run.theme_matches,
            json(&run.stage_millis),
            run.total_millis,
            json(&run.counts),
        ],
    )?;
    conn.execute("DELETE FROM run_sources WHERE run = ?1", [run.id])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO run_sources (run, source, result, change, error, stage, millis,
            extract_millis) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for s in &run.sources {
        insert.execute(params![
            run.id,
            s.id,
            s.result.as_str(),
            s.change.map(SourceChange::as_str),
            s.error,
            s.stage.map(FailedStage::as_str),
            s.millis,
            s.extract_millis
        ])?;
    }
    Ok(())
}

/// A JSON column value; serialising these plain types cannot fail.
fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

pub(super) fn write_sections(conn: &Connection, version: &VersionSections) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM sections WHERE source = ?1 AND sha256 = ?2",
        params![version.source, version.sha256],
    )?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO sections (source, sha256, ordinal, number, heading, level, page_start,
            page_end, text_hash, chars) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for s in &version.sections {
        insert.execute(params![
            version.source,
            version.sha256,
            s.ordinal,
            s.number,
            s.heading,
            s.level,
            s.page_start,
            s.page_end,
            s.text_hash,
            s.chars
        ])?;
    }
    Ok(())
}

/// Section identities (number and heading, see [`section_keys`]) of a stored version.
fn keys_of(conn: &Connection, source: &str, sha256: &str) -> rusqlite::Result<Vec<String>> {
    let sections = section_summaries(conn, source, sha256)?;
    Ok(section_keys(
        sections
            .iter()
            .map(|s| (s.number.as_deref(), s.heading.as_deref())),
    ))
}

pub(super) fn write_theme_matches(
    conn: &Connection,
    run: Option<u64>,
    version: &VersionMatches,
) -> rusqlite::Result<()> {
    let key_of = |keys: &[String], ordinal: u64| -> String {
        keys.get(ordinal as usize)
            .cloned()
            .unwrap_or_else(|| format!("@{ordinal}"))
    };
    // The previous matched version of the source: what "new" is measured against.
    let previous: Option<String> = conn
        .query_row(
            "SELECT sha256 FROM theme_matches WHERE source = ?1 AND sha256 != ?2
             GROUP BY sha256 ORDER BY max(coalesce(recorded_run, first_run, 0)) DESC LIMIT 1",
            params![version.source, version.sha256],
            |row| row.get(0),
        )
        .optional()?;
    let mut before: HashSet<(String, String)> = HashSet::new();
    if let Some(previous) = &previous {
        let keys = keys_of(conn, &version.source, previous)?;
        let mut select = conn.prepare_cached(
            "SELECT ordinal, theme FROM theme_matches WHERE source = ?1 AND sha256 = ?2",
        )?;
        let rows = select.query_map(params![version.source, previous], |row| {
            Ok((row.get::<_, u64>(0)?, row.get::<_, String>(1)?))
        })?;
        for row in rows {
            let (ordinal, theme) = row?;
            before.insert((key_of(&keys, ordinal), theme));
        }
    }
    let keys = keys_of(conn, &version.source, &version.sha256)?;
    let mut existing: BTreeMap<(u64, String), ()> = BTreeMap::new();
    {
        let mut select = conn.prepare_cached(
            "SELECT ordinal, theme FROM theme_matches WHERE source = ?1 AND sha256 = ?2",
        )?;
        let rows = select.query_map(params![version.source, version.sha256], |row| {
            Ok((row.get::<_, u64>(0)?, row.get::<_, String>(1)?))
        })?;
        for row in rows {
            existing.insert(row?, ());
        }
    }
    let current: HashSet<(u64, &str)> = version
        .matches
        .iter()
        .map(|(ordinal, theme, _)| (*ordinal, theme.as_str()))
        .collect();
    for (ordinal, theme) in existing.keys() {
        if !current.contains(&(*ordinal, theme.as_str())) {
            conn.execute(
                "DELETE FROM theme_matches WHERE source = ?1 AND sha256 = ?2 AND ordinal = ?3 AND theme = ?4",
                params![version.source, version.sha256, ordinal, theme],
            )?;
        }
    }
    let mut upsert = conn.prepare_cached(
        "INSERT INTO theme_matches (source, sha256, ordinal, theme, score, first_run, new_in_run,
            recorded_run) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?6)
         ON CONFLICT(source, sha256, ordinal, theme) DO UPDATE SET score = excluded.score,
            recorded_run = excluded.recorded_run",
    )?;
    for (ordinal, theme, score) in &version.matches {
        let is_new = !before.contains(&(key_of(&keys, *ordinal), theme.clone()));
        upsert.execute(params![
            version.source,
            version.sha256,
            ordinal,
            theme,
            f64::from(*score),
            run,
            if is_new { run } else { None },
        ])?;
    }
    Ok(())
}
