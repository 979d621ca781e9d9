//! `export`: every indexed section as bulk-ingest NDJSON.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};

use super::{Outcome, Paths};

#[derive(Args)]
pub(super) struct ExportArgs {
    /// Output format.
    #[arg(long, value_enum)]
    format: ExportFormat,
    /// Write to this file (atomically) instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// The target index named in each action line.
    #[arg(long, value_name = "NAME", default_value = crate::export::DEFAULT_INDEX_NAME)]
    index_name: String,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    /// Action and document line per section, as `_bulk` takes them.
    Ndjson,
}

/// `export --format ndjson`: every indexed section as bulk NDJSON, to a file or stdout.
pub(super) fn run(paths: &Paths, args: &ExportArgs) -> Result<Outcome> {
    let ExportFormat::Ndjson = args.format;
    let out_file = args.out.as_deref();
    let index_name = args.index_name.as_str();
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
