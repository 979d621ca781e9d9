//! `changes`: what a run, or the runs since a date, found new, changed or removed.

use std::io::Write;

use anyhow::Result;
use clap::Args;

use super::{Outcome, Paths};
use crate::extract::model::section_place;
use crate::output::{ChangesJson, to_json};
use crate::track::changes::{ChangeReader, DocumentChangeKind, SectionChangeKind};
use crate::track::db::RunWindow;

#[derive(Args)]
pub(super) struct ChangesArgs {
    /// Everything fetched since this date (YYYY-MM-DD, local midnight) or RFC 3339 time.
    #[arg(long, value_name = "DATE", value_parser = parse_since, conflicts_with = "run")]
    since: Option<chrono::DateTime<chrono::Utc>>,
    /// What run N found.
    #[arg(long, value_name = "N")]
    run: Option<u64>,
    #[arg(long)]
    json: bool,
}

/// A `--since` that is neither a date nor an instant.
#[derive(Debug, thiserror::Error)]
pub enum SinceError {
    #[error("{text:?} is not a date (YYYY-MM-DD) or an RFC 3339 time (2025-03-01T06:00:00Z)")]
    NotADate {
        text: String,
        #[source]
        source: chrono::ParseError,
    },
    #[error("{0:?}: midnight does not exist in the local time zone")]
    NoMidnight(String),
}

/// Reads `--since`: a date (`2025-03-01`, midnight local time) or an RFC 3339 instant.
pub(crate) fn parse_since(
    text: &str,
) -> std::result::Result<chrono::DateTime<chrono::Utc>, SinceError> {
    let text = text.trim();
    if let Ok(instant) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(instant.with_timezone(&chrono::Utc));
    }
    let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|source| {
        SinceError::NotADate {
            text: text.to_string(),
            source,
        }
    })?;
    date.and_time(chrono::NaiveTime::MIN)
        .and_local_timezone(chrono::Local)
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
        .ok_or_else(|| SinceError::NoMidnight(text.to_string()))
}

/// `changes`: new, changed and removed documents, their changed sections with word diffs, and
/// new theme matches, for a run or since a date.
/// Neither `--since` nor `--run`: the last finished run that fetched (`run` or `fetch`).
pub(super) fn run(paths: &Paths, args: &ChangesArgs) -> Result<Outcome> {
    let json = args.json;
    let window = match (args.since, args.run) {
        (Some(since), _) => Some(RunWindow::Since(since)),
        (None, Some(run)) => Some(RunWindow::Run(run)),
        (None, None) => None,
    };
    let config = paths.config().ok();
    let reader = ChangeReader::open(&paths.index_dir)?;
    let window = match window {
        Some(window) => window,
        None => {
            let last =
                reader.catalog().runs.iter().rev().find(|r| {
                    r.finished_at.is_some() && (r.command == "run" || r.command == "fetch")
                });
            match last {
                Some(run) => RunWindow::Run(run.id),
                None => anyhow::bail!(
                    "no finished run in {} yet: run `samspor run` first",
                    paths.index_dir.display()
                ),
            }
        }
    };
    if let RunWindow::Run(run) = window
        && reader.catalog().run(run).is_none()
        && reader
            .catalog()
            .runs
            .first()
            .is_none_or(|first| run >= first.id)
    {
        anyhow::bail!("no run {run} in {}", paths.index_dir.display());
    }
    let report = reader.collect(window)?;
    let mut out = std::io::stdout().lock();
    if json {
        let body = ChangesJson {
            window,
            report: &report,
        };
        writeln!(out, "{}", to_json(&body)?)?;
        return Ok(Outcome::Ok);
    }
    let title = |id: &str| {
        let recorded = reader
            .catalog()
            .sources
            .get(id)
            .and_then(|r| r.title.clone());
        config
            .as_ref()
            .and_then(|c| c.source(id))
            .map(|s| s.title.clone())
            .or(recorded)
            .map_or_else(|| id.to_string(), |title| format!("{title} ({id})"))
    };
    let place = |number: &Option<String>, heading: &Option<String>| {
        section_place(number.as_deref(), heading.as_deref())
    };
    match window {
        RunWindow::Run(run) => writeln!(out, "Endringer i kjøring {run}")?,
        RunWindow::Since(since) => writeln!(
            out,
            "Endringer siden {}",
            since.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M")
        )?,
    }
    let nothing =
        report.documents.is_empty() && report.removed.is_empty() && report.theme_matches.is_empty();
    if nothing {
        writeln!(out, "Ingen endringer.")?;
    }
    for change in &report.documents {
        writeln!(out)?;
        match change.kind {
            DocumentChangeKind::New => {
                writeln!(
                    out,
                    "Nytt dokument: {} – {} seksjoner",
                    title(&change.source),
                    change.sections.len()
                )?;
                continue;
            }
            DocumentChangeKind::Changed => writeln!(
                out,
                "Endret: {} – versjon {} → {}",
                title(&change.source),
                change
                    .previous_version
                    .as_deref()
                    .and_then(|v| v.get(..12))
                    .unwrap_or("?"),
                change.version.get(..12).unwrap_or(&change.version)
            )?,
        }
        for section in &change.sections {
            let (kind, page) = match section.kind {
                SectionChangeKind::Added => ("ny", format!("s. {}", section.page)),
                SectionChangeKind::Modified => ("endret", format!("s. {}", section.page)),
                SectionChangeKind::Removed => {
                    ("fjernet", format!("s. {} i forrige versjon", section.page))
                }
            };
            writeln!(
                out,
                "  {kind:<8} {} ({page})",
                place(&section.number, &section.heading)
            )?;
            if let Some(diff) = &section.diff {
                writeln!(out, "           {diff}")?;
            }
        }
    }
    for removed in &report.removed {
        writeln!(out, "\nFølges ikke lenger: {}", title(&removed.source))?;
    }
    if !report.theme_matches.is_empty() {
        writeln!(out, "\nNye tematreff:")?;
        for found in &report.theme_matches {
            let label = config
                .as_ref()
                .and_then(|c| c.theme(&found.theme))
                .map_or(found.theme.as_str(), |t| t.label.as_str());
            writeln!(
                out,
                "  {label}: {} {} (s. {}) – {:.2}",
                found.source,
                place(&found.number, &found.heading),
                found.page,
                found.score
            )?;
        }
    }
    for same in &report.identical_text {
        writeln!(
            out,
            "\nNy versjon med uendret tekst (bare filen er ny): {}",
            title(&same.source)
        )?;
    }
    Ok(Outcome::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_dates_and_instants() {
        let instant = parse_since("2025-03-01T06:00:00Z").unwrap();
        assert_eq!(instant.to_rfc3339(), "2025-03-01T06:00:00+00:00");
        let date = parse_since("2025-03-01").unwrap();
        let local = date.with_timezone(&chrono::Local);
        assert_eq!(
            local.format("%Y-%m-%d %H:%M").to_string(),
            "2025-03-01 00:00"
        );
        let err = parse_since("i går").unwrap_err().to_string();
        assert!(err.contains("not a date"), "{err}");
    }
}
