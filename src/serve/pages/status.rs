//! The status page: sources, staleness and recent runs.

use super::*;

/// `/status`: the last runs and every source's state.
pub fn status(
    config: &Config,
    catalog: &CatalogView,
    indexed_sections: Option<u64>,
    matched_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Markup {
    let runs: Vec<&RunView> = catalog.runs.iter().rev().take(10).collect();
    let failing = config
        .sources
        .iter()
        .filter(|s| catalog.source(&s.id).state == SourceState::Failed)
        .count();
    let stale = config
        .sources
        .iter()
        .filter(|s| is_stale(&catalog.source(&s.id), now))
        .count();
    layout(
        "Status",
        Nav::Status,
        html! {
            h1 { "Status" }
            ul.summary {
                li { (config.sources.len()) " kilder, " strong { (failing) " feiler" } ", " strong { (stale) " foreldet" } " (ikke hentet på " (STALE_AFTER_HOURS / 24) " døgn)" }
                li {
                    @if let Some(n) = indexed_sections { (n) " seksjoner i søket" } @else { "Ingen søkeindeks ennå" }
                    @if let Some(at) = matched_at { ", tema matchet " (when(at)) }
                }
            }
            section aria-labelledby="kilder" {
                h2 #kilder { "Kilder" }
                div.table-scroll {
                    table.sources {
                        thead { tr {
                            th scope="col" { "Kilde" } th scope="col" { "Tilstand" } th scope="col" { "Sist hentet" }
                            th scope="col" { "Siste forsøk" } th scope="col" { "Feil siden" } th scope="col" { "Versjoner" } th scope="col" { "Siste feil" }
                        } }
                        tbody {
                            @for source in &config.sources {
                                @let record = catalog.source(&source.id);
                                @let stale = is_stale(&record, now);
                                tr.failed[record.state == SourceState::Failed] {
                                    th scope="row" { a href=(document_href(&source.id)) { (source.id) } }
                                    td { span class=(format!("state state-{}", record.state.as_str())) { (shown_label(record.state.label())) } @if stale { " " span.state.state-stale { "Foreldet" } } }
                                    td { @if let Some(at) = record.fetched_at { (when(at)) br; span.meta { (age(now, at)) } } @else { "Aldri" } }
                                    td { @if let Some(at) = record.last_attempt_at { (when(at)) } @else { "–" } }
                                    td { (record.failures_since_ok) }
                                    td { (record.versions.len()) }
                                    td.error-text {
                                        @if record.state == SourceState::Failed {
                                            @if let Some(stage) = &record.failed_stage { (stage) ": " }
                                            (record.last_error.as_deref().unwrap_or(""))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            section aria-labelledby="kjoringer" {
                h2 #kjoringer { "Siste kjøringer" }
                @if runs.is_empty() { p { "Ingen kjøringer ennå." } }
                @else {
                    div.table-scroll {
                        table.runs {
                            thead { tr {
                                th scope="col" { "Nr." } th scope="col" { "Kommando" } th scope="col" { "Startet" } th scope="col" { "Varighet" }
                                th scope="col" { "Utfall" } th scope="col" { "Seksjoner" } th scope="col" { "Reindeksert" } th scope="col" { "Temamatcher" } th scope="col" { "Steg (ms)" }
                            } }
                            tbody {
                                @for run in &runs {
                                    tr {
                                        th scope="row" { (run.id) }
                                        td { (run.command) }
                                        td { (when(run.started_at)) }
                                        td { @if let Some(end) = run.finished_at { (format!("{:.1} s", (end - run.started_at).num_milliseconds() as f64 / 1000.0)) } @else { "–" } }
                                        td {
                                            span class=(format!("state state-{}", run.outcome)) { (shown_label(run.outcome.label())) }
                                            @for (source, error) in &run.failures { br; span.error-text { (source) ": " (error) } }
                                        }
                                        td { (run.sections_indexed) }
                                        td { @if run.reindexed.is_empty() { "–" } @else { (run.reindexed.join(", ")) } }
                                        td { (run.theme_matches) }
                                        td.meta { (run.stage_millis.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// A source is stale when its last good fetch is older than [`STALE_AFTER_HOURS`], or it never
/// had one.
pub(crate) fn is_stale(record: &SourceView, now: DateTime<Utc>) -> bool {
    record
        .fetched_at
        .is_none_or(|at| (now - at).num_hours() >= STALE_AFTER_HOURS)
}
