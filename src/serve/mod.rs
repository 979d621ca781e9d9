//! `samspor serve`: a small web site over the index dir for people who do not use a terminal.
//!
//! Server-rendered HTML (axum + maud, no front-end build), Norwegian labels. Pages: search with
//! filters (`/`, `/sok`), documents and their sections (`/dokument/…`), themes (`/tema/…`),
//! "Lag notat" (`/notat`) and the pipeline's status (`/status`).
//!
//! The server only reads the index dir. It never takes the index-dir lock, so the nightly
//! `samspor run` proceeds while it serves; a background task reloads the tantivy reader (and
//! the configuration, when its file changed) every few seconds, so a new commit shows up
//! without a restart. Searches and page data run on tokio's blocking pool behind a semaphore,
//! with a time limit.
//!
//! Architecture invariant: `serve` never writes to the index dir and never takes its lock; it
//! knows the catalog only through `data::read_catalog` and the index only through
//! `SectionIndex`'s public API. Every piece of document text and user input reaches the page
//! through maud's escaping (no `PreEscaped` on anything but our own constant markup).

mod data;
mod error;
mod handlers;
mod pages;
mod security;
mod state;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::Router;
use axum::routing::get;

pub use state::AppState;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Where to listen; port 0 picks a free port (printed on stdout).
    pub addr: SocketAddr,
    /// Allow a non-loopback address: the site has no login, so anyone who can reach it can
    /// read the index.
    pub allow_remote: bool,
    /// How often the index reader and the configuration are refreshed.
    pub refresh: Duration,
}

impl ServeOptions {
    pub fn new(addr: SocketAddr) -> ServeOptions {
        ServeOptions {
            addr,
            allow_remote: false,
            refresh: Duration::from_secs(2),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "{0} is not a loopback address: the site has no login, so pass --allow-remote to serve it to the network"
    )]
    NotLoopback(SocketAddr),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("server: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
}

/// The site's routes over a shared state (also used by tests that drive the router directly).
pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(handlers::home))
        .route("/sok", get(handlers::search))
        .route("/dokument", get(handlers::documents))
        .route("/dokument/{id}", get(handlers::document))
        .route("/dokument/{id}/{ordinal}", get(handlers::section))
        .route("/tema", get(handlers::themes))
        .route("/tema/{id}", get(handlers::theme))
        .route("/notat", get(handlers::brief_form))
        .route("/notat/last-ned", get(handlers::brief_download))
        .route("/status", get(handlers::status))
        .route("/helse", get(handlers::health))
        .route("/static/style.css", get(handlers::stylesheet))
        .route("/static/app.js", get(handlers::script))
        .route("/static/favicon.svg", get(handlers::favicon))
        .fallback(handlers::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::guard,
        ))
        .with_state(state)
}

/// A non-loopback address needs `allow_remote`: the one check, for the CLI and [`run`].
pub(crate) fn check_addr(addr: SocketAddr, allow_remote: bool) -> Result<(), ServeError> {
    if addr.ip().is_loopback() || allow_remote {
        Ok(())
    } else {
        Err(ServeError::NotLoopback(addr))
    }
}

/// Runs the server until Ctrl-C or SIGTERM. Prints `Lytter på http://ADDR/` on stdout once
/// it listens (tests and scripts read the port from there).
pub fn run(config_path: &Path, index_dir: &Path, options: ServeOptions) -> Result<(), ServeError> {
    check_addr(options.addr, options.allow_remote)?;
    if !options.addr.ip().is_loopback() {
        tracing::warn!(
            addr = %options.addr,
            "serving to the network without a login: anyone who reaches this address can read the index"
        );
    }
    let state = AppState::load(
        config_path.to_path_buf(),
        PathBuf::from(index_dir),
        options.addr.ip().is_loopback(),
    )?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("samspor-serve")
        .build()?;
    runtime.block_on(serve(state, options))
}

async fn serve(state: AppState, options: ServeOptions) -> Result<(), ServeError> {
    let listener = tokio::net::TcpListener::bind(options.addr)
        .await
        .map_err(|source| ServeError::Bind {
            addr: options.addr,
            source,
        })?;
    let bound = listener.local_addr()?;
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        writeln!(out, "Lytter på http://{bound}/ (Ctrl-C avslutter)")?;
        out.flush()?;
    }
    tracing::info!(addr = %bound, index_dir = %state.index_dir().display(), "serving");
    let refresher = tokio::spawn(state.clone().refresh_forever(options.refresh));
    let app = router(state);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    refresher.abort();
    tracing::info!("server stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM: in-flight requests finish, then the server stops.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::warn!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
