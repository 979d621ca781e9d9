//! What a pipeline invocation reports: the run summary and its failures (read by `output`
//! for `--json`, so they live apart from the stages).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::matches::ThemeResult;
use crate::track::RunCounts;

/// A source that failed in this run.
#[derive(Debug, Clone, Serialize)]
pub struct SourceFailure {
    pub source: String,
    pub stage: crate::track::FailedStage,
    pub error: String,
}

/// What a pipeline invocation did.
#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    pub run: u64,
    pub failures: Vec<SourceFailure>,
    pub sections_indexed: usize,
    /// Sources whose sections were (re)written to the index in this run.
    pub reindexed: Vec<String>,
    pub themes: Vec<ThemeResult>,
    pub stage_millis: BTreeMap<String, u64>,
    /// What the run changed (documents, sections, theme matches) and how the sources fared.
    pub counts: RunCounts,
    pub total_millis: u64,
}

impl RunSummary {
    pub fn all_ok(&self) -> bool {
        self.failures.is_empty()
    }
}
