//! The JSON contract of every `--json` output (README "JSON contract"): one `Serialize` type
//! per command, so a field is added here, in one place, and never by reshaping a struct by
//! hand. `extract --file --json` prints [`crate::extract::model::ExtractedDoc`] itself and
//! `export` has its own types in [`crate::export`].
//!
//! Fields are only ever added. Keys are printed in sorted order at every level, as they always
//! have been: [`to_json`] goes through `serde_json::Value`, whose map sorts them.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::index::{FoundVia, IndexedSection, SearchHit, SearchResults};
use crate::matches::{MatchedSection, ThemeResult};
use crate::pipeline::summary::{RunSummary, SourceFailure};
use crate::refs::links::{Candidate, CitationRecord};
use crate::themes::ThemeMatch;
use crate::track::changes::ChangeReport;
use crate::track::db::RunWindow;
use crate::track::{RunCounts, RunRecord, SourceState};

/// Pretty JSON with the keys of every object sorted (the contract's byte form).
pub(crate) fn to_json(value: &impl Serialize) -> serde_json::Result<String> {
    serde_json::to_string_pretty(&serde_json::to_value(value)?)
}

/// `run --json` (and `fetch`, `extract`, `index` as stages).
#[derive(Debug, Serialize)]
pub struct RunJson<'a> {
    pub run: u64,
    pub ok: bool,
    pub failures: &'a [SourceFailure],
    pub sections_indexed: usize,
    pub reindexed: &'a [String],
    pub stage_millis: &'a BTreeMap<String, u64>,
    pub themes: Vec<ThemeCountJson<'a>>,
    pub counts: &'a RunCounts,
    pub total_millis: u64,
}

/// A theme and how many sections the run matched to it.
#[derive(Debug, Serialize)]
pub struct ThemeCountJson<'a> {
    pub id: &'a str,
    pub sections: usize,
}

impl<'a> RunJson<'a> {
    pub fn of(summary: &'a RunSummary) -> RunJson<'a> {
        RunJson {
            run: summary.run,
            ok: summary.all_ok(),
            failures: &summary.failures,
            sections_indexed: summary.sections_indexed,
            reindexed: &summary.reindexed,
            stage_millis: &summary.stage_millis,
            themes: summary
                .themes
                .iter()
                .map(|t| ThemeCountJson {
                    id: &t.id,
                    sections: t.sections.len(),
                })
                .collect(),
            counts: &summary.counts,
            total_millis: summary.total_millis,
        }
    }
}

/// `search --json`.
#[derive(Debug, Serialize)]
pub struct SearchJson<'a> {
    pub query: &'a str,
    pub total: usize,
    pub hits: Vec<SearchHitJson<'a>>,
    pub all_terms_matched: bool,
    /// True when the embedding model and section vectors were used (search by meaning).
    pub semantic: bool,
}

/// One hit of `search --json`.
#[derive(Debug, Serialize)]
pub struct SearchHitJson<'a> {
    pub source: &'a str,
    /// The number, else the heading.
    pub section: String,
    pub heading: &'a Option<String>,
    pub page: u64,
    pub score: f32,
    pub snippet: &'a str,
    /// PDF links end in `#page=N`.
    pub url: String,
    pub title: &'a str,
    pub number: &'a Option<String>,
    pub page_end: u64,
    pub themes: &'a [String],
    pub primary_theme: Option<&'a String>,
    pub highlights: &'a [(usize, usize)],
    pub version: &'a str,
    pub kind: &'a str,
    pub year: Option<u64>,
    pub matched_terms: &'a [String],
    pub found_via: &'a [FoundVia],
    /// The section's text came from OCR (a scanned page).
    pub ocr: bool,
}

impl<'a> SearchJson<'a> {
    pub fn of(query: &'a str, results: &'a SearchResults, semantic: bool) -> SearchJson<'a> {
        SearchJson {
            query,
            total: results.total,
            hits: results.hits.iter().map(SearchHitJson::of).collect(),
            all_terms_matched: results.all_words,
            semantic,
        }
    }
}

impl<'a> SearchHitJson<'a> {
    fn of(hit: &'a SearchHit) -> SearchHitJson<'a> {
        let s: &IndexedSection = &hit.section;
        SearchHitJson {
            source: &s.source,
            section: s.label(),
            heading: &s.heading,
            page: s.page_start,
            score: hit.score,
            snippet: &hit.snippet,
            url: s.link(),
            title: &s.title,
            number: &s.number,
            page_end: s.page_end,
            themes: &s.themes,
            primary_theme: s.themes.first(),
            highlights: &hit.highlights,
            version: &s.version,
            kind: &s.kind,
            year: s.year,
            matched_terms: &hit.matched,
            found_via: &hit.found_via,
            ocr: s.ocr,
        }
    }
}

/// `match --json`.
#[derive(Debug, Serialize)]
pub struct MatchJson<'a> {
    pub themes: Vec<MatchThemeJson<'a>>,
}

/// A theme of `match --json` with its sections, strongest first.
#[derive(Debug, Serialize)]
pub struct MatchThemeJson<'a> {
    pub id: &'a str,
    pub label: &'a str,
    pub sections: Vec<MatchSectionJson<'a>>,
}

/// A section of `match --json` (`matches.json` also has `ordinal`; this never had it).
#[derive(Debug, Serialize)]
pub struct MatchSectionJson<'a> {
    pub source: &'a str,
    pub section: &'a str,
    pub heading: &'a Option<String>,
    pub score: f32,
    pub evidence: &'a [String],
    pub terms: &'a [String],
    pub page: u64,
    pub version: &'a str,
    pub primary: bool,
    /// With embeddings: similarity, margin and what the meaning did (`kept`, `added`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meaning: Option<crate::themes::meaning::MeaningPart>,
}

impl<'a> MatchJson<'a> {
    pub fn of(themes: &'a [ThemeResult]) -> MatchJson<'a> {
        MatchJson {
            themes: themes
                .iter()
                .map(|t| MatchThemeJson {
                    id: &t.id,
                    label: &t.label,
                    sections: t.sections.iter().map(MatchSectionJson::of).collect(),
                })
                .collect(),
        }
    }
}

impl<'a> MatchSectionJson<'a> {
    fn of(s: &'a MatchedSection) -> MatchSectionJson<'a> {
        MatchSectionJson {
            source: &s.source,
            section: &s.section,
            heading: &s.heading,
            score: s.score,
            evidence: &s.evidence,
            terms: &s.terms,
            page: s.page,
            version: &s.version,
            primary: s.primary,
            meaning: s.meaning,
        }
    }
}

/// `match --explain SOURCE SECTION --json`.
#[derive(Debug, Serialize)]
pub struct ExplainJson<'a> {
    pub source: &'a str,
    pub section: String,
    pub heading: &'a Option<String>,
    pub themes: &'a [ThemeMatch],
}

/// `refs --json`.
#[derive(Debug, Serialize)]
pub struct RefsJson<'a> {
    pub citations: &'a [&'a CitationRecord],
    pub candidates: &'a [Candidate],
}

/// `refs --cited-by REF --json`.
#[derive(Debug, Serialize)]
pub struct CitedByJson<'a> {
    pub reference: &'a str,
    pub citations: &'a [&'a CitationRecord],
}

/// `status --json`.
#[derive(Debug, Serialize)]
pub struct StatusJson<'a> {
    pub sources: Vec<SourceStatusJson>,
    pub last_run: Option<&'a RunRecord>,
    /// The last runs, newest first.
    pub runs: Vec<&'a RunRecord>,
    /// The holder of the index lock, if a run is going on.
    pub running: Option<String>,
}

/// One source of `status --json`.
#[derive(Debug, Serialize)]
pub struct SourceStatusJson {
    pub id: String,
    pub title: String,
    pub state: SourceState,
    pub last_error: Option<String>,
    pub failed_stage: Option<String>,
    pub fetched_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub failures_since_ok: u32,
    pub sha256: Option<String>,
    pub indexed_sha256: Option<String>,
    pub versions: usize,
    pub pages: Option<u32>,
    pub sections: Option<usize>,
    pub last_good_fetch_age_secs: Option<i64>,
    /// The Norwegian phrase ("siste vellykkede henting for 3 dager siden").
    pub staleness: String,
    pub final_url: Option<String>,
    /// Where a permanent redirect says the source now lives, while sources.toml says otherwise.
    pub moved_to: Option<String>,
}

/// `changes --json`: the report, and the window it covers (`{"run":N}` or `{"since":T}`).
#[derive(Debug, Serialize)]
pub struct ChangesJson<'a> {
    pub window: RunWindow,
    #[serde(flatten)]
    pub report: &'a ChangeReport,
}

/// `sources suggest --json`: printed in field order, as it always was (not through
/// [`to_json`]).
#[derive(Debug, Serialize)]
pub struct SuggestJson<'a> {
    pub suggestions: &'a [crate::suggest::Suggestion],
}

/// The webhook's POST body: the run record (as in `last-run.json`) and the index dir.
#[derive(Debug, Serialize)]
pub struct WebhookJson<'a> {
    #[serde(flatten)]
    pub record: &'a RunRecord,
    /// Absolute, so a monitor watching several machines knows which one ran.
    pub index_dir: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::IndexedSection;

    fn section() -> IndexedSection {
        IndexedSection {
            source: "nou-demo".into(),
            title: "NOU 2099: 3 Helsefellesskap i praksis".into(),
            kind: "nou".into(),
            language: Some("nb".into()),
            url: "https://example.org/nou.pdf".into(),
            format: "pdf".into(),
            version: "ab12".into(),
            ordinal: 7,
            number: Some("3.4.1".into()),
            heading: Some("Fastlegeordningen".into()),
            level: 3,
            page_start: 12,
            page_end: 13,
            text: "Fastlegene har lange lister.".into(),
            themes: vec!["fastlegekrise".into(), "rekruttering".into()],
            refs: vec![],
            year: Some(2099),
            ocr: false,
        }
    }

    #[test]
    fn search_json_keeps_its_fields() {
        let results = SearchResults {
            total: 1,
            hits: vec![SearchHit {
                section: section(),
                score: 2.5,
                snippet: "Fastlegene har lange lister.".into(),
                highlights: vec![(0, 10)],
                matched: vec!["fastlege".into()],
                found_via: vec![],
            }],
            all_words: true,
        };
        insta::assert_snapshot!(to_json(&SearchJson::of("fastlege", &results, false)).unwrap());
    }

    #[test]
    fn match_json_keeps_its_fields() {
        let themes = vec![ThemeResult {
            id: "fastlegekrise".into(),
            label: "Fastlegekrisen".into(),
            sections: vec![MatchedSection {
                source: "nou-demo".into(),
                section: "3.4.1".into(),
                heading: Some("Fastlegeordningen".into()),
                page: 12,
                version: "ab12".into(),
                ordinal: 7,
                score: 4.0,
                terms: vec!["fastlege".into()],
                evidence: vec!["Fastlegene har lange lister.".into()],
                primary: true,
                meaning: Some(crate::themes::meaning::MeaningPart {
                    similarity: 0.874,
                    margin: 0.031,
                    verdict: crate::themes::meaning::Verdict::Kept,
                }),
            }],
        }];
        insta::assert_snapshot!(to_json(&MatchJson::of(&themes)).unwrap());
    }

    #[test]
    fn run_json_keeps_its_fields() {
        let summary = RunSummary {
            run: 3,
            failures: vec![SourceFailure {
                source: "prop-demo".into(),
                stage: crate::track::FailedStage::Fetch,
                error: "HTTP 404".into(),
            }],
            sections_indexed: 76,
            reindexed: vec!["nou-demo".into()],
            themes: vec![],
            stage_millis: BTreeMap::from([("fetch".to_string(), 48)]),
            counts: RunCounts::default(),
            total_millis: 1986,
        };
        insta::assert_snapshot!(to_json(&RunJson::of(&summary)).unwrap());
    }

    #[test]
    fn explain_refs_and_changes_json_keep_their_fields() {
        let s = section();
        let explain = ExplainJson {
            source: &s.source,
            section: s.label(),
            heading: &s.heading,
            themes: &[],
        };
        insta::assert_snapshot!("explain", to_json(&explain).unwrap());
        let refs = RefsJson {
            citations: &[],
            candidates: &[],
        };
        insta::assert_snapshot!("refs", to_json(&refs).unwrap());
        let cited = CitedByJson {
            reference: "NOU 2099: 3",
            citations: &[],
        };
        insta::assert_snapshot!("refs_cited_by", to_json(&cited).unwrap());
        let report = ChangeReport::default();
        let run = ChangesJson {
            window: RunWindow::Run(2),
            report: &report,
        };
        insta::assert_snapshot!("changes_run", to_json(&run).unwrap());
        let since = ChangesJson {
            window: RunWindow::Since(
                DateTime::parse_from_rfc3339("2026-11-01T00:00:00Z")
                    .unwrap()
                    .with_timezone(&Utc),
            ),
            report: &report,
        };
        insta::assert_snapshot!("changes_since", to_json(&since).unwrap());
    }

    #[test]
    fn status_json_keeps_its_fields() {
        let status = StatusJson {
            sources: vec![SourceStatusJson {
                id: "nou-demo".into(),
                title: "NOU 2099: 3".into(),
                state: SourceState::Failed,
                last_error: Some("fetch: HTTP 503".into()),
                failed_stage: Some("fetch".into()),
                fetched_at: None,
                last_attempt_at: None,
                failures_since_ok: 2,
                sha256: None,
                indexed_sha256: None,
                versions: 0,
                pages: None,
                sections: None,
                last_good_fetch_age_secs: None,
                staleness: "aldri hentet, 2 feil siden".into(),
                final_url: None,
                moved_to: None,
            }],
            last_run: None,
            runs: vec![],
            running: None,
        };
        insta::assert_snapshot!(to_json(&status).unwrap());
    }
}
