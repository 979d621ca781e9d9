//! `extract`: the extract stage, or one file with `--file`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;

use super::{Outcome, Paths};
use crate::extract::{ExtractOptions, extract_file};
use crate::pipeline::Stage;

#[derive(Args)]
pub(super) struct ExtractArgs {
    /// Extract this file only (PDF or HTML); needs no configuration or index.
    #[arg(long, value_name = "PATH")]
    file: Option<PathBuf>,
    /// CSS selector of an HTML file's main content (with --file).
    #[arg(long, requires = "file")]
    selector: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub(super) fn run(paths: &Paths, args: ExtractArgs) -> Result<Outcome> {
    match args.file {
        Some(file) => extract_one(&file, args.selector, args.json),
        None => super::run::run_stages(paths, &[Stage::Extract], "extract", args.json),
    }
}

/// `extract --file PATH`: one file, no configuration or index.
fn extract_one(path: &Path, selector: Option<String>, json: bool) -> Result<Outcome> {
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
