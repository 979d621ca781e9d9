//! Search at scale: a synthetic index of 100,000 sections made from the fixtures' vocabulary.
//!
//! Usage: `cargo run --release --example search_bench -- [--sections N] [--queries N] [--plain] [--slowest N]`
//!
//! `--semantic` also measures search by meaning (`samspor::embed::search`, the installed model,
//! `scripts/install-embeddings.sh`): every section and passage window gets a random unit vector
//! (the cost of the scan does not depend on the values; embedding 100,000 sections would take
//! hours), each query is encoded by the real model, timed with the search.
//!
//! `--slowest N` lists the N slowest queries with their latency (what the p99 is made of).
//!
//! `--plain` also measures the reference: a plain tantivy index of the same sections (heading
//! and body, lowercase, Norwegian stop words and Snowball stemmer, BM25) searched with tantivy's
//! own query parser (any word may match) for the same queries, top 10 and the count, stored
//! documents read; latencies side by side as a ratio.
//!
//! Words are drawn from a bigram model of the demo and evaluation corpora (so word frequencies,
//! compounds and nynorsk forms look like the real thing); each section gets a heading, 60–400
//! words, a document of 500 sections, a kind, a year, themes and a few references. Reports
//! indexing throughput (the real `SectionIndex` with the Norwegian analysis, one commit), index
//! size on disk, and search latency p50/p99 over a mix of word, two-word, phrase, prefix,
//! boolean, compound, folded, reference and filtered queries (the real `search`, snippets
//! included), after one warm-up pass.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use samspor::index::{IndexedSection, SearchRequest, SectionIndex};

/// A small deterministic PRNG (xorshift64*), so every run builds the same index.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

struct Model {
    words: Vec<String>,
    next: HashMap<usize, Vec<usize>>,
}

impl Model {
    fn from_texts(texts: &[String]) -> Model {
        let mut ids: HashMap<String, usize> = HashMap::new();
        let mut words = Vec::new();
        let mut next: HashMap<usize, Vec<usize>> = HashMap::new();
        for text in texts {
            let mut previous: Option<usize> = None;
            for word in text.split_whitespace() {
                let id = *ids.entry(word.to_string()).or_insert_with(|| {
                    words.push(word.to_string());
                    words.len() - 1
                });
                if let Some(p) = previous {
                    next.entry(p).or_default().push(id);
                }
                previous = Some(id);
            }
        }
        Model { words, next }
    }

    fn sentence(&self, rng: &mut Rng, len: usize) -> String {
        let mut out = Vec::with_capacity(len);
        let mut current = rng.below(self.words.len());
        for _ in 0..len {
            out.push(self.words[current].as_str());
            current = match self.next.get(&current) {
                Some(followers) if rng.below(10) > 0 => followers[rng.below(followers.len())],
                _ => rng.below(self.words.len()),
            };
        }
        out.join(" ")
    }
}

fn corpus_texts(root: &Path) -> Result<Vec<String>> {
    let mut texts = Vec::new();
    for dir in ["examples/demo", "eval/corpus"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = path.to_string_lossy();
            if name.ends_with(".truth.txt") {
                texts.push(std::fs::read_to_string(&path)?);
            } else if name.ends_with(".html") && dir == "eval/corpus" {
                let html = std::fs::read_to_string(&path)?;
                let doc = samspor::extract::extract_bytes(
                    html.as_bytes(),
                    samspor::extract::model::Format::Html,
                    &name,
                    &samspor::extract::ExtractOptions::default(),
                )
                .with_context(|| format!("{name}: extract"))?;
                for s in doc.sections {
                    texts.push(s.text);
                }
            }
        }
    }
    anyhow::ensure!(
        !texts.is_empty(),
        "no fixture texts found under {}",
        root.display()
    );
    Ok(texts)
}

const KINDS: &[&str] = &["nou", "prop", "meld", "avtale", "horingsuttalelse"];
const THEMES: &[&str] = &[
    "felles-planlegging",
    "rekruttering",
    "fastlegekrise",
    "barn-unge",
    "psykisk-rus",
    "skropelige-eldre",
    "kroniske",
    "brukermedvirkning",
    "digitalisering",
];
const REFS: &[&str] = &[
    "NOU 2023: 4",
    "NOU 2023: 8",
    "Prop. 102 L (2020–2021)",
    "Prop. 102 L",
    "Meld. St. 7 (2019–2020)",
    "helse- og omsorgstjenesteloven § 6-2",
    "§ 6-2",
];

fn dir_size(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    let p = e.path();
                    if p.is_dir() {
                        dir_size(&p)
                    } else {
                        e.metadata().map(|m| m.len()).unwrap_or(0)
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn main() -> Result<()> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let (mut total, mut query_count) = (100_000usize, 400usize);
    let (mut plain, mut semantic) = (false, false);
    let mut slowest = 0usize;
    let mut keep: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--sections" => total = args.next().context("--sections N")?.parse()?,
            "--queries" => query_count = args.next().context("--queries N")?.parse()?,
            "--plain" => plain = true,
            "--semantic" => semantic = true,
            "--index-dir" => keep = Some(args.next().context("--index-dir DIR")?.into()),
            "--slowest" => slowest = args.next().context("--slowest N")?.parse()?,
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    let texts = corpus_texts(&root)?;
    let model = Model::from_texts(&texts);
    let mut rng = Rng(0x5eed_5a75_b0a7_u64);
    eprintln!(
        "vocabulary: {} words from {} fixture texts",
        model.words.len(),
        texts.len()
    );

    // Generate first, so indexing time is indexing only.
    let per_doc = 500;
    let mut documents: Vec<(String, Vec<IndexedSection>)> = Vec::new();
    for d in 0..total.div_ceil(per_doc) {
        let source = format!("doc-{d:04}");
        let kind = KINDS[d % KINDS.len()];
        let year = 2015 + (d % 12) as u64;
        let sections = (0..per_doc.min(total - d * per_doc))
            .map(|i| {
                let len = 60 + rng.below(340);
                let heading_len = 2 + rng.below(5);
                let themes = (0..rng.below(3))
                    .map(|_| THEMES[rng.below(THEMES.len())].to_string())
                    .collect();
                let refs = (0..rng.below(3))
                    .map(|_| REFS[rng.below(REFS.len())].to_string())
                    .collect();
                IndexedSection {
                    source: source.clone(),
                    title: format!("Syntetisk dokument {d}"),
                    kind: kind.to_string(),
                    language: Some(if d % 4 == 0 { "nn" } else { "nb" }.to_string()),
                    url: format!("https://example.invalid/{source}.pdf"),
                    format: "pdf".into(),
                    version: format!("{d:064x}"),
                    ordinal: i as u64,
                    number: Some(format!("{}.{}", i / 10 + 1, i % 10 + 1)),
                    heading: Some(model.sentence(&mut rng, heading_len)),
                    level: 2,
                    page_start: (i / 3 + 1) as u64,
                    page_end: (i / 3 + 2) as u64,
                    text: model.sentence(&mut rng, len),
                    themes,
                    refs,
                    year: Some(year),
                    ocr: false,
                }
            })
            .collect();
        documents.push((source, sections));
    }
    let words: usize = documents
        .iter()
        .flat_map(|(_, s)| s)
        .map(|s| s.text.split_whitespace().count())
        .sum();

    let temp = tempfile::tempdir()?;
    // `--index-dir DIR` keeps the index: a second run with the same DIR searches it again
    // without rebuilding (for profiling the queries alone).
    let reuse = keep.as_ref().is_some_and(|d| d.join("tantivy").exists());
    let dir = keep.clone().unwrap_or_else(|| temp.path().to_path_buf());
    let started = Instant::now();
    let index = SectionIndex::open_or_create(&dir)?;
    if !reuse {
        let mut batch = index.begin()?;
        for (source, sections) in &documents {
            batch.replace_source(source, sections)?;
        }
        batch.commit()?;
    }
    let indexing = started.elapsed().as_secs_f64();
    index.reload()?;
    let size = dir_size(&dir.join("tantivy"));
    println!(
        "indexed {} sections ({:.1} M words) in {:.1} s: {:.0} sections/s; index {:.1} MiB",
        index.len(),
        words as f64 / 1e6,
        indexing,
        index.len() as f64 / indexing,
        size as f64 / (1024.0 * 1024.0)
    );

    // A mixed query set: sample words and bigrams from the model, plus fixed query shapes.
    let common: Vec<&str> = [
        "fastlege",
        "rekruttering sykepleiere",
        "\"felles planlegging\"",
        "fastlege*",
        "fastlege OR legevakt",
        "fastlege -legevakt",
        "samhandling",
        "skropelige eldre",
        "tenester",
        "NOU 2023:4",
        "prop 102 l",
        "§ 6-2",
        "kind:prop helsefellesskap",
        "year:2020..2023 kompetanse",
        "theme:rekruttering turnover",
    ]
    .to_vec();
    let mut queries: Vec<String> = Vec::with_capacity(query_count);
    while queries.len() < query_count {
        let shape = rng.below(4);
        let q = match shape {
            0 => common[rng.below(common.len())].to_string(),
            1 => model.sentence(&mut rng, 1),
            2 => model.sentence(&mut rng, 2),
            _ => format!("\"{}\"", model.sentence(&mut rng, 2)),
        };
        let q: String = q
            .chars()
            .filter(|c| c.is_alphanumeric() || " \"*-:.§".contains(*c))
            .collect();
        if samspor::index::query::parse(&q).is_ok() {
            queries.push(q);
        }
    }
    let request = |q: &str| SearchRequest {
        query: q.to_string(),
        limit: 10,
        ..SearchRequest::default()
    };
    for q in &queries {
        index.search(&request(q))?; // warm-up: page cache and lazy structures
    }
    let mut latencies = Vec::with_capacity(queries.len());
    let mut timed: Vec<(f64, &str)> = Vec::with_capacity(queries.len());
    let mut hits = 0usize;
    for q in &queries {
        let started = Instant::now();
        let results = index.search(&request(q))?;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        latencies.push(ms);
        timed.push((ms, q));
        hits += results.hits.len();
    }
    timed.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (ms, q) in timed.iter().take(slowest) {
        println!("slow: {ms:6.1} ms  {q}");
    }
    latencies.sort_by(f64::total_cmp);
    println!(
        "{} queries ({} hits): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, mean {:.1} ms",
        latencies.len(),
        hits,
        percentile(&latencies, 50.0),
        percentile(&latencies, 99.0),
        latencies.last().copied().unwrap_or(0.0),
        latencies.iter().sum::<f64>() / latencies.len() as f64
    );
    if semantic {
        semantic_latency(&index, &dir, &queries, &mut rng)?;
    }
    if plain {
        drop(index);
        let reference = plain_tantivy(&documents, &queries)?;
        println!(
            "plain tantivy: p50 {:.1} ms, p99 {:.1} ms; samspor / plain: p50 {:.2}×, p99 {:.2}×",
            percentile(&reference, 50.0),
            percentile(&reference, 99.0),
            percentile(&latencies, 50.0) / percentile(&reference, 50.0),
            percentile(&latencies, 99.0) / percentile(&reference, 99.0)
        );
    }
    Ok(())
}

/// The reference: the same sections in a plain tantivy index, the same queries through
/// tantivy's query parser (any word may match); sorted latencies in ms.
fn plain_tantivy(
    documents: &[(String, Vec<IndexedSection>)],
    queries: &[String],
) -> Result<Vec<f64>> {
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::QueryParser;
    use tantivy::schema::{
        IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions, Value,
    };
    use tantivy::tokenizer::{
        Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter,
        TextAnalyzer,
    };
    use tantivy::{Index, TantivyDocument, doc};

    let mut builder = Schema::builder();
    let text = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("plain_no")
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let heading = builder.add_text_field("heading", text.clone());
    let body = builder.add_text_field("body", text);
    let source = builder.add_text_field("source", STORED);
    let dir = tempfile::tempdir()?;
    let index = Index::create_in_dir(dir.path(), builder.build())?;
    index.tokenizers().register(
        "plain_no",
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(80))
            .filter(LowerCaser)
            .filter(StopWordFilter::new(Language::Norwegian).context("stop words")?)
            .filter(Stemmer::new(Language::Norwegian))
            .build(),
    );
    let mut writer: tantivy::IndexWriter = index.writer(200_000_000)?;
    for (_, sections) in documents {
        for s in sections {
            writer.add_document(doc!(
                heading => s.heading.clone().unwrap_or_default(),
                body => s.text.clone(),
                source => s.source.clone(),
            ))?;
        }
    }
    writer.commit()?;
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let parser = QueryParser::for_index(&index, vec![heading, body]);
    let run = |q: &str| -> Result<usize> {
        let (query, _) = parser.parse_query_lenient(q);
        let (top, _count) = searcher.search(
            query.as_ref(),
            &(TopDocs::with_limit(10).order_by_score(), Count),
        )?;
        let mut n = 0;
        for (_, address) in top {
            let d: TantivyDocument = searcher.doc(address)?;
            n += d
                .get_first(body)
                .and_then(|v| v.as_str())
                .map_or(0, |t| t.len().min(1));
        }
        Ok(n)
    };
    for q in queries {
        run(q)?;
    }
    let mut latencies = Vec::with_capacity(queries.len());
    for q in queries {
        let started = Instant::now();
        run(q)?;
        latencies.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    latencies.sort_by(f64::total_cmp);
    Ok(latencies)
}

/// Search by meaning over random section and passage vectors, the query encoded by the model:
/// latencies of `embed::search` (10 hits), and the vector files' sizes.
fn semantic_latency(
    index: &SectionIndex,
    dir: &Path,
    queries: &[String],
    rng: &mut Rng,
) -> Result<()> {
    use samspor::embed::{self, passages, store};
    let settings = samspor::config::EmbeddingSettings {
        enabled: Some(true),
        dir: None,
    };
    let embedder = embed::open(&settings)?.context("no embedding model")?;
    let dim = embedder.dim();
    let random = |rng: &mut Rng| -> Vec<f32> {
        let v: Vec<f32> = (0..dim)
            .map(|_| (rng.below(2001) as f32 - 1000.0) / 1000.0)
            .collect();
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-6);
        v.into_iter().map(|x| x / norm).collect()
    };
    let stamp = index.commit_stamp()?;
    let mut sections = store::Vectors::new(embedder.model_id(), dim);
    sections.stamp = Some(stamp);
    let mut windows = store::Vectors::new(embedder.model_id(), dim);
    windows.stamp = Some(stamp);
    for section in index.all_sections()? {
        let key = section.key();
        sections.push(&key, store::section_hash(&section), &random(rng));
        for window in passages::section_windows(&section) {
            windows.push(&key, store::text_hash(&window), &random(rng));
        }
    }
    let (sections_path, passages_path) = (store::path_in(dir), passages::path_in(dir));
    sections.write(&sections_path)?;
    windows.write(&passages_path)?;
    let size = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len()) as f64 / (1024.0 * 1024.0);
    println!(
        "vectors: {} sections ({:.1} MiB), {} passage windows ({:.1} MiB, {:.2} per section)",
        sections.len(),
        size(&sections_path),
        windows.len(),
        size(&passages_path),
        windows.len() as f64 / sections.len().max(1) as f64
    );
    for (name, passage_weight) in [("sections only", 0.0), ("with passages", 1.0)] {
        let mut semantic = embed::Semantic::load(dir, &settings).context("vectors not read")?;
        semantic.fusion.passage_weight = passage_weight;
        let request = |q: &str| SearchRequest {
            query: q.to_string(),
            limit: 10,
            ..SearchRequest::default()
        };
        for q in queries.iter().take(20) {
            embed::search(index, &request(q), Some(&semantic))?; // warm-up
        }
        let mut latencies = Vec::with_capacity(queries.len());
        for q in queries {
            let started = Instant::now();
            embed::search(index, &request(q), Some(&semantic))?;
            latencies.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        latencies.sort_by(f64::total_cmp);
        println!(
            "semantic ({name}, query encoded by the model): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            percentile(&latencies, 50.0),
            percentile(&latencies, 99.0),
            latencies.last().copied().unwrap_or(0.0),
        );
    }
    Ok(())
}
