//! `status`: per-source state and the recent runs, from the catalog.

use std::io::Write;

use anyhow::Result;
use clap::Args;

use super::{Outcome, Paths};
use crate::output::{SourceStatusJson, StatusJson, to_json};
use crate::track::{Catalog, SourceState};

#[derive(Args)]
pub(super) struct StatusArgs {
    #[arg(long)]
    json: bool,
}

/// `status`: per-source state and the last run, from the catalog.
pub(super) fn run(paths: &Paths, args: &StatusArgs) -> Result<Outcome> {
    let json = args.json;
    let config = paths.config()?;
    let catalog = Catalog::load(&paths.index_dir)?;
    let now = chrono::Utc::now();
    let sources: Vec<_> = config
        .sources
        .iter()
        .map(|source| {
            let record = catalog.sources.get(&source.id).cloned().unwrap_or_default();
            let indexed = record
                .indexed_sha256
                .as_deref()
                .and_then(|sha| record.version(sha))
                .and_then(|v| v.extracted.clone());
            SourceStatusJson {
                id: source.id.clone(),
                title: source.title.clone(),
                state: record.state,
                last_error: record.last_error.clone(),
                failed_stage: record.failed_stage.clone(),
                fetched_at: record.fetched_at,
                last_attempt_at: record.last_attempt_at,
                failures_since_ok: record.failures_since_ok,
                sha256: record.sha256.clone(),
                indexed_sha256: record.indexed_sha256.clone(),
                versions: record.versions.len(),
                pages: indexed.as_ref().map(|e| e.pages),
                sections: indexed.as_ref().map(|e| e.sections),
                last_good_fetch_age_secs: record.fetched_at.map(|t| (now - t).num_seconds().max(0)),
                staleness: staleness(&record, now),
                final_url: record.final_url.clone(),
                moved_to: moved_to(source, &record),
            }
        })
        .collect();
    let last_run = catalog.last_finished_run();
    let recent_runs: Vec<&crate::track::RunRecord> =
        catalog.runs.iter().rev().take(RECENT_RUNS).collect();
    let running = crate::track::lock::current_holder(&paths.index_dir);
    let mut out = std::io::stdout().lock();
    if json {
        let body = StatusJson {
            sources,
            last_run,
            runs: recent_runs,
            running,
        };
        writeln!(out, "{}", to_json(&body)?)?;
        return Ok(Outcome::Ok);
    }
    for source in &config.sources {
        let record = catalog.sources.get(&source.id).cloned().unwrap_or_default();
        // A failed source shouts, so it stands out in a column of "ok".
        let state = match record.state {
            SourceState::Failed => record.state.label().to_uppercase(),
            other => other.label().to_string(),
        };
        writeln!(
            out,
            "{:<8} {:<28} {}, {} versjon(er)",
            state,
            source.id,
            staleness(&record, now),
            record.versions.len(),
        )?;
        if let Some(error) = &record.last_error
            && record.state == SourceState::Failed
        {
            writeln!(out, "         {error}")?;
        }
        if let Some(new) = moved_to(source, &record) {
            writeln!(
                out,
                "         flyttet permanent (301/308) til {new} – oppdater url i sources.toml"
            )?;
        }
    }
    if let Some(run) = last_run {
        writeln!(
            out,
            "\nSiste kjøring {} ({}): {} – {} seksjoner, {} temamatcher",
            run.id,
            run.command,
            run.outcome.label(),
            run.sections_indexed,
            run.theme_matches
        )?;
    }
    if let Some(holder) = running {
        writeln!(out, "Kjøring pågår nå: {holder}")?;
    }
    if !recent_runs.is_empty() {
        writeln!(out, "\nSiste kjøringer:")?;
        for run in &recent_runs {
            writeln!(out, "  {}", describe_run(run))?;
        }
    }
    Ok(Outcome::Ok)
}

/// Where a permanent redirect says the source now lives, when sources.toml still names
/// another address (None once the file has been updated).
fn moved_to(source: &crate::config::Source, record: &crate::track::SourceRecord) -> Option<String> {
    let moved = record.moved_to.as_deref()?;
    let configured = match &source.location {
        crate::config::Location::Http(url) => url.as_str(),
        crate::config::Location::File(_) => return None,
    };
    (moved != configured && record.url.as_deref() == Some(source.url.as_str()))
        .then(|| moved.to_string())
}

/// Runs listed by `status`.
const RECENT_RUNS: usize = 10;

/// "siste vellykkede henting for 3 dager siden, 2 feil siden".
fn staleness(record: &crate::track::SourceRecord, now: chrono::DateTime<chrono::Utc>) -> String {
    let mut text = match record.fetched_at {
        Some(t) => format!(
            "siste vellykkede henting {}",
            crate::track::age_label(now - t)
        ),
        None => "aldri hentet".to_string(),
    };
    if record.failures_since_ok > 0 {
        text.push_str(&format!(", {} feil siden", record.failures_since_ok));
    }
    text
}

/// One line per run: id, command, start (local time), duration, outcome and what changed.
fn describe_run(run: &crate::track::RunRecord) -> String {
    let started = run
        .started_at
        .with_timezone(&chrono::Local)
        .format("%Y-%m-%d %H:%M");
    let outcome = run.outcome.label();
    let duration = run
        .total_millis
        .map(|ms| format!("{:.1} s", ms as f64 / 1000.0))
        .unwrap_or_else(|| "–".into());
    let c = &run.counts;
    let mut changes = Vec::new();
    for (n, label) in [
        (c.new_documents, "nye dok."),
        (c.changed_documents, "endrede dok."),
        (c.removed_documents, "fjernede dok."),
        (c.new_theme_matches, "nye tematreff"),
        (c.sources_failed, "kilder feilet"),
    ] {
        if n > 0 {
            changes.push(format!("{n} {label}"));
        }
    }
    if changes.is_empty() && run.finished_at.is_some() {
        changes.push("ingen endringer".into());
    }
    format!(
        "{:>5} {:<8} {started}  {duration:>7}  {outcome:<8} {}",
        run.id,
        run.command,
        changes.join(", ")
    )
}
