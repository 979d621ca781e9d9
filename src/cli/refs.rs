//! `refs`: citations between documents, their targets, and the document graph.

use std::io::Write;

use anyhow::Result;
use clap::{Args, ValueEnum};

use super::{Outcome, Paths};
use crate::index::SectionIndex;
use crate::output::{CitedByJson, RefsJson, to_json};

#[derive(Args)]
pub(super) struct RefsArgs {
    /// Print the document graph instead: `dot` for Graphviz.
    #[arg(long, value_name = "FORMAT", value_enum)]
    graph: Option<RefsGraph>,
    /// Only citations of this reference, e.g. "Prop. 102 L (2020–2021)".
    #[arg(long, value_name = "REFERENCE", conflicts_with = "graph")]
    cited_by: Option<String>,
    #[arg(long)]
    json: bool,
}

/// `--graph`: the document graph's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RefsGraph {
    // Graphviz DOT (no doc comment: clap would switch the help to its long form).
    Dot,
}

/// `refs`: the citations between documents, from the indexed sections.
pub(super) fn run(paths: &Paths, args: &RefsArgs) -> Result<Outcome> {
    let cited_by = args.cited_by.as_deref();
    let json = args.json;
    use crate::refs::links::{self, Linker, SectionText};
    let config = paths.config()?;
    let index = SectionIndex::open(&paths.index_dir)?;
    let sections = index.all_sections()?;
    let linker = Linker::for_sources(&config.sources);
    let records = links::collect(sections.iter().map(SectionText::of), &linker);
    let mut out = std::io::stdout().lock();
    if let Some(RefsGraph::Dot) = args.graph {
        let titles = config
            .sources
            .iter()
            .map(|s| (s.id.clone(), s.title.clone()))
            .collect();
        write!(out, "{}", links::to_dot(&records, &titles))?;
        return Ok(Outcome::Ok);
    }
    let shown: Vec<&links::CitationRecord> = match cited_by {
        Some(reference) => links::cited_by(&records, reference),
        None => records.iter().collect(),
    };
    let candidates = links::candidates(&records);
    if json {
        let body = match cited_by {
            Some(reference) => to_json(&CitedByJson {
                reference,
                citations: &shown,
            })?,
            None => to_json(&RefsJson {
                citations: &shown,
                candidates: &candidates,
            })?,
        };
        writeln!(out, "{body}")?;
        return Ok(Outcome::Ok);
    }
    if let Some(reference) = cited_by {
        writeln!(out, "{} sitater av «{reference}»", shown.len())?;
    }
    for r in &shown {
        writeln!(
            out,
            "{:<24} {:<10} s. {:<4} {:<45} → {}",
            r.source,
            r.section,
            r.page,
            r.canonical,
            r.target.as_deref().unwrap_or("(ikke fulgt)")
        )?;
    }
    if cited_by.is_none() && !candidates.is_empty() {
        writeln!(
            out,
            "\nSiterte dokumenter som ikke følges (kandidater til sources.toml):"
        )?;
        for c in &candidates {
            writeln!(
                out,
                "  {:>3}× {:<45} i {}",
                c.count,
                c.document,
                c.cited_in.join(", ")
            )?;
        }
    }
    Ok(Outcome::Ok)
}
