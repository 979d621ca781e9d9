//! The `samspor` binary: parses the command line and calls the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use samspor::commands::{self, Outcome, Paths, SearchArgs};
use samspor::pipeline::Stage;

/// Keeps a helsefellesskap on top of the national policy documents: fetch, extract, index,
/// match themes, search.
#[derive(Parser)]
#[command(name = "samspor", version, about)]
struct Cli {
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
    log_format: LogFormat,
    /// More log output (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Run the whole pipeline: fetch, extract, index, match. Exit 3 if some sources failed.
    Run {
        /// Print the run summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Fetch every source (conditional requests; every version kept).
    Fetch {
        #[arg(long)]
        json: bool,
    },
    /// Extract text from fetched versions, or from one file with --file.
    Extract {
        /// Extract this file only (PDF or HTML); needs no configuration or index.
        #[arg(long, value_name = "PATH")]
        file: Option<PathBuf>,
        /// CSS selector of an HTML file's main content (with --file).
        #[arg(long, requires = "file")]
        selector: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Index extracted sections (only changed sources are re-indexed).
    Index {
        #[arg(long)]
        json: bool,
    },
    /// Match sections to the agenda themes and list them, strongest first.
    Match {
        /// Show the parts of the score of one section: SOURCE SECTION (number or heading).
        #[arg(long, num_args = 2, value_names = ["SOURCE", "SECTION"])]
        explain: Option<Vec<String>>,
        #[arg(long)]
        json: bool,
    },
    /// Search the indexed sections.
    Search {
        /// Words are all required. Also: a OR b, -word (or NOT word), (groups), "a phrase",
        /// "exactform", prefix*, source:ID kind:nou theme:ID year:2023 (or 2020..2023), and
        /// references in any spelling: "NOU 2023:4", "prop 102 l", "§ 6-2".
        query: String,
        /// Maximum number of hits.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Only this source (its id in sources.toml).
        #[arg(long, value_name = "ID")]
        source: Option<String>,
        /// Only sections matched to this theme.
        #[arg(long, value_name = "ID")]
        theme: Option<String>,
        /// Only documents of this kind (nou, prop, meld, avtale, horing, …).
        #[arg(long, value_name = "KIND")]
        kind: Option<String>,
        /// Only documents from this year.
        #[arg(long, value_name = "YEAR")]
        year: Option<u32>,
        /// At most N hits from one document before the others get a place (default 3; 0: off).
        #[arg(long, value_name = "N")]
        per_source: Option<usize>,
        #[arg(long)]
        json: bool,
        /// By words only: no search by meaning, even when the embedding model is installed.
        #[arg(long)]
        no_semantic: bool,
    },
    /// Citations between documents (NOU, Prop., Meld. St., law paragraphs …) and their targets.
    Refs {
        /// Print the document graph instead: `dot` for Graphviz.
        #[arg(long, value_name = "FORMAT", value_parser = ["dot"])]
        graph: Option<String>,
        /// Only citations of this reference, e.g. "Prop. 102 L (2020–2021)".
        #[arg(long, value_name = "REFERENCE", conflicts_with = "graph")]
        cited_by: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Per-source state and the last run.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// A briefing note for SSU per theme: strongest sections with verbatim quotes, what is new
    /// since a date, the documents cited, and the search terms used.
    Brief {
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
        #[arg(long, value_name = "FORMAT", default_value = "md", value_parser = ["md", "html", "docx"])]
        format: String,
        /// Write to this file (needed for docx); otherwise standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// The date printed on the brief (YYYY-MM-DD; default today), for reproducible notes.
        #[arg(long, value_name = "DATE")]
        date: Option<chrono::NaiveDate>,
    },
    /// A local web site for searching, documents, themes, briefs and status (Ctrl-C stops it).
    Serve {
        /// Address to listen on; port 0 picks a free port (the address is printed on stdout).
        #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
        addr: std::net::SocketAddr,
        /// Allow a non-loopback address: the site has no login, so anyone who reaches it can
        /// read the index.
        #[arg(long)]
        allow_remote: bool,
    },
    /// New, changed and removed documents, changed sections with word diffs and new theme
    /// matches: of the last run, of run N, or since a date.
    Changes {
        /// Everything fetched since this date (YYYY-MM-DD, local midnight) or RFC 3339 time.
        #[arg(long, value_name = "DATE", value_parser = parse_since, conflicts_with = "run")]
        since: Option<chrono::DateTime<chrono::Utc>>,
        /// What run N found.
        #[arg(long, value_name = "N")]
        run: Option<u64>,
        #[arg(long)]
        json: bool,
    },
    /// Every indexed section as bulk-ingest NDJSON (OpenSearch `_bulk`, Quickwit).
    Export {
        /// Output format.
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Write to this file (atomically) instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// The target index named in each action line.
        #[arg(long, value_name = "NAME", default_value = samspor::export::DEFAULT_INDEX_NAME)]
        index_name: String,
    },
    /// Work on sources.toml: `sources suggest` drafts entries for cited, untracked documents.
    Sources {
        #[command(subcommand)]
        command: samspor::suggest::SourcesCommand,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    /// Action and document line per section, as `_bulk` takes them.
    Ndjson,
}

fn parse_since(text: &str) -> Result<chrono::DateTime<chrono::Utc>, commands::SinceError> {
    commands::parse_since(text)
}

fn init_logging(format: LogFormat, verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("samspor={default},error")));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.with_target(false).init(),
        LogFormat::Json => builder.json().init(),
    }
}

fn dispatch(cli: Cli) -> anyhow::Result<Outcome> {
    let paths = Paths {
        sources: cli.sources,
        index_dir: cli.index_dir,
    };
    match cli.command {
        Command::Run { json } => commands::run_stages(&paths, &Stage::ALL, "run", json),
        Command::Fetch { json } => commands::run_stages(&paths, &[Stage::Fetch], "fetch", json),
        Command::Extract {
            file: Some(file),
            selector,
            json,
        } => commands::extract_one(&file, selector, json),
        Command::Extract {
            file: None, json, ..
        } => commands::run_stages(&paths, &[Stage::Extract], "extract", json),
        Command::Index { json } => commands::run_stages(&paths, &[Stage::Index], "index", json),
        Command::Match {
            explain: Some(args),
            json,
        } => commands::explain(&paths, &args[0], &args[1], json),
        Command::Match {
            explain: None,
            json,
        } => commands::match_themes(&paths, json),
        Command::Search {
            query,
            limit,
            source,
            theme,
            kind,
            year,
            per_source,
            json,
            no_semantic,
        } => commands::search(
            &paths,
            SearchArgs {
                query,
                limit,
                source,
                theme,
                kind,
                year,
                per_source,
                json,
                no_semantic,
            },
        ),
        Command::Refs {
            graph,
            cited_by,
            json,
        } => {
            let view = if graph.is_some() {
                commands::RefsView::Dot
            } else {
                commands::RefsView::List
            };
            commands::refs(&paths, view, cited_by.as_deref(), json)
        }
        Command::Status { json } => commands::status(&paths, json),
        Command::Brief {
            theme,
            all_themes: _,
            since,
            top,
            format,
            out,
            date,
        } => commands::brief(
            &paths,
            commands::BriefArgs {
                themes: theme,
                since,
                top,
                format,
                out,
                date,
            },
        ),
        Command::Serve { addr, allow_remote } => commands::serve(&paths, addr, allow_remote),
        Command::Changes { since, run, json } => {
            use samspor::track::db::RunWindow;
            let window = match (since, run) {
                (Some(since), _) => Some(RunWindow::Since(since)),
                (None, Some(run)) => Some(RunWindow::Run(run)),
                (None, None) => None,
            };
            commands::changes(&paths, window, json)
        }
        Command::Export {
            format: ExportFormat::Ndjson,
            out,
            index_name,
        } => commands::export_ndjson(&paths, out.as_deref(), &index_name),
        Command::Sources { command } => {
            samspor::suggest::run(&paths.sources, &paths.index_dir, &command)?;
            Ok(Outcome::Ok)
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Serve {
        addr,
        allow_remote: false,
    } = &cli.command
        && !addr.ip().is_loopback()
    {
        use clap::CommandFactory;
        Cli::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                format!(
                    "--addr {addr} is not a loopback address; the site has no login, so add --allow-remote to serve it to the network"
                ),
            )
            .exit();
    }
    init_logging(cli.log_format, cli.verbose);
    match dispatch(cli) {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::SomeSourcesFailed) => ExitCode::from(3),
        Err(err) => {
            // `samspor search x | head` closing the pipe is not an error.
            if err.chain().any(|cause| {
                cause
                    .downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {err:#}");
            ExitCode::from(commands::exit_code(&err))
        }
    }
}
