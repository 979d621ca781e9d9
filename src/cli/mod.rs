//! The command line: clap's definitions and one file per subcommand, each printing the
//! readable Norwegian text for people or the JSON contract (types in `output`) that scripts
//! rely on. `main.rs` only parses arguments, sets up logging and calls [`dispatch`].

use std::path::PathBuf;

use anyhow::Result;
use clap::{Parser, Subcommand, ValueEnum};

use crate::config::Config;
use crate::pipeline::Stage;

mod brief;
mod changes;
mod export;
mod extract;
mod matching;
mod refs;
mod run;
mod search;
mod serve;
mod status;

use changes::SinceError;

/// Keeps a helsefellesskap on top of the national policy documents: fetch, extract, index,
/// match themes, search.
#[derive(Parser)]
#[command(name = "samspor", version, about)]
pub struct Cli {
    /// The configuration: sources to track and agenda themes.
    #[arg(
        long,
        global = true,
        default_value = "sources.toml",
        value_name = "FILE"
    )]
    sources: PathBuf,
    /// Where versions, extracted text, the index and the catalog live.
    #[arg(long, global = true, default_value = "index", value_name = "DIR")]
    index_dir: PathBuf,
    /// Log format on stderr.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// More log output (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    command: Command,
}

/// `--log-format`.
#[derive(Clone, Copy, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Run the whole pipeline: fetch, extract, index, match. Exit 3 if some sources failed.
    Run(run::StageArgs),
    /// Fetch every source (conditional requests; every version kept).
    Fetch(run::StageArgs),
    /// Extract text from fetched versions, or from one file with --file.
    Extract(extract::ExtractArgs),
    /// Index extracted sections (only changed sources are re-indexed).
    Index(run::StageArgs),
    /// Match sections to the agenda themes and list them, strongest first.
    Match(matching::MatchArgs),
    /// Search the indexed sections.
    Search(search::SearchArgs),
    /// Citations between documents (NOU, Prop., Meld. St., law paragraphs …) and their targets.
    Refs(refs::RefsArgs),
    /// Per-source state and the last run.
    Status(status::StatusArgs),
    /// A briefing note for SSU per theme: strongest sections with verbatim quotes, what is new
    /// since a date, the documents cited, and the search terms used.
    Brief(brief::BriefArgs),
    /// A local web site for searching, documents, themes, briefs and status (Ctrl-C stops it).
    Serve(serve::ServeArgs),
    /// New, changed and removed documents, changed sections with word diffs and new theme
    /// matches: of the last run, of run N, or since a date.
    Changes(changes::ChangesArgs),
    /// Every indexed section as bulk-ingest NDJSON (OpenSearch `_bulk`, Quickwit).
    Export(export::ExportArgs),
    /// Work on sources.toml: `sources suggest` drafts entries for cited, untracked documents.
    Sources {
        #[command(subcommand)]
        command: crate::suggest::SourcesCommand,
    },
}

impl Cli {
    /// Checks what clap cannot: a usage error found here exits through clap (code 2).
    pub fn validate(&self) {
        if let Command::Serve(args) = &self.command
            && let Err(err) = args.check()
        {
            use clap::CommandFactory;
            Cli::command()
                .error(clap::error::ErrorKind::ArgumentConflict, err)
                .exit();
        }
    }
}

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
pub(crate) struct Paths {
    pub(crate) sources: PathBuf,
    pub(crate) index_dir: PathBuf,
}

impl Paths {
    /// sources.toml with the documents its listings linked to at the last run.
    fn config(&self) -> Result<Config> {
        Ok(crate::follow::load_config(&self.sources, &self.index_dir)?)
    }
}

/// Runs the command the line asked for.
pub fn dispatch(cli: Cli) -> Result<Outcome> {
    let paths = Paths {
        sources: cli.sources,
        index_dir: cli.index_dir,
    };
    match cli.command {
        Command::Run(args) => run::run_stages(&paths, &Stage::ALL, "run", args.json),
        Command::Fetch(args) => run::run_stages(&paths, &[Stage::Fetch], "fetch", args.json),
        Command::Extract(args) => extract::run(&paths, args),
        Command::Index(args) => run::run_stages(&paths, &[Stage::Index], "index", args.json),
        Command::Match(args) => matching::run(&paths, &args),
        Command::Search(args) => search::run(&paths, args),
        Command::Refs(args) => refs::run(&paths, &args),
        Command::Status(args) => status::run(&paths, &args),
        Command::Brief(args) => brief::run(&paths, args),
        Command::Serve(args) => serve::run(&paths, &args),
        Command::Changes(args) => changes::run(&paths, &args),
        Command::Export(args) => export::run(&paths, &args),
        Command::Sources { command } => {
            crate::suggest::run(&paths.sources, &paths.index_dir, &command)?;
            Ok(Outcome::Ok)
        }
    }
}
