//! Evaluates search against the judged query set, side by side with a baseline.
//!
//! Usage: `cargo run --release --example search_eval -- [--sources eval/sources.toml]
//!         [--queries eval/queries.toml] [--per-source N] [--verbose] [--json] [--check]`
//!
//! Builds a samspor index from the sources (the real pipeline, into a temporary directory),
//! then runs every judged query through
//! - **samspor**: `SectionIndex::search` (Norwegian analysis, compounds, folding, references,
//!   the query language), 10 hits;
//! - **baseline**: the same sections in a tantivy index with tantivy's default tokenizer
//!   (lowercase, no stemming, no stop words) and tantivy's `QueryParser` with its defaults,
//!   over heading, body and title, with the same source/kind/theme/year fields so field
//!   queries are comparable; 10 hits.
//!
//! Prints nDCG@10 (gain 2^grade − 1) and recall@10 (grade ≥ 1) per query, per kind and overall.
//! `--check` exits with status 1 unless samspor's mean nDCG@10 ≥ 0.85 and ≥ baseline + 0.15.

#[path = "support/eval.rs"]
mod support;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use samspor::config::Config;
use samspor::index::{IndexedSection, SearchRequest};
use serde::Deserialize;
use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::{INDEXED, STORED, STRING, Schema, TEXT, Value};
use tantivy::{Index, TantivyDocument, doc};

#[derive(Deserialize)]
struct QueryFile {
    query: Vec<Judged>,
}

#[derive(Deserialize)]
struct Judged {
    id: String,
    text: String,
    kind: String,
    #[serde(default)]
    relevant: Vec<Relevant>,
}

#[derive(Deserialize)]
struct Relevant {
    source: String,
    section: String,
    grade: u8,
}

struct Scores {
    ndcg: f64,
    recall: f64,
}

fn ndcg_recall(ranked: &[(String, String)], judged: &HashMap<(String, String), u8>) -> Scores {
    let gain = |g: u8| f64::from((1u32 << g) - 1);
    let dcg: f64 = ranked
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, key)| gain(*judged.get(key).unwrap_or(&0)) / ((i + 2) as f64).log2())
        .sum();
    let mut ideal: Vec<u8> = judged.values().copied().filter(|g| *g > 0).collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, g)| gain(*g) / ((i + 2) as f64).log2())
        .sum();
    let relevant = judged.values().filter(|g| **g > 0).count();
    let found = ranked
        .iter()
        .take(10)
        .filter(|key| judged.get(*key).copied().unwrap_or(0) > 0)
        .count();
    Scores {
        ndcg: if idcg > 0.0 { dcg / idcg } else { 0.0 },
        recall: if relevant > 0 {
            found as f64 / relevant as f64
        } else {
            0.0
        },
    }
}

/// The baseline: tantivy defaults over the same sections.
struct Baseline {
    index: Index,
    parser: QueryParser,
    source: tantivy::schema::Field,
    label: tantivy::schema::Field,
}

impl Baseline {
    fn build(sections: &[IndexedSection]) -> Result<Baseline> {
        let mut builder = Schema::builder();
        let heading = builder.add_text_field("heading", TEXT);
        let body = builder.add_text_field("body", TEXT);
        let title = builder.add_text_field("title", TEXT);
        let source = builder.add_text_field("source", STRING | STORED);
        let label = builder.add_text_field("label", STORED);
        let kind = builder.add_text_field("kind", STRING);
        let theme = builder.add_text_field("theme", STRING);
        let year = builder.add_u64_field("year", INDEXED);
        let index = Index::create_in_ram(builder.build());
        let mut writer = index.writer(50_000_000)?;
        for s in sections {
            let mut d = doc!(
                heading => s.heading.clone().unwrap_or_default(),
                body => s.text.clone(),
                title => s.title.clone(),
                source => s.source.clone(),
                label => s.label(),
                kind => s.kind.clone(),
            );
            for t in &s.themes {
                d.add_text(theme, t);
            }
            if let Some(y) = s.year {
                d.add_u64(year, y);
            }
            writer.add_document(d)?;
        }
        writer.commit()?;
        let parser = QueryParser::for_index(&index, vec![heading, body, title]);
        Ok(Baseline {
            index,
            parser,
            source,
            label,
        })
    }

    fn search(&self, query: &str) -> Vec<(String, String)> {
        // The baseline has the same field names, so `kind:prop` means the same to both.
        let Ok(parsed) = self.parser.parse_query(query) else {
            return Vec::new();
        };
        let Ok(reader) = self.index.reader() else {
            return Vec::new();
        };
        let searcher = reader.searcher();
        let Ok(top) = searcher.search(&parsed, &TopDocs::with_limit(10).order_by_score()) else {
            return Vec::new();
        };
        top.into_iter()
            .filter_map(|(_, address)| {
                let d: TantivyDocument = searcher.doc(address).ok()?;
                let text = |f| d.get_first(f).and_then(|v| v.as_str()).map(str::to_string);
                Some((text(self.source)?, text(self.label)?))
            })
            .collect()
    }
}

fn main() -> ExitCode {
    support::exit(run())
}

fn run() -> Result<bool> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut sources = root.join("eval/sources.toml");
    let mut queries = root.join("eval/queries.toml");
    let (mut verbose, mut json, mut check) = (false, false, false);
    let mut per_source: Option<usize> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--sources" => sources = args.next().context("--sources needs a path")?.into(),
            "--queries" => queries = args.next().context("--queries needs a path")?.into(),
            "--verbose" => verbose = true,
            "--per-source" => {
                per_source = Some(args.next().context("--per-source N")?.parse()?);
            }
            "--json" => json = true,
            "--check" => check = true,
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    let config = Config::load(&sources)?;
    let (_dir, index) = support::index_corpus(config)?;
    let sections = index.all_sections()?;
    let baseline = Baseline::build(&sections)?;

    let text = std::fs::read_to_string(&queries)
        .with_context(|| format!("{}: cannot read", queries.display()))?;
    let file: QueryFile =
        toml::from_str(&text).with_context(|| format!("{}: invalid", queries.display()))?;

    // Every judged section must exist, or the figures mean nothing.
    let labels: std::collections::HashSet<(String, String)> = sections
        .iter()
        .map(|s| (s.source.clone(), s.label()))
        .collect();
    for q in &file.query {
        for r in &q.relevant {
            anyhow::ensure!(
                labels.contains(&(r.source.clone(), r.section.clone())),
                "{}: judged section {} {:?} is not in the index",
                q.id,
                r.source,
                r.section
            );
        }
    }

    let mut by_kind: BTreeMap<String, Vec<(f64, f64, f64, f64)>> = BTreeMap::new();
    let mut rows = Vec::new();
    for q in &file.query {
        let judged: HashMap<(String, String), u8> = q
            .relevant
            .iter()
            .map(|r| ((r.source.clone(), r.section.clone()), r.grade))
            .collect();
        let ours: Vec<(String, String)> = match index.search(&SearchRequest {
            query: q.text.clone(),
            limit: 10,
            max_per_source: per_source,
            ..SearchRequest::default()
        }) {
            Ok(results) => results
                .hits
                .iter()
                .map(|h| (h.section.source.clone(), h.section.label()))
                .collect(),
            Err(e) => {
                eprintln!("{}: {e}", q.id);
                Vec::new()
            }
        };
        let theirs = baseline.search(&q.text);
        let a = ndcg_recall(&ours, &judged);
        let b = ndcg_recall(&theirs, &judged);
        if verbose && a.ndcg < 0.85 {
            eprintln!(
                "\n{} {:?} nDCG {:.3} recall {:.3}",
                q.id, q.text, a.ndcg, a.recall
            );
            for (i, key) in ours.iter().enumerate() {
                eprintln!(
                    "   {:2}. [{}] {} {}",
                    i + 1,
                    judged.get(key).copied().unwrap_or(0),
                    key.0,
                    key.1
                );
            }
            let missing: Vec<_> = judged
                .iter()
                .filter(|(k, g)| **g > 0 && !ours.contains(k))
                .collect();
            eprintln!("   missing: {missing:?}");
        }
        by_kind
            .entry(q.kind.clone())
            .or_default()
            .push((a.ndcg, a.recall, b.ndcg, b.recall));
        rows.push((q, a, b));
    }

    let mean = |values: &[f64]| values.iter().sum::<f64>() / values.len().max(1) as f64;
    let all: Vec<(f64, f64, f64, f64)> = by_kind.values().flatten().copied().collect();
    let col = |v: &[(f64, f64, f64, f64)], i: usize| -> f64 {
        mean(
            &v.iter()
                .map(|t| [t.0, t.1, t.2, t.3][i])
                .collect::<Vec<_>>(),
        )
    };
    let (ours_ndcg, ours_recall, base_ndcg, base_recall) =
        (col(&all, 0), col(&all, 1), col(&all, 2), col(&all, 3));
    let passed = ours_ndcg >= 0.85 && ours_ndcg >= base_ndcg + 0.15;

    if json {
        let kinds: BTreeMap<&String, serde_json::Value> = by_kind
            .iter()
            .map(|(k, v)| {
                (
                    k,
                    serde_json::json!({
                        "queries": v.len(),
                        "samspor": {"ndcg10": col(v, 0), "recall10": col(v, 1)},
                        "baseline": {"ndcg10": col(v, 2), "recall10": col(v, 3)},
                    }),
                )
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "queries": all.len(),
                "sections": sections.len(),
                "samspor": {"ndcg10": ours_ndcg, "recall10": ours_recall},
                "baseline": {"ndcg10": base_ndcg, "recall10": base_recall},
                "kinds": kinds,
            }))?
        );
    } else {
        println!(
            "{:<6} {:<34} {:<10} {:>8} {:>8} {:>8} {:>8}",
            "id", "query", "kind", "nDCG", "recall", "base", "b.rec"
        );
        for (q, a, b) in &rows {
            let text: String = q.text.chars().take(34).collect();
            println!(
                "{:<6} {:<34} {:<10} {:>8.3} {:>8.3} {:>8.3} {:>8.3}",
                q.id, text, q.kind, a.ndcg, a.recall, b.ndcg, b.recall
            );
        }
        println!();
        println!(
            "{:<12} {:>7} {:>10} {:>10} {:>10} {:>10}",
            "kind", "queries", "nDCG@10", "recall@10", "base nDCG", "base rec."
        );
        for (kind, v) in &by_kind {
            println!(
                "{:<12} {:>7} {:>10.3} {:>10.3} {:>10.3} {:>10.3}",
                kind,
                v.len(),
                col(v, 0),
                col(v, 1),
                col(v, 2),
                col(v, 3)
            );
        }
        println!(
            "{:<12} {:>7} {:>10.3} {:>10.3} {:>10.3} {:>10.3}",
            "ALL",
            all.len(),
            ours_ndcg,
            ours_recall,
            base_ndcg,
            base_recall
        );
        println!(
            "\n{} sections; samspor − baseline nDCG@10 = {:+.3}; targets (≥ 0.85, ≥ +0.15): {}",
            sections.len(),
            ours_ndcg - base_ndcg,
            if passed { "met" } else { "NOT met" }
        );
    }
    Ok(!check || passed)
}
