//! `search`: queries the index (by words, and by meaning when the model is installed).

use std::io::{IsTerminal, Write};

use anyhow::Result;
use clap::Args;

use super::{Outcome, Paths, UsageError};
use crate::extract::model::section_place;
use crate::index::{SearchRequest, SectionIndex};
use crate::output::{SearchJson, to_json};

#[derive(Args)]
pub(super) struct SearchArgs {
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
}

/// `search`: queries the index.
pub(super) fn run(paths: &Paths, args: SearchArgs) -> Result<Outcome> {
    // The configuration is optional for searching, but when it is there, a misspelt source or
    // theme is an error rather than an empty result.
    if let Ok(config) = paths.config() {
        if let Some(source) = &args.source
            && config.source(source).is_none()
        {
            let known: Vec<&str> = config.sources.iter().map(|s| s.id.as_str()).collect();
            return Err(UsageError(format!(
                "unknown source {source:?} (known: {})",
                known.join(", ")
            ))
            .into());
        }
        if let Some(theme) = &args.theme
            && config.theme(theme).is_none()
        {
            let known: Vec<&str> = config.themes.iter().map(|t| t.id.as_str()).collect();
            return Err(UsageError(format!(
                "unknown theme {theme:?} (known: {})",
                known.join(", ")
            ))
            .into());
        }
    }
    let index = SectionIndex::open(&paths.index_dir)?;
    let semantic = (!args.no_semantic)
        .then(|| {
            let settings = paths.config().map(|c| c.embeddings).unwrap_or_default();
            crate::embed::Semantic::load(&paths.index_dir, &settings)
        })
        .flatten();
    let request = SearchRequest {
        query: args.query.clone(),
        limit: args.limit,
        source: args.source,
        theme: args.theme,
        kind: args.kind,
        year: args.year,
        max_per_source: args.per_source,
        expand: None,
    };
    let results = crate::embed::search(&index, &request, semantic.as_ref())?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(
            out,
            "{}",
            to_json(&SearchJson::of(&args.query, &results, semantic.is_some()))?
        )?;
        return Ok(Outcome::Ok);
    }
    let color = std::io::stdout().is_terminal();
    writeln!(
        out,
        "{} treff for «{}»{}",
        results.total,
        args.query,
        if results.total > results.hits.len() {
            format!(" (viser {})", results.hits.len())
        } else {
            String::new()
        }
    )?;
    if !results.all_words {
        writeln!(out, "{}", crate::index::SOME_WORDS_MESSAGE)?;
    }
    for (rank, hit) in results.hits.iter().enumerate() {
        let s = &hit.section;
        let place = section_place(s.number.as_deref(), s.heading.as_deref());
        writeln!(out)?;
        writeln!(
            out,
            "{}. {} — {}  (s. {}, {:.2}{})",
            rank + 1,
            s.title,
            place,
            s.page_start,
            hit.score,
            if s.ocr { ", OCR" } else { "" }
        )?;
        writeln!(
            out,
            "   {}",
            highlight(&hit.snippet, &hit.highlights, color)
        )?;
        if let Some(via) = crate::index::found_via_text(&hit.found_via) {
            writeln!(out, "   {via}")?;
        }
        writeln!(out, "   {}", s.link())?;
    }
    Ok(Outcome::Ok)
}

/// Marks highlighted ranges: bold on a terminal, `**word**` elsewhere.
fn highlight(snippet: &str, ranges: &[(usize, usize)], color: bool) -> String {
    let (open, close) = if color {
        ("\x1b[1;33m", "\x1b[0m")
    } else {
        ("**", "**")
    };
    let mut out = String::with_capacity(snippet.len() + ranges.len() * 8);
    for (marked, text) in crate::index::highlight_pieces(snippet, ranges) {
        if marked {
            out.push_str(open);
            out.push_str(text);
            out.push_str(close);
        } else {
            out.push_str(text);
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_are_marked_without_a_terminal() {
        let snippet = "Fastlegene har lange lister";
        assert_eq!(
            highlight(snippet, &[(0, 10)], false),
            "**Fastlegene** har lange lister"
        );
        // Out-of-range or overlapping ranges are ignored rather than panicking.
        assert_eq!(highlight("æøå", &[(1, 2), (0, 99)], false), "æøå");
        // An empty range marks nothing (the web page always agreed; the CLI printed "****").
        assert_eq!(highlight("abc", &[(1, 1)], false), "abc");
    }
}
