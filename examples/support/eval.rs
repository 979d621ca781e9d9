//! Shared by the evaluation examples: build an index from a corpus with the real pipeline, and
//! the exit codes of an evaluation (0 targets met or not checked, 1 missed, 2 error).

use std::process::ExitCode;

use anyhow::Result;
use samspor::config::Config;
use samspor::index::SectionIndex;
use samspor::pipeline::{Pipeline, Stage};

/// Runs every stage over the sources into a temporary index dir; fails if any source fails.
/// The directory lives as long as the returned guard.
pub fn index_corpus(config: Config) -> Result<(tempfile::TempDir, SectionIndex)> {
    let dir = tempfile::tempdir()?;
    let summary = Pipeline::new(config, dir.path()).run(&Stage::ALL, "eval")?;
    anyhow::ensure!(
        summary.failures.is_empty(),
        "sources failed: {:?}",
        summary.failures
    );
    let index = SectionIndex::open(dir.path())?;
    Ok((dir, index))
}

/// `Ok(passed)` → 0 or 1; an error → 2 with the chain on stderr.
pub fn exit(result: Result<bool>) -> ExitCode {
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
