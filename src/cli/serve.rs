//! `serve`: the web site over the index dir.

use anyhow::Result;
use clap::Args;

use super::{Outcome, Paths};

#[derive(Args)]
pub(super) struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (the address is printed on stdout).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    addr: std::net::SocketAddr,
    /// Allow a non-loopback address: the site has no login, so anyone who reaches it can
    /// read the index.
    #[arg(long)]
    allow_remote: bool,
}

impl ServeArgs {
    /// A non-loopback `--addr` without `--allow-remote`, as a usage error's message.
    pub(super) fn check(&self) -> Result<(), String> {
        crate::serve::check_addr(self.addr, self.allow_remote).map_err(|e| format!("--addr {e}"))
    }
}

/// `serve`: the web site over the index dir, until Ctrl-C or SIGTERM.
pub(super) fn run(paths: &Paths, args: &ServeArgs) -> Result<Outcome> {
    let mut options = crate::serve::ServeOptions::new(args.addr);
    options.allow_remote = args.allow_remote;
    crate::serve::run(&paths.sources, &paths.index_dir, options).map_err(|e| match e {
        // Keep the configuration error itself in the chain: it maps to exit code 2.
        crate::serve::ServeError::Config(config) => anyhow::Error::new(config),
        other => anyhow::Error::new(other),
    })?;
    Ok(Outcome::Ok)
}
