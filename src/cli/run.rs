//! `run`, `fetch`, `index` (and `extract` without `--file`): stages of the pipeline.

use std::io::Write;

use anyhow::Result;
use clap::Args;

use super::{Outcome, Paths};
use crate::output::{RunJson, to_json};
use crate::pipeline::{Pipeline, RunSummary, Stage};

/// Options of the commands that run stages.
#[derive(Args)]
pub(super) struct StageArgs {
    /// Print the run summary as JSON.
    #[arg(long)]
    pub(super) json: bool,
}

/// Runs stages of the pipeline; `run` is all of them.
pub(super) fn run_stages(
    paths: &Paths,
    stages: &[Stage],
    command: &str,
    json: bool,
) -> Result<Outcome> {
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
