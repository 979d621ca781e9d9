//! The commands behind the CLI, and their output: the JSON contract that scripts rely on and
//! the readable Norwegian text for people. `main.rs` only parses arguments and calls these.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::config::Config;
use crate::extract::model::section_place;
use crate::extract::{ExtractOptions, extract_file};
use crate::index::{SearchRequest, SectionIndex};
use crate::output::{
    ChangesJson, CitedByJson, ExplainJson, MatchJson, RefsJson, RunJson, SearchJson,
    SourceStatusJson, StatusJson, to_json,
};
use crate::pipeline::{Pipeline, RunSummary, Stage};
use crate::track::{Catalog, SourceState};

/// A command line that names something that does not exist or asks for the impossible:
/// exit code 2, like a configuration error.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// The exit code of a command that failed: 2 for a usage or configuration error (a typo in
/// sources.toml, an unknown theme or source, a malformed query, a bad argument), else 1.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    let usage = err.chain().any(|cause| {
        cause.is::<crate::config::ConfigError>()
            || cause.is::<UsageError>()
            || cause.is::<SinceError>()
            || matches!(
                cause.downcast_ref::<crate::index::IndexError>(),
                Some(crate::index::IndexError::Query { .. })
            )
            || matches!(
                cause.downcast_ref::<crate::export::ExportError>(),
                Some(crate::export::ExportError::IndexName(_))
            )
    });
    if usage { 2 } else { 1 }
}

/// How a command ended, beyond success or a fatal error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything worked.
    Ok,
    /// Finished, but some sources failed (exit code 3).
    SomeSourcesFailed,
}

/// Where the configuration and the data live.
#[derive(Debug, Clone)]
pub struct Paths {
    pub sources: PathBuf,
    pub index_dir: PathBuf,
}

impl Paths {
    /// sources.toml with the documents its listings linked to at the last run.
    fn config(&self) -> Result<Config> {
        Ok(crate::follow::load_config(&self.sources, &self.index_dir)?)
    }
}

/// Runs stages of the pipeline; `run` is all of them.
pub fn run_stages(paths: &Paths, stages: &[Stage], command: &str, json: bool) -> Result<Outcome> {
    let config = paths.config()?;
    let pipeline = Pipeline::new(config, &paths.index_dir);
    let summary = pipeline.run(stages, command)?;
    for failure in &summary.failures {
        eprintln!(
            "error: source {}: {} failed: {}",
            failure.source, failure.stage, failure.error
        );
    }
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", to_json(&RunJson::of(&summary))?)?;
    } else {
        print_summary(&mut out, &pipeline, &summary, stages)?;
    }
    Ok(if summary.all_ok() {
        Outcome::Ok
    } else {
        Outcome::SomeSourcesFailed
    })
}

fn print_summary(
    out: &mut impl Write,
    pipeline: &Pipeline,
    summary: &RunSummary,
    stages: &[Stage],
) -> Result<()> {
    let total = pipeline.config.sources.len();
    let failed = summary
        .failures
        .iter()
        .map(|f| f.source.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let names: Vec<&str> = stages.iter().map(|s| s.name()).collect();
    writeln!(
        out,
        "Kjøring {} ({}): {} av {} kilder ok",
        summary.run,
        names.join(" → "),
        total - failed,
        total
    )?;
    if stages.contains(&Stage::Index) {
        writeln!(out, "Seksjoner i indeksen: {}", summary.sections_indexed)?;
    }
    if stages.contains(&Stage::Match) {
        for theme in &summary.themes {
            writeln!(
                out,
                "  {:<28} {:>4} seksjoner",
                theme.label,
                theme.sections.len()
            )?;
        }
    }
    Ok(())
}

/// `extract --file PATH`: one file, no configuration or index.
pub fn extract_one(path: &Path, selector: Option<String>, json: bool) -> Result<Outcome> {
    let doc = extract_file(path, &ExtractOptions { selector })
        .with_context(|| path.display().to_string())?;
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        writeln!(
            out,
            "{} — {} sider, {} seksjoner",
            doc.title.as_deref().unwrap_or("(uten tittel)"),
            doc.pages,
            doc.sections.len()
        )?;
        for section in &doc.sections {
            let indent = "  ".repeat(usize::from(section.level.saturating_sub(1)));
            writeln!(
                out,
                "{indent}{} {}  (s. {}–{}, {} tegn{})",
                section.number.as_deref().unwrap_or("–"),
                section.heading.as_deref().unwrap_or("(innledning)"),
                section.page_start,
                section.page_end,
                section.text.chars().count(),
                if doc.section_from_ocr(section) {
                    ", OCR"
                } else {
                    ""
                }
            )?;
        }
        for warning in &doc.warnings {
            writeln!(out, "advarsel: {warning}")?;
        }
    }
    Ok(Outcome::Ok)
}

/// Search parameters as given on the command line.
pub struct SearchArgs {
    pub query: String,
    pub limit: usize,
    pub source: Option<String>,
    pub theme: Option<String>,
    pub kind: Option<String>,
    pub year: Option<u32>,
    pub per_source: Option<usize>,
    pub json: bool,
    /// `--no-semantic`: by words only, even when the embedding model is installed.
    pub no_semantic: bool,
}

/// `search`: queries the index.
pub fn search(paths: &Paths, args: SearchArgs) -> Result<Outcome> {
    // The configuration is optional for searching, but when it is there, a misspelt source or
    // theme is an error rather than an empty result.
    if let Ok(config) = paths.config() {
        if let Some(source) = &args.source
            && config.source(source).is_none()
        {
            let known: Vec<&str> = config.sources.iter().map(|s| s.id.as_str()).collect();
            return Err(UsageError(format!(
                "unknown source {source:?} (known: {})",
                known.join(", ")
            ))
            .into());
        }
        if let Some(theme) = &args.theme
            && config.theme(theme).is_none()
        {
            let known: Vec<&str> = config.themes.iter().map(|t| t.id.as_str()).collect();
            return Err(UsageError(format!(
                "unknown theme {theme:?} (known: {})",
                known.join(", ")
            ))
            .into());
        }
    }
    let index = SectionIndex::open(&paths.index_dir)?;
    let semantic = (!args.no_semantic)
        .then(|| {
            let settings = paths.config().map(|c| c.embeddings).unwrap_or_default();
            crate::embed::Semantic::load(&paths.index_dir, &settings)
        })
        .flatten();
    let request = SearchRequest {
        query: args.query.clone(),
        limit: args.limit,
        source: args.source,
        theme: args.theme,
        kind: args.kind,
        year: args.year,
        max_per_source: args.per_source,
        expand: None,
    };
    let results = crate::embed::search(&index, &request, semantic.as_ref())?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(
            out,
            "{}",
            to_json(&SearchJson::of(&args.query, &results, semantic.is_some()))?
        )?;
        return Ok(Outcome::Ok);
    }
    let color = std::io::stdout().is_terminal();
    writeln!(
        out,
        "{} treff for «{}»{}",
        results.total,
        args.query,
        if results.total > results.hits.len() {
            format!(" (viser {})", results.hits.len())
        } else {
            String::new()
        }
    )?;
    if !results.all_words {
        writeln!(out, "{}", crate::index::SOME_WORDS_MESSAGE)?;
    }
    for (rank, hit) in results.hits.iter().enumerate() {
        let s = &hit.section;
        let place = section_place(s.number.as_deref(), s.heading.as_deref());
        writeln!(out)?;
        writeln!(
            out,
            "{}. {} — {}  (s. {}, {:.2}{})",
            rank + 1,
            s.title,
            place,
            s.page_start,
            hit.score,
            if s.ocr { ", OCR" } else { "" }
        )?;
        writeln!(
            out,
            "   {}",
            highlight(&hit.snippet, &hit.highlights, color)
        )?;
        if let Some(via) = crate::index::found_via_text(&hit.found_via) {
            writeln!(out, "   {via}")?;
        }
        writeln!(out, "   {}", s.link())?;
    }
    Ok(Outcome::Ok)
}

/// Marks highlighted ranges: bold on a terminal, `**word**` elsewhere.
fn highlight(snippet: &str, ranges: &[(usize, usize)], color: bool) -> String {
    let (open, close) = if color {
        ("\x1b[1;33m", "\x1b[0m")
    } else {
        ("**", "**")
    };
    let mut out = String::with_capacity(snippet.len() + ranges.len() * 8);
    for (marked, text) in crate::index::highlight_pieces(snippet, ranges) {
        if marked {
            out.push_str(open);
            out.push_str(text);
            out.push_str(close);
        } else {
            out.push_str(text);
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `match`: runs the match stage and prints ranked sections per theme.
pub fn match_themes(paths: &Paths, json: bool) -> Result<Outcome> {
    let config = paths.config()?;
    let pipeline = Pipeline::new(config, &paths.index_dir);
    let summary = pipeline.run(&[Stage::Match], "match")?;
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", to_json(&MatchJson::of(&summary.themes))?)?;
        return Ok(Outcome::Ok);
    }
    for theme in &summary.themes {
        writeln!(out, "{} ({} seksjoner)", theme.label, theme.sections.len())?;
        for s in &theme.sections {
            writeln!(
                out,
                "  {:.2}  {} {} {}  s. {}",
                s.score,
                s.source,
                s.section,
                s.heading.as_deref().unwrap_or(""),
                s.page
            )?;
            writeln!(out, "        termer: {}", s.terms.join(", "))?;
            for sentence in &s.evidence {
                writeln!(out, "        «{sentence}»")?;
            }
        }
        writeln!(out)?;
    }
    Ok(Outcome::Ok)
}

/// `match --explain SOURCE SECTION`: the parts of each theme's score for one section.
pub fn explain(paths: &Paths, source: &str, section: &str, json: bool) -> Result<Outcome> {
    let config = paths.config()?;
    let labels: std::collections::HashMap<String, String> = config
        .themes
        .iter()
        .map(|t| (t.id.clone(), t.label.clone()))
        .collect();
    let pipeline = Pipeline::new(config, &paths.index_dir);
    let Some((found, matches)) = pipeline.explain(source, section)? else {
        return Err(UsageError(format!(
            "no section {section:?} in source {source:?} (give its number, heading or #ordinal)"
        ))
        .into());
    };
    let mut out = std::io::stdout().lock();
    if json {
        let body = ExplainJson {
            source: &found.source,
            section: found.label(),
            heading: &found.heading,
            themes: &matches,
        };
        writeln!(out, "{}", to_json(&body)?)?;
        return Ok(Outcome::Ok);
    }
    writeln!(
        out,
        "{} {} {}",
        found.source,
        found.label(),
        found.heading.as_deref().unwrap_or("")
    )?;
    if matches.is_empty() {
        writeln!(out, "  ingen temaord i seksjonen")?;
    }
    for m in &matches {
        let p = &m.parts;
        writeln!(
            out,
            "  {:<20} {:>6.2} {} terskel {:.2}",
            m.theme,
            m.score,
            if m.passed { "≥" } else { "<" },
            m.threshold
        )?;
        writeln!(
            out,
            "      overskrift {} · ulike termer {} · forekomster {} · setninger {} · tetthet {:.2}/100 ord ({} ord){}{}",
            p.heading_terms,
            p.distinct_terms,
            p.occurrences,
            p.sentences,
            p.density,
            p.tokens,
            if p.passing_only {
                " · bare i forbifarten"
            } else if p.heading_terms == 0 && p.sentences <= 1 {
                " · bare én setning"
            } else {
                ""
            },
            if p.exclude_hits > 0 {
                format!(" · utelukkingsord {} (halvert)", p.exclude_hits)
            } else {
                String::new()
            }
        )?;
        if let Some(meaning) = &m.meaning {
            let label = labels
                .get(&m.theme)
                .map_or(m.theme.as_str(), String::as_str);
            writeln!(
                out,
                "      {}",
                crate::themes::meaning::explain_line(label, meaning)
            )?;
        }
        if !m.terms.is_empty() {
            writeln!(out, "      termer: {}", m.terms.join(", "))?;
        }
        if !m.paraphrases.is_empty() {
            writeln!(out, "      omskrivinger: {}", m.paraphrases.join(", "))?;
        }
        if !m.passing.is_empty() {
            let passing: Vec<String> = m
                .passing
                .iter()
                .map(|mention| {
                    let why = match mention.reason {
                        crate::themes::Passing::ManyThemes => "setning med mange tema",
                        crate::themes::Passing::Enumeration => "oppramsing",
                        crate::themes::Passing::Aside => "sidebemerkning",
                    };
                    format!("«{}» ({why})", mention.words)
                })
                .collect();
            writeln!(
                out,
                "      i forbifarten (teller lite): {}",
                passing.join(", ")
            )?;
        }
    }
    Ok(Outcome::Ok)
}

/// What `refs` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefsView {
    /// Every citation, then the untracked documents.
    List,
    /// The document graph in Graphviz DOT.
    Dot,
}

/// `refs`: the citations between documents, from the indexed sections.
pub fn refs(paths: &Paths, view: RefsView, cited_by: Option<&str>, json: bool) -> Result<Outcome> {
    use crate::refs::links::{self, Linker, SectionText};
    let config = paths.config()?;
    let index = SectionIndex::open(&paths.index_dir)?;
    let sections = index.all_sections()?;
    let linker = Linker::for_sources(&config.sources);
    let records = links::collect(sections.iter().map(SectionText::of), &linker);
    let mut out = std::io::stdout().lock();
    if view == RefsView::Dot {
        let titles = config
            .sources
            .iter()
            .map(|s| (s.id.clone(), s.title.clone()))
            .collect();
        write!(out, "{}", links::to_dot(&records, &titles))?;
        return Ok(Outcome::Ok);
    }
    let shown: Vec<&links::CitationRecord> = match cited_by {
        Some(reference) => links::cited_by(&records, reference),
        None => records.iter().collect(),
    };
    let candidates = links::candidates(&records);
    if json {
        let body = match cited_by {
            Some(reference) => to_json(&CitedByJson {
                reference,
                citations: &shown,
            })?,
            None => to_json(&RefsJson {
                citations: &shown,
                candidates: &candidates,
            })?,
        };
        writeln!(out, "{body}")?;
        return Ok(Outcome::Ok);
    }
    if let Some(reference) = cited_by {
        writeln!(out, "{} sitater av «{reference}»", shown.len())?;
    }
    for r in &shown {
        writeln!(
            out,
            "{:<24} {:<10} s. {:<4} {:<45} → {}",
            r.source,
            r.section,
            r.page,
            r.canonical,
            r.target.as_deref().unwrap_or("(ikke fulgt)")
        )?;
    }
    if cited_by.is_none() && !candidates.is_empty() {
        writeln!(
            out,
            "\nSiterte dokumenter som ikke følges (kandidater til sources.toml):"
        )?;
        for c in &candidates {
            writeln!(
                out,
                "  {:>3}× {:<45} i {}",
                c.count,
                c.document,
                c.cited_in.join(", ")
            )?;
        }
    }
    Ok(Outcome::Ok)
}

/// `status`: per-source state and the last run, from the catalog.
pub fn status(paths: &Paths, json: bool) -> Result<Outcome> {
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

/// `serve`: the web site over the index dir, until Ctrl-C or SIGTERM.
pub fn serve(paths: &Paths, addr: std::net::SocketAddr, allow_remote: bool) -> Result<Outcome> {
    let mut options = crate::serve::ServeOptions::new(addr);
    options.allow_remote = allow_remote;
    crate::serve::run(&paths.sources, &paths.index_dir, options).map_err(|e| match e {
        // Keep the configuration error itself in the chain: it maps to exit code 2.
        crate::serve::ServeError::Config(config) => anyhow::Error::new(config),
        other => anyhow::Error::new(other),
    })?;
    Ok(Outcome::Ok)
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
pub fn parse_since(text: &str) -> std::result::Result<chrono::DateTime<chrono::Utc>, SinceError> {
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
/// `window` None is the last finished run that fetched (`run` or `fetch`).
pub fn changes(
    paths: &Paths,
    window: Option<crate::track::db::RunWindow>,
    json: bool,
) -> Result<Outcome> {
    use crate::track::changes::{ChangeReader, DocumentChangeKind, SectionChangeKind};
    use crate::track::db::RunWindow;
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

/// `export --format ndjson`: every indexed section as bulk NDJSON, to a file or stdout.
pub fn export_ndjson(paths: &Paths, out_file: Option<&Path>, index_name: &str) -> Result<Outcome> {
    let config = paths.config().ok();
    let stats = match out_file {
        Some(path) => {
            crate::export::write_ndjson_file(&paths.index_dir, config.as_ref(), index_name, path)
                .with_context(|| path.display().to_string())?
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            crate::export::write_ndjson(&paths.index_dir, config.as_ref(), index_name, &mut out)?
        }
    };
    eprintln!(
        "Eksporterte {} seksjoner fra {} kilder ({} kB){}",
        stats.sections,
        stats.sources,
        stats.bytes.div_ceil(1024),
        out_file
            .map(|p| format!(" til {}", p.display()))
            .unwrap_or_default()
    );
    Ok(Outcome::Ok)
}

/// `brief` as given on the command line.
pub struct BriefArgs {
    /// Empty means every theme.
    pub themes: Vec<String>,
    pub since: Option<chrono::NaiveDate>,
    pub top: usize,
    pub format: String,
    pub out: Option<PathBuf>,
    pub date: Option<chrono::NaiveDate>,
}

/// `brief`: renders a briefing note from the stored matches, index and catalog.
pub fn brief(paths: &Paths, args: BriefArgs) -> Result<Outcome> {
    use crate::brief::{BriefError, BriefFormat, BriefRequest, generate};
    let config = paths.config()?;
    let format = BriefFormat::parse(&args.format)
        .ok_or_else(|| UsageError(format!("unknown format {:?} (md, html, docx)", args.format)))?;
    if format == BriefFormat::Docx && args.out.is_none() {
        return Err(UsageError("--format docx needs --out FILE".into()).into());
    }
    let request = BriefRequest {
        themes: args.themes,
        since: args.since,
        top: args.top,
        format,
        date: args
            .date
            .unwrap_or_else(|| chrono::Local::now().date_naive()),
    };
    let bytes = match generate(&config, &paths.index_dir, &request) {
        Ok(bytes) => bytes,
        Err(BriefError::UnknownTheme(id)) => {
            let known: Vec<&str> = config.themes.iter().map(|t| t.id.as_str()).collect();
            return Err(UsageError(format!(
                "unknown theme {id:?} (known: {})",
                known.join(", ")
            ))
            .into());
        }
        Err(e) => return Err(e.into()),
    };
    match &args.out {
        Some(path) => {
            crate::fsutil::write_atomic(path, &bytes)
                .with_context(|| format!("{}: cannot write the brief", path.display()))?;
            eprintln!("notat skrevet til {}", path.display());
        }
        None => std::io::stdout().lock().write_all(&bytes)?,
    }
    Ok(Outcome::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_are_marked_without_a_terminal() {
        let snippet = "Fastlegene har lange lister";
        assert_eq!(
            highlight(snippet, &[(0, 10)], false),
            "**Fastlegene** har lange lister"
        );
        // Out-of-range or overlapping ranges are ignored rather than panicking.
        assert_eq!(highlight("æøå", &[(1, 2), (0, 99)], false), "æøå");
        // An empty range marks nothing (the web page always agreed; the CLI printed "****").
        assert_eq!(highlight("abc", &[(1, 1)], false), "abc");
    }

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
