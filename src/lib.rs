//! samspor keeps a Norwegian *helsefellesskap* on top of the national policy documents that
//! shape its work: it fetches the documents listed in `sources.toml`, extracts their text with
//! structure, indexes the sections for Norwegian search, matches them to agenda themes with
//! evidence, and tracks what changed. See ARCHITECTURE.md for the stages and their invariants.

pub mod brief;
pub mod cli;
pub mod config;
pub mod embed;
mod errors;
pub mod export;
pub mod extract;
pub mod fetch;
pub mod follow;
pub mod fsutil;
pub mod index;
pub mod matches;
pub mod norwegian;
pub mod notify;
pub mod output;
pub mod pipeline;
pub mod refs;
pub mod serve;
pub mod suggest;
pub mod themes;
pub mod track;
mod xml;
