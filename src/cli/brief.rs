//! `brief`: a briefing note per theme from the stored matches, index and catalog.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use super::{Outcome, Paths, UsageError};

#[derive(Args)]
pub(super) struct BriefArgs {
    /// Theme ids, comma-separated (see [[theme]] in sources.toml).
    #[arg(
        long,
        value_name = "ID[,ID…]",
        value_delimiter = ',',
        required_unless_present = "all_themes",
        conflicts_with = "all_themes"
    )]
    theme: Vec<String>,
    /// Every theme in sources.toml, in its order.
    #[arg(long)]
    all_themes: bool,
    /// "Nytt siden sist": sections new or changed since this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    since: Option<chrono::NaiveDate>,
    /// Sections per theme under "Hovedfunn".
    #[arg(long, value_name = "N", default_value_t = 5)]
    top: usize,
    #[arg(long, value_name = "FORMAT", value_enum, default_value_t = crate::brief::BriefFormat::Markdown)]
    format: crate::brief::BriefFormat,
    /// Write to this file (needed for docx); otherwise standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// The date printed on the brief (YYYY-MM-DD; default today), for reproducible notes.
    #[arg(long, value_name = "DATE")]
    date: Option<chrono::NaiveDate>,
}

/// `brief`: renders a briefing note from the stored matches, index and catalog.
pub(super) fn run(paths: &Paths, args: BriefArgs) -> Result<Outcome> {
    use crate::brief::{BriefError, BriefFormat, BriefRequest, generate};
    let config = paths.config()?;
    let format = args.format;
    if format == BriefFormat::Docx && args.out.is_none() {
        return Err(UsageError("--format docx needs --out FILE".into()).into());
    }
    let request = BriefRequest {
        // Empty means every theme.
        themes: if args.all_themes {
            Vec::new()
        } else {
            args.theme
        },
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
