//! Evaluates search against a judged query set, side by side with two free baselines.
//!
//! Usage: `cargo run --release --example search_eval -- [--sources eval/sources.toml]
//!         [--queries eval/queries.toml] [--per-source N] [--expand none|thesaurus|themes|both]
//!         [--compare-expansions] [--verbose] [--json] [--check]`
//!
//! Any `sources.toml` with a judged query file in the format of `eval/queries.toml` works
//! (`--sources eval/v2/sources.toml --queries eval/v2/queries-dev.toml`).
//!
//! Builds a samspor index from the sources (the real pipeline, into a temporary directory),
//! then runs every judged query through
//! - **samspor**: `SectionIndex::search` (Norwegian analysis, compounds, folding, references,
//!   the query language), 10 hits;
//! - **baseline**: the same sections in a tantivy index with tantivy's default tokenizer
//!   (lowercase, no stemming, no stop words) and tantivy's `QueryParser` with its defaults,
//!   over heading, body and title, with the same source/kind/theme/year fields so field
//!   queries are comparable; 10 hits;
//! - **stock Norwegian** (`nb`): what a search engine's stock `norwegian` analyzer does
//!   (OpenSearch's): lowercase, Snowball Norwegian stop words, Snowball Norwegian stemmer, BM25,
//!   any word may match (OR), over the same fields; tantivy's `QueryParser` parsing leniently
//!   (what it cannot parse, e.g. `NOU 2023:4`, is read as words); 10 hits.
//!
//! Prints nDCG@10 (gain 2^grade − 1) and recall@10 (grade ≥ 1) per query, per kind and overall,
//! and the queries with judged relevant sections that return no hit at all (zero-hit queries).
//! `--expand` picks samspor's query expansion (default: what search uses);
//! `--compare-expansions` prints the overall figures of every expansion choice.
//! `--semantic` adds search by meaning (the installed model, `scripts/install-embeddings.sh`):
//! the samspor column is then the hybrid search `samspor search` does; `--compare-semantic`
//! prints lexical, dense-only and hybrid variants side by side (vectors are cached in
//! `--vector-cache FILE`, default `$TMPDIR/samspor-eval-vectors.bin`, so a second run embeds
//! nothing).
//! `--passages` (implies `--semantic`) also embeds each section's passage windows and scores a
//! section by its best passage too (`embed::passages`; passage weight 1, or as set by
//! `SAMSPOR_EVAL_FUSION="passage=0.5"`, which overrides any fusion constant: see
//! `fusion_from_env`).
//! `--check` exits with status 1 unless samspor's mean nDCG@10 ≥ 0.85 and ≥ baseline + 0.15,
//! and no query with relevant sections returns nothing.

#[path = "support/eval.rs"]
mod support;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use samspor::config::Config;
use samspor::embed::hybrid::{DEFAULT_FUSION, Fusion};
use samspor::embed::{Semantic, store};
use samspor::index::{Expand, IndexedSection, SearchRequest, SectionIndex};
use serde::Deserialize;
use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::{
    INDEXED, IndexRecordOption, STORED, STRING, Schema, TEXT, TextFieldIndexing, TextOptions, Value,
};
use tantivy::tokenizer::{
    Language, LowerCaser, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer,
};
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
        .sum::<f64>()
        + 0.0; // an empty sum is -0.0
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

/// A baseline: tantivy's default tokenizer, or the stock Norwegian analyzer, over the same
/// sections.
struct Baseline {
    index: Index,
    parser: QueryParser,
    source: tantivy::schema::Field,
    label: tantivy::schema::Field,
    /// Parse leniently (the stock Norwegian baseline).
    lenient: bool,
}

/// Name of the stock Norwegian analyzer in the baseline index.
const STOCK_NB: &str = "stock_nb";

/// Lowercase, Snowball Norwegian stop words and stemmer: Lucene's/OpenSearch's `norwegian`.
fn stock_norwegian() -> Result<TextAnalyzer> {
    Ok(TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(LowerCaser)
        .filter(StopWordFilter::new(Language::Norwegian).context("Norwegian stop words")?)
        .filter(Stemmer::new(Language::Norwegian))
        .build())
}

impl Baseline {
    fn build(sections: &[IndexedSection], norwegian: bool) -> Result<Baseline> {
        let mut builder = Schema::builder();
        let text = if norwegian {
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(STOCK_NB)
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            )
        } else {
            TEXT
        };
        let heading = builder.add_text_field("heading", text.clone());
        let body = builder.add_text_field("body", text.clone());
        let title = builder.add_text_field("title", text);
        let source = builder.add_text_field("source", STRING | STORED);
        let label = builder.add_text_field("label", STORED);
        let kind = builder.add_text_field("kind", STRING);
        let theme = builder.add_text_field("theme", STRING);
        let year = builder.add_u64_field("year", INDEXED);
        let index = Index::create_in_ram(builder.build());
        index.tokenizers().register(STOCK_NB, stock_norwegian()?);
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
            lenient: norwegian,
        })
    }

    fn search(&self, query: &str) -> Vec<(String, String)> {
        // The baseline has the same field names, so `kind:prop` means the same to both.
        let parsed = if self.lenient {
            self.parser.parse_query_lenient(query).0
        } else {
            let Ok(parsed) = self.parser.parse_query(query) else {
                return Vec::new();
            };
            parsed
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

/// The expansion choices `--compare-expansions` measures.
const EXPANSIONS: [(&str, Expand); 4] = [
    (
        "none",
        Expand {
            thesaurus: false,
            themes: false,
        },
    ),
    (
        "thesaurus",
        Expand {
            thesaurus: true,
            themes: false,
        },
    ),
    (
        "themes",
        Expand {
            thesaurus: false,
            themes: true,
        },
    ),
    (
        "both",
        Expand {
            thesaurus: true,
            themes: true,
        },
    ),
];

fn samspor_search(
    index: &SectionIndex,
    q: &Judged,
    per_source: Option<usize>,
    expand: Option<Expand>,
    semantic: Option<&Semantic>,
) -> Vec<(String, String)> {
    let request = SearchRequest {
        query: q.text.clone(),
        limit: 10,
        max_per_source: per_source,
        expand,
        ..SearchRequest::default()
    };
    match samspor::embed::search(index, &request, semantic) {
        Ok(results) => results
            .hits
            .iter()
            .map(|h| (h.section.source.clone(), h.section.label()))
            .collect(),
        Err(e) => {
            eprintln!("{}: {e}", q.id);
            Vec::new()
        }
    }
}

fn judged_of(q: &Judged) -> HashMap<(String, String), u8> {
    q.relevant
        .iter()
        .map(|r| ((r.source.clone(), r.section.clone()), r.grade))
        .collect()
}

/// The systems compared, in column order.
const SYSTEMS: [&str; 3] = ["samspor", "baseline", "stock_nb"];

/// `SAMSPOR_EVAL_FUSION="k=10,dense=0.75,weak=1.5,depth=50,feedback=3,beta=0.5,passage=1"`
/// overrides the fusion constants (for tuning on the dev sets without a rebuild).
fn fusion_from_env(mut fusion: Fusion) -> Result<Fusion> {
    let Ok(spec) = std::env::var("SAMSPOR_EVAL_FUSION") else {
        return Ok(fusion);
    };
    for part in spec.split(',').filter(|p| !p.trim().is_empty()) {
        let (name, value) = part
            .split_once('=')
            .context("SAMSPOR_EVAL_FUSION: name=value")?;
        let value: f32 = value.trim().parse()?;
        match name.trim() {
            "k" => fusion.k = value,
            "dense" => fusion.dense_weight = value,
            "weak" => fusion.weak_dense_weight = value,
            "depth" => fusion.depth = value as usize,
            "feedback" => fusion.feedback = value as usize,
            "beta" => fusion.feedback_weight = value,
            "passage" => fusion.passage_weight = value,
            "gap" => fusion.max_gap = value,
            other => anyhow::bail!("SAMSPOR_EVAL_FUSION: unknown {other}"),
        }
    }
    eprintln!("fusion: {fusion:?}");
    Ok(fusion)
}

fn run() -> Result<bool> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut sources = root.join("eval/sources.toml");
    let mut queries = root.join("eval/queries.toml");
    let (mut verbose, mut json, mut check, mut compare) = (false, false, false, false);
    let (mut semantic_on, mut compare_semantic, mut passages_on) = (false, false, false);
    let mut vector_cache = std::env::temp_dir().join("samspor-eval-vectors.bin");
    let mut per_source: Option<usize> = None;
    let mut expand: Option<Expand> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--sources" => sources = args.next().context("--sources needs a path")?.into(),
            "--queries" => queries = args.next().context("--queries needs a path")?.into(),
            "--verbose" => verbose = true,
            "--per-source" => {
                per_source = Some(args.next().context("--per-source N")?.parse()?);
            }
            "--expand" => {
                let name = args.next().context("--expand none|thesaurus|themes|both")?;
                expand = Some(
                    EXPANSIONS
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map(|(_, e)| *e)
                        .with_context(|| format!("unknown --expand {name}"))?,
                );
            }
            "--compare-expansions" => compare = true,
            "--semantic" => semantic_on = true,
            "--passages" => (semantic_on, passages_on) = (true, true),
            "--compare-semantic" => (semantic_on, compare_semantic) = (true, true),
            "--vector-cache" => {
                vector_cache = args.next().context("--vector-cache FILE")?.into();
            }
            "--json" => json = true,
            "--check" => check = true,
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    let mut config = Config::load(&sources)?;
    // Vectors are made below, with a cache that outlives the temporary index.
    config.embeddings.enabled = Some(false);
    let (dir, index) = support::index_corpus(config)?;
    let semantic = if semantic_on {
        let settings = samspor::config::EmbeddingSettings {
            enabled: Some(true),
            dir: None,
        };
        let embedder = samspor::embed::open(&settings)?.context("no embedding model")?;
        let path = store::path_in(dir.path());
        let report = store::sync(&index, embedder.as_ref(), &path, Some(&vector_cache))?;
        eprintln!(
            "vectors: {} sections, {} embedded in {} ms ({:.1} sections/s), {} from the cache {}",
            report.sections,
            report.embedded,
            report.millis,
            report.embedded as f64 * 1000.0 / report.millis.max(1) as f64,
            report.reused,
            vector_cache.display()
        );
        let passages_path = samspor::embed::passages::path_in(dir.path());
        let report = if passages_on {
            samspor::embed::passages::sync(
                &index,
                embedder.as_ref(),
                &passages_path,
                Some(&vector_cache),
            )?
        } else {
            store::SyncReport::default()
        };
        eprintln!(
            "passages: {} windows, {} embedded in {} ms ({:.1} windows/s), {} from the cache; \
             passages.bin {} bytes, embeddings.bin {} bytes",
            report.sections,
            report.embedded,
            report.millis,
            report.embedded as f64 * 1000.0 / report.millis.max(1) as f64,
            report.reused,
            std::fs::metadata(&passages_path).map_or(0, |m| m.len()),
            std::fs::metadata(&path).map_or(0, |m| m.len()),
        );
        let vectors = store::Vectors::read(&path)?.context("no vectors")?;
        let passages = samspor::embed::passages::Passages::read(
            dir.path(),
            embedder.model_id(),
            embedder.dim(),
        );
        let mut semantic = Semantic::new(embedder, vectors).with_passages(passages);
        if passages_on {
            semantic.fusion.passage_weight = 1.0;
        }
        semantic.fusion = fusion_from_env(semantic.fusion)?;
        Some(semantic)
    } else {
        None
    };
    let mut semantic = semantic;
    let sections = index.all_sections()?;
    let baseline = Baseline::build(&sections, false)?;
    let stock = Baseline::build(&sections, true)?;

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

    if compare_semantic {
        let semantic = semantic
            .as_mut()
            .context("--compare-semantic needs the model")?;
        println!(
            "{:<44} {:>8} {:>10} {:>9} {:>8} {:>8}   ({} queries, {})",
            "ranking",
            "nDCG@10",
            "recall@10",
            "zero-hit",
            "p50 ms",
            "p99 ms",
            file.query.len(),
            queries.display()
        );
        let mut variants: Vec<(String, Option<Fusion>)> = vec![("lexical".into(), None)];
        variants.push((
            "dense only".into(),
            Some(Fusion {
                dense_only: true,
                ..DEFAULT_FUSION
            }),
        ));
        // Fusion constants were chosen earlier (k 10, w 0.75: see DEFAULT_FUSION's note); this
        // grid weighs the dense side when the words are weak, and pseudo-relevance feedback.
        for weak in [0.75, 1.0, 1.5] {
            for (feedback, beta) in [(0, 0.0), (3, 0.5), (3, 1.0), (5, 0.5), (5, 1.0), (10, 1.0)] {
                variants.push((
                    format!("hybrid weak_w={weak} feedback={feedback} beta={beta}"),
                    Some(Fusion {
                        weak_dense_weight: weak,
                        feedback,
                        feedback_weight: beta,
                        ..DEFAULT_FUSION
                    }),
                ));
            }
        }
        variants.push(("default hybrid".into(), Some(DEFAULT_FUSION)));
        for (name, fusion) in variants {
            let (mut n, mut r, mut zero) = (0.0, 0.0, 0usize);
            if let Some(fusion) = fusion {
                semantic.fusion = fusion;
            }
            let used = fusion.map(|_| &*semantic);
            let mut millis = Vec::new();
            for q in &file.query {
                let started = std::time::Instant::now();
                let ours = samspor_search(&index, q, per_source, expand, used);
                millis.push(started.elapsed().as_secs_f64() * 1000.0);
                let judged = judged_of(q);
                let score = ndcg_recall(&ours, &judged);
                n += score.ndcg;
                r += score.recall;
                zero += usize::from(ours.is_empty() && !q.relevant.is_empty());
            }
            let count = file.query.len().max(1) as f64;
            millis.sort_by(f64::total_cmp);
            let at = |p: f64| millis[((millis.len() as f64 - 1.0) * p).round() as usize];
            println!(
                "{:<44} {:>8.3} {:>10.3} {:>9} {:>8.1} {:>8.1}",
                name,
                n / count,
                r / count,
                zero,
                at(0.5),
                at(0.99)
            );
        }
        return Ok(true);
    }

    if compare {
        println!(
            "{:<10} {:>8} {:>10} {:>9}   ({} queries, {})",
            "expand",
            "nDCG@10",
            "recall@10",
            "zero-hit",
            file.query.len(),
            queries.display()
        );
        for (name, e) in EXPANSIONS {
            let (mut n, mut r, mut zero) = (0.0, 0.0, 0usize);
            for q in &file.query {
                let ours = samspor_search(&index, q, per_source, Some(e), semantic.as_ref());
                let judged = judged_of(q);
                let score = ndcg_recall(&ours, &judged);
                n += score.ndcg;
                r += score.recall;
                zero += usize::from(ours.is_empty() && !q.relevant.is_empty());
            }
            let count = file.query.len().max(1) as f64;
            println!(
                "{:<10} {:>8.3} {:>10.3} {:>9}",
                name,
                n / count,
                r / count,
                zero
            );
        }
        return Ok(true);
    }

    // Per kind: for each system, (nDCG, recall) per query.
    let mut by_kind: BTreeMap<String, Vec<[f64; 6]>> = BTreeMap::new();
    let mut rows = Vec::new();
    let mut zero_hits: [Vec<String>; 3] = Default::default();
    for q in &file.query {
        let judged = judged_of(q);
        let ours = samspor_search(&index, q, per_source, expand, semantic.as_ref());
        let results = [ours, baseline.search(&q.text), stock.search(&q.text)];
        if !q.relevant.is_empty() {
            for (i, ranked) in results.iter().enumerate() {
                if ranked.is_empty() {
                    zero_hits[i].push(q.id.clone());
                }
            }
        }
        let scores: Vec<Scores> = results.iter().map(|r| ndcg_recall(r, &judged)).collect();
        let a = &scores[0];
        if verbose && a.ndcg < 0.85 {
            eprintln!(
                "\n{} {:?} nDCG {:.3} recall {:.3} (stock nb {:.3})",
                q.id, q.text, a.ndcg, a.recall, scores[2].ndcg
            );
            for (i, key) in results[0].iter().enumerate() {
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
                .filter(|(k, g)| **g > 0 && !results[0].contains(k))
                .collect();
            eprintln!("   missing: {missing:?}");
        }
        let row = [
            scores[0].ndcg,
            scores[0].recall,
            scores[1].ndcg,
            scores[1].recall,
            scores[2].ndcg,
            scores[2].recall,
        ];
        by_kind.entry(q.kind.clone()).or_default().push(row);
        rows.push((q, row, results[0].len()));
    }

    let mean = |values: &[f64]| values.iter().sum::<f64>() / values.len().max(1) as f64;
    let all: Vec<[f64; 6]> = by_kind.values().flatten().copied().collect();
    let col =
        |v: &[[f64; 6]], i: usize| -> f64 { mean(&v.iter().map(|t| t[i]).collect::<Vec<_>>()) };
    let overall: Vec<f64> = (0..6).map(|i| col(&all, i)).collect();
    let (ours_ndcg, base_ndcg) = (overall[0], overall[2]);
    let passed = ours_ndcg >= 0.85 && ours_ndcg >= base_ndcg + 0.15 && zero_hits[0].is_empty();

    if json {
        let figures = |v: &[[f64; 6]]| -> serde_json::Value {
            SYSTEMS
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    (
                        name.to_string(),
                        serde_json::json!({"ndcg10": col(v, 2 * i), "recall10": col(v, 2 * i + 1)}),
                    )
                })
                .collect::<serde_json::Map<_, _>>()
                .into()
        };
        let kinds: BTreeMap<&String, serde_json::Value> = by_kind
            .iter()
            .map(|(k, v)| {
                let mut value = figures(v);
                value["queries"] = v.len().into();
                (k, value)
            })
            .collect();
        let mut body = figures(&all);
        body["queries"] = all.len().into();
        body["sections"] = sections.len().into();
        body["kinds"] = serde_json::to_value(&kinds)?;
        body["zero_hit_queries"] = SYSTEMS
            .iter()
            .zip(&zero_hits)
            .map(|(name, ids)| (name.to_string(), serde_json::json!(ids)))
            .collect::<serde_json::Map<_, _>>()
            .into();
        println!("{}", serde_json::to_string_pretty(&body)?);
    } else {
        println!(
            "{:<6} {:<34} {:<10} {:>6} {:>7} {:>7} {:>7} {:>7} {:>7} {:>5}",
            "id", "query", "kind", "nDCG", "recall", "base", "b.rec", "nb", "nb.rec", "hits"
        );
        for (q, row, hits) in &rows {
            let text: String = q.text.chars().take(34).collect();
            println!(
                "{:<6} {:<34} {:<10} {:>6.3} {:>7.3} {:>7.3} {:>7.3} {:>7.3} {:>7.3} {:>5}",
                q.id, text, q.kind, row[0], row[1], row[2], row[3], row[4], row[5], hits
            );
        }
        println!();
        println!(
            "{:<12} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
            "kind", "queries", "nDCG@10", "recall", "base nDCG", "base rec", "nb nDCG", "nb rec"
        );
        let line = |kind: &str, v: &[[f64; 6]]| {
            println!(
                "{:<12} {:>7} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>9.3}",
                kind,
                v.len(),
                col(v, 0),
                col(v, 1),
                col(v, 2),
                col(v, 3),
                col(v, 4),
                col(v, 5)
            );
        };
        for (kind, v) in &by_kind {
            line(kind, v);
        }
        line("ALL", &all);
        println!();
        for (name, ids) in SYSTEMS.iter().zip(&zero_hits) {
            println!(
                "zero-hit queries with relevant sections, {name}: {}{}",
                ids.len(),
                if ids.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", ids.join(", "))
                }
            );
        }
        println!(
            "\n{} sections; samspor − baseline nDCG@10 = {:+.3}; samspor − stock nb = {:+.3}; \
             targets (≥ 0.85, ≥ +0.15 over baseline, no zero-hit query): {}",
            sections.len(),
            ours_ndcg - base_ndcg,
            ours_ndcg - overall[4],
            if passed { "met" } else { "NOT met" }
        );
    }
    Ok(!check || passed)
}
