//! Index: one tantivy document per section, on disk under `INDEX_DIR/tantivy`.
//!
//! Text is indexed twice: stemmed Norwegian (`heading`, `body`) for recall and exact lowercase
//! forms (`heading_exact`, `body_exact`) for phrases and names. A source is replaced as a whole
//! (delete by source id, add its sections) and all changes of a run go into one commit, so a
//! reader sees either the old or the new state of every source.
//!
//! Architecture invariant: the index knows nothing of HTTP, PDF, HTML or the catalog; it
//! stores and searches `IndexedSection`s.

pub mod analyzer;
mod compile;
mod coverage;
pub mod decompound;
pub mod query;
pub mod thesaurus;

pub use compile::{Expand, lead};

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("no index in {0}: run `samspor run` (or `samspor index`) first")]
    Missing(String),
    #[error("the index in {0} was built by an older samspor: run `samspor index` to rebuild it")]
    Stale(String),
    #[error("invalid query {query:?}: {error}")]
    Query {
        query: String,
        error: query::QueryError,
    },
    #[error("index in {dir}: {source}")]
    Tantivy {
        dir: String,
        #[source]
        source: tantivy::TantivyError,
    },
    #[error("index in {dir}: {source}")]
    Io {
        dir: String,
        #[source]
        source: std::io::Error,
    },
}

/// Version of the index's schema and text analysis. Part of the pipeline's fingerprint, so a
/// change here re-indexes every source on the next run.
pub const FORMAT: &str = "5";

/// A section as stored in and returned from the index.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndexedSection {
    pub source: String,
    pub title: String,
    pub kind: String,
    pub language: Option<String>,
    pub url: String,
    /// "pdf" or "html": PDF links get `#page=N`.
    pub format: String,
    /// SHA-256 of the document version the section comes from.
    pub version: String,
    /// Position of the section in its document, from 0.
    pub ordinal: u64,
    pub number: Option<String>,
    pub heading: Option<String>,
    pub level: u64,
    pub page_start: u64,
    pub page_end: u64,
    pub text: String,
    pub themes: Vec<String>,
    /// Canonical references cited in the section, and the documents they belong to.
    pub refs: Vec<String>,
    /// Year of the document, when known (search filter).
    pub year: Option<u64>,
    /// The section's text was read (at least partly) by OCR from a scanned page: a quote from
    /// it may carry recognition errors.
    #[serde(default)]
    pub ocr: bool,
}

impl IndexedSection {
    /// Stable id of a section within the index.
    pub fn key(&self) -> String {
        section_key(&self.source, self.ordinal)
    }

    /// A link to the section's place in the source: PDFs open at the section's first page.
    pub fn link(&self) -> String {
        if self.format == crate::extract::model::Format::Pdf.as_str() && self.page_start > 0 {
            format!("{}#page={}", self.url, self.page_start)
        } else {
            self.url.clone()
        }
    }

    /// What a reader calls the section: its number, else its heading, else "(innledning)".
    pub fn label(&self) -> String {
        self.number
            .clone()
            .or_else(|| self.heading.clone())
            .unwrap_or_else(|| "(innledning)".to_string())
    }
}

pub fn section_key(source: &str, ordinal: u64) -> String {
    format!("{source}#{ordinal}")
}

#[derive(Clone, Copy)]
pub(crate) struct Fields {
    key: Field,
    source: Field,
    title: Field,
    kind: Field,
    language: Field,
    url: Field,
    format: Field,
    version: Field,
    ordinal: Field,
    number: Field,
    heading: Field,
    heading_exact: Field,
    level: Field,
    page_start: Field,
    page_end: Field,
    body: Field,
    body_exact: Field,
    themes: Field,
    refs: Field,
    year: Field,
    ocr: Field,
    /// Compound parts of heading and body words (not stored).
    parts: Field,
    /// Heading and body, stemmed and ASCII-folded (not stored).
    folded: Field,
}

pub(crate) fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = |tokenizer: &str, stored: bool| {
        let options = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        if stored {
            options.set_stored()
        } else {
            options
        }
    };
    let fields = Fields {
        key: builder.add_text_field("key", STRING | STORED),
        // Fast, so ranking can spread hits over sources before any stored document is read.
        source: builder.add_text_field("source", STRING | STORED | FAST),
        title: builder.add_text_field("title", text(analyzer::STEMMED, true)),
        kind: builder.add_text_field("kind", STRING | STORED),
        language: builder.add_text_field("language", STRING | STORED),
        url: builder.add_text_field("url", STORED),
        format: builder.add_text_field("format", STRING | STORED),
        version: builder.add_text_field("version", STRING | STORED),
        ordinal: builder.add_u64_field("ordinal", STORED),
        number: builder.add_text_field("number", STRING | STORED),
        heading: builder.add_text_field("heading", text(analyzer::STEMMED, true)),
        heading_exact: builder.add_text_field("heading_exact", text(analyzer::EXACT, false)),
        level: builder.add_u64_field("level", STORED),
        page_start: builder.add_u64_field("page_start", STORED),
        page_end: builder.add_u64_field("page_end", STORED),
        body: builder.add_text_field("body", text(analyzer::STEMMED, true)),
        body_exact: builder.add_text_field("body_exact", text(analyzer::EXACT, false)),
        themes: builder.add_text_field("themes", STRING | STORED),
        refs: builder.add_text_field("refs", STRING | STORED),
        year: builder.add_u64_field("year", INDEXED | STORED | FAST),
        ocr: builder.add_u64_field("ocr", STORED),
        parts: builder.add_text_field(
            "parts",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(analyzer::STEMMED)
                    .set_index_option(IndexRecordOption::WithFreqs),
            ),
        ),
        folded: builder.add_text_field("folded", text(analyzer::FOLDED, false)),
    };
    (builder.build(), fields)
}

/// The section index on disk.
pub struct SectionIndex {
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// Topic (theme) id → its analysed one-word terms, from the last commit's payload.
    topics: std::sync::RwLock<Topics>,
}

/// Topic vocabulary stored with each commit: a query word that is one of a topic's terms
/// lifts the sections carrying that topic ("fastlege" lifts sections about the GP crisis above
/// passing mentions). The index knows topics only as names and words.
pub type Topics = std::collections::BTreeMap<String, Vec<String>>;

fn load_topics(index: &Index) -> Topics {
    index
        .load_metas()
        .ok()
        .and_then(|metas| metas.payload)
        .and_then(|payload| serde_json::from_str(&payload).ok())
        .unwrap_or_default()
}

/// Search parameters.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// In the search language of [`query`].
    pub query: String,
    pub limit: usize,
    pub source: Option<String>,
    pub theme: Option<String>,
    /// Document kind as in sources.toml ("nou", "prop", …).
    pub kind: Option<String>,
    /// Document year.
    pub year: Option<u32>,
    /// At most this many hits from one source before every other source's hits (default 3;
    /// 0 turns it off; ignored when `source` is set).
    pub max_per_source: Option<usize>,
    /// Where words are expanded from; `None` is [`DEFAULT_EXPAND`] (the evaluations compare).
    pub expand: Option<Expand>,
}

/// The query expansion search uses, chosen on the judged queries (`examples/search_eval.rs`).
pub const DEFAULT_EXPAND: Expand = Expand {
    thesaurus: true,
    themes: false,
};

/// A query word a hit was found through another word for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FoundVia {
    /// The word as typed.
    pub term: String,
    /// The word or phrase it was expanded with, as the thesaurus writes it; `"betydning"` for
    /// a hit found by meaning (`embed`).
    pub via: String,
    /// For a hit found by meaning: the cosine similarity of the query and the section.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub similarity: Option<f32>,
}

/// `FoundVia::via` of a hit found by meaning.
pub const VIA_MEANING: &str = "betydning";

/// One search hit.
#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    pub section: IndexedSection,
    pub score: f32,
    /// Plain-text passage around the best match.
    pub snippet: String,
    /// Byte ranges of highlighted words within `snippet`.
    pub highlights: Vec<(usize, usize)>,
    /// The query's optional words (as typed) the section contains, in query order (empty for
    /// a boolean query).
    pub matched: Vec<String>,
    /// The optional words it does not contain but was found through an expansion of.
    pub found_via: Vec<FoundVia>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<SearchHit>,
    /// False when the query is a best match of several words and no section contains them all:
    /// the hits contain some of them ("Ingen treff på alle ordene – viser treff på noen av dem").
    pub all_words: bool,
}

/// Pieces of a snippet: plain text and highlighted words. Ranges out of order, out of bounds
/// empty or inside a character are skipped rather than trusted. The one check of
/// highlight ranges (CLI and web page).
pub fn highlight_pieces<'a>(snippet: &'a str, ranges: &[(usize, usize)]) -> Vec<(bool, &'a str)> {
    let mut pieces = Vec::new();
    let mut last = 0;
    for &(from, to) in ranges {
        if from < last
            || from >= to
            || to > snippet.len()
            || !snippet.is_char_boundary(from)
            || !snippet.is_char_boundary(to)
        {
            continue;
        }
        if from > last {
            pieces.push((false, &snippet[last..from]));
        }
        pieces.push((true, &snippet[from..to]));
        last = to;
    }
    if last < snippet.len() {
        pieces.push((false, &snippet[last..]));
    }
    pieces
}

/// "funnet via: rekruttering ≈ skaffe, rekruttering ≈ beholde", or nothing.
pub fn found_via_text(via: &[FoundVia]) -> Option<String> {
    (!via.is_empty()).then(|| {
        let pairs: Vec<String> = via
            .iter()
            .map(|v| match v.similarity {
                // "betydning (likhet 0,84)": Norwegian decimal comma.
                Some(similarity) => {
                    format!(
                        "{} (likhet {})",
                        v.via,
                        format!("{similarity:.2}").replace('.', ",")
                    )
                }
                None => format!("{} ≈ {}", v.term, v.via),
            })
            .collect();
        format!("funnet via: {}", pairs.join(", "))
    })
}

/// What search says when no section contains every word of a best match.
pub const SOME_WORDS_MESSAGE: &str = "Ingen treff på alle ordene – viser treff på noen av dem";

impl SectionIndex {
    fn tantivy_dir(index_dir: &Path) -> PathBuf {
        index_dir.join("tantivy")
    }

    /// Opens the index, creating it if the directory has none.
    pub fn open_or_create(index_dir: &Path) -> Result<SectionIndex, IndexError> {
        let dir = SectionIndex::tantivy_dir(index_dir);
        std::fs::create_dir_all(&dir).map_err(|source| IndexError::Io {
            dir: dir.display().to_string(),
            source,
        })?;
        let (schema, fields) = schema();
        // An index written by an older samspor (other fields) is rebuilt, not misread: the
        // pipeline re-indexes every source because `FORMAT` is part of its fingerprint.
        if dir.join("meta.json").is_file() {
            let stale = Index::open_in_dir(&dir)
                .map(|existing| existing.schema() != schema)
                .unwrap_or(true);
            if stale {
                tracing::warn!(dir = %dir.display(), "index has an older schema; rebuilding it");
                std::fs::remove_dir_all(&dir)
                    .and_then(|()| std::fs::create_dir_all(&dir))
                    .map_err(|source| IndexError::Io {
                        dir: dir.display().to_string(),
                        source,
                    })?;
            }
        }
        let mmap = tantivy::directory::MmapDirectory::open(&dir).map_err(|e| IndexError::Io {
            dir: dir.display().to_string(),
            source: std::io::Error::other(e.to_string()),
        })?;
        let index = Index::open_or_create(mmap, schema).map_err(|source| IndexError::Tantivy {
            dir: dir.display().to_string(),
            source,
        })?;
        SectionIndex::wrap(dir, index, fields)
    }

    /// Opens an existing index for reading.
    pub fn open(index_dir: &Path) -> Result<SectionIndex, IndexError> {
        let dir = SectionIndex::tantivy_dir(index_dir);
        if !dir.join("meta.json").is_file() {
            return Err(IndexError::Missing(index_dir.display().to_string()));
        }
        let index = Index::open_in_dir(&dir).map_err(|source| IndexError::Tantivy {
            dir: dir.display().to_string(),
            source,
        })?;
        let (schema, fields) = schema();
        if index.schema() != schema {
            return Err(IndexError::Stale(index_dir.display().to_string()));
        }
        SectionIndex::wrap(dir, index, fields)
    }

    fn wrap(dir: PathBuf, index: Index, fields: Fields) -> Result<SectionIndex, IndexError> {
        analyzer::register(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|source| IndexError::Tantivy {
                dir: dir.display().to_string(),
                source,
            })?;
        let topics = std::sync::RwLock::new(load_topics(&index));
        Ok(SectionIndex {
            dir,
            index,
            reader,
            fields,
            topics,
        })
    }

    fn err(&self, source: tantivy::TantivyError) -> IndexError {
        IndexError::Tantivy {
            dir: self.dir.display().to_string(),
            source,
        }
    }

    /// Starts a batch of changes that becomes visible at `commit`.
    pub fn begin(&self) -> Result<IndexBatch<'_>, IndexError> {
        let writer = self
            .index
            .writer_with_num_threads(1, 64 * 1024 * 1024)
            .map_err(|e| self.err(e))?;
        Ok(IndexBatch {
            index: self,
            writer,
            topics: None,
        })
    }

    fn to_document(&self, section: &IndexedSection) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.key, section.key());
        doc.add_text(f.source, &section.source);
        doc.add_text(f.title, &section.title);
        doc.add_text(f.kind, &section.kind);
        if let Some(language) = &section.language {
            doc.add_text(f.language, language);
        }
        doc.add_text(f.url, &section.url);
        doc.add_text(f.format, &section.format);
        doc.add_text(f.version, &section.version);
        doc.add_u64(f.ordinal, section.ordinal);
        if let Some(number) = &section.number {
            doc.add_text(f.number, number);
        }
        if let Some(heading) = &section.heading {
            doc.add_text(f.heading, heading);
            doc.add_text(f.heading_exact, heading);
        }
        doc.add_u64(f.level, section.level);
        doc.add_u64(f.page_start, section.page_start);
        doc.add_u64(f.page_end, section.page_end);
        doc.add_u64(f.ocr, u64::from(section.ocr));
        doc.add_text(f.body, &section.text);
        doc.add_text(f.body_exact, &section.text);
        for theme in &section.themes {
            doc.add_text(f.themes, theme);
        }
        for reference in &section.refs {
            doc.add_text(f.refs, reference);
        }
        if let Some(year) = section.year {
            doc.add_u64(f.year, year);
        }
        let heading = section.heading.as_deref().unwrap_or("");
        doc.add_text(
            f.parts,
            decompound::parts_text(&format!("{heading}\n{}", section.text)),
        );
        if !heading.is_empty() {
            doc.add_text(f.folded, heading);
        }
        doc.add_text(f.folded, &section.text);
        doc
    }

    fn section_from(&self, doc: &TantivyDocument) -> IndexedSection {
        let f = &self.fields;
        let text = |field: Field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let number = |field: Field| doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0);
        IndexedSection {
            source: text(f.source).unwrap_or_default(),
            title: text(f.title).unwrap_or_default(),
            kind: text(f.kind).unwrap_or_default(),
            language: text(f.language),
            url: text(f.url).unwrap_or_default(),
            format: text(f.format).unwrap_or_default(),
            version: text(f.version).unwrap_or_default(),
            ordinal: number(f.ordinal),
            number: text(f.number),
            heading: text(f.heading),
            level: number(f.level),
            page_start: number(f.page_start),
            page_end: number(f.page_end),
            text: text(f.body).unwrap_or_default(),
            themes: doc
                .get_all(f.themes)
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            refs: doc
                .get_all(f.refs)
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            year: doc.get_first(f.year).and_then(|v| v.as_u64()),
            ocr: number(f.ocr) == 1,
        }
    }

    /// Re-reads the latest commit.
    pub fn reload(&self) -> Result<(), IndexError> {
        self.reader.reload().map_err(|e| self.err(e))?;
        let topics = load_topics(&self.index);
        if let Ok(mut current) = self.topics.write() {
            *current = topics;
        }
        Ok(())
    }

    /// Number of sections in the index.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every section of one source, in document order.
    pub fn sections_of(&self, source: &str) -> Result<Vec<IndexedSection>, IndexError> {
        let query = TermQuery::new(
            Term::from_field_text(self.fields.source, source),
            IndexRecordOption::Basic,
        );
        let mut sections = self.collect_all(&query)?;
        sections.sort_by_key(|s| s.ordinal);
        Ok(sections)
    }

    /// Every section in the index, ordered by source and position.
    pub fn all_sections(&self) -> Result<Vec<IndexedSection>, IndexError> {
        let mut sections = self.collect_all(&tantivy::query::AllQuery)?;
        sections.sort_by(|a, b| a.source.cmp(&b.source).then(a.ordinal.cmp(&b.ordinal)));
        Ok(sections)
    }

    fn collect_all(&self, query: &dyn Query) -> Result<Vec<IndexedSection>, IndexError> {
        let searcher = self.reader.searcher();
        let addresses = searcher
            .search(query, &tantivy::collector::DocSetCollector)
            .map_err(|e| self.err(e))?;
        addresses
            .into_iter()
            .map(|address| self.load(address))
            .collect()
    }

    fn load(&self, address: DocAddress) -> Result<IndexedSection, IndexError> {
        let doc: TantivyDocument = self
            .reader
            .searcher()
            .doc(address)
            .map_err(|e| self.err(e))?;
        Ok(self.section_from(&doc))
    }

    /// Sections where any of the given analysed terms occur, in heading or body. Each term is a
    /// sequence of tokens (a phrase when longer than one).
    pub fn sections_with_any(
        &self,
        terms: &[Vec<String>],
    ) -> Result<Vec<IndexedSection>, IndexError> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for tokens in terms {
            // One-word terms also match inside compounds, as theme scoring counts them.
            let parts = (tokens.len() == 1).then_some(self.fields.parts);
            for field in [self.fields.heading, self.fields.body]
                .into_iter()
                .chain(parts)
            {
                let query: Box<dyn Query> = match tokens.as_slice() {
                    [] => continue,
                    [one] => Box::new(TermQuery::new(
                        Term::from_field_text(field, one),
                        IndexRecordOption::Basic,
                    )),
                    many => Box::new(tantivy::query::PhraseQuery::new(
                        many.iter()
                            .map(|t| Term::from_field_text(field, t))
                            .collect(),
                    )),
                };
                clauses.push((Occur::Should, query));
            }
        }
        if clauses.is_empty() {
            return Ok(Vec::new());
        }
        self.collect_all(&BooleanQuery::new(clauses))
    }

    /// Runs a user query in the search language of [`query`]: words all required, `OR`,
    /// `-word`, `"phrases"`, `"exact"` words, `prefix*`, `field:value` filters and policy
    /// references in any spelling. The request's own filters are added to the query's.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, IndexError> {
        let node = query::parse(&request.query).map_err(|error| IndexError::Query {
            query: request.query.clone(),
            error,
        })?;
        self.search_parsed(&node, request)
    }

    /// [`SectionIndex::search`] of a query already parsed (`node` is `request.query` parsed).
    pub fn search_parsed(
        &self,
        node: &query::Node,
        request: &SearchRequest,
    ) -> Result<SearchResults, IndexError> {
        let f = &self.fields;
        let searcher = self.reader.searcher();
        let compiled = {
            let topics = self.topics.read().ok();
            compile::compile(
                node,
                f,
                request.expand.unwrap_or(DEFAULT_EXPAND),
                topics.as_deref(),
                Some(&searcher),
            )
        };
        let filters: Vec<Box<dyn Query>> = [
            request.source.clone().map(query::Filter::Source),
            request.theme.clone().map(query::Filter::Theme),
            request.kind.clone().map(query::Filter::Kind),
            request.year.map(|y| query::Filter::Year { from: y, to: y }),
        ]
        .iter()
        .flatten()
        .map(|filter| compile::filter_query(filter, f))
        .collect();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, compiled.query)];
        for filter in &filters {
            clauses.push((Occur::Must, filter.box_clone()));
        }
        if let Ok(topics) = self.topics.read() {
            for topic in compiled.highlight.topics(&topics) {
                clauses.push((Occur::Should, compile::topic_query(&topic, f)));
            }
        }
        let query = BooleanQuery::new(clauses);
        let limit = request.limit.clamp(1, MAX_HITS);
        // One long document must not fill the first page: take more candidates than asked for
        // and let each source have at most `per_source` of the top places.
        let per_source = match (&request.source, request.max_per_source) {
            (Some(_), _) | (_, Some(0)) => usize::MAX,
            (None, Some(n)) => n,
            (None, None) => DEFAULT_PER_SOURCE,
        };
        let candidates = if per_source == usize::MAX {
            limit
        } else {
            (limit * 4).clamp(limit, MAX_HITS)
        };
        let (top, total) = searcher
            .search(
                &query,
                &(TopDocs::with_limit(candidates).order_by_score(), Count),
            )
            .map_err(|e| self.err(e))?;
        // The candidates' sources come from the fast field; only the hits that are kept after
        // spreading them over sources are read from the document store.
        let mut columns: HashMap<u32, Option<tantivy::columnar::StrColumn>> = HashMap::new();
        let mut candidates = Vec::with_capacity(top.len());
        for (score, address) in top {
            let column = match columns.entry(address.segment_ord) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => e.insert(
                    searcher
                        .segment_reader(address.segment_ord)
                        .fast_fields()
                        .str("source")
                        .map_err(|e| self.err(e))?,
                ),
            };
            let mut source = String::new();
            if let Some(column) = column
                && let Some(ord) = column.term_ords(address.doc_id).next()
            {
                column
                    .ord_to_str(ord, &mut source)
                    .map_err(|e| self.err(e.into()))?;
            }
            // A best match's score carries the number of words covered; the rest is shown.
            let (tier, score) = coverage::split(score);
            candidates.push(Candidate {
                tier,
                score,
                address,
                source,
            });
        }
        let best_tier = candidates.iter().map(|r| r.tier).max().unwrap_or(0);
        let mut sections = Vec::with_capacity(limit);
        for candidate in diversify(candidates, per_source, limit) {
            let doc: TantivyDocument = searcher.doc(candidate.address).map_err(|e| self.err(e))?;
            sections.push(Ranked {
                tier: candidate.tier,
                score: candidate.score,
                address: candidate.address,
                section: self.section_from(&doc),
            });
        }
        // A hit's tier is how many optional words it contains: a hit with all of them needs no
        // explaining, and the matchers are built only if some hit lacks a word.
        let explain = std::cell::OnceCell::new();
        let hits = sections
            .into_iter()
            .map(|ranked| {
                let (snippet, highlights) =
                    compile::best_passage(&ranked.section.text, &compiled.highlight, SNIPPET_CHARS);
                let (matched, found_via) = if ranked.tier >= compiled.optional.len() {
                    let all = compiled.optional.iter().map(|t| t.typed.clone()).collect();
                    (all, Vec::new())
                } else {
                    explain
                        .get_or_init(|| Explainer::new(&searcher, &compiled.optional))
                        .explain(&searcher, ranked.address)
                };
                SearchHit {
                    section: ranked.section,
                    score: ranked.score,
                    snippet,
                    highlights,
                    matched,
                    found_via,
                }
            })
            .collect::<Vec<_>>();
        // Does any section contain every word? The best ones would rank first; only when they
        // do not, ask the index (with the request's filters).
        // The tiers answer it: any section with every word would have the top tier.
        let all_words =
            total == 0 || compiled.optional.len() < 2 || best_tier >= compiled.optional.len();
        Ok(SearchResults {
            total,
            hits,
            all_words,
        })
    }
}

/// A candidate hit as the collector ranked it, before its document is read.
struct Candidate {
    /// Optional words covered (0 for boolean queries).
    tier: usize,
    score: f32,
    address: DocAddress,
    source: String,
}

/// A kept hit with its section, before it becomes a [`SearchHit`].
struct Ranked {
    /// Optional words covered (0 for boolean queries).
    tier: usize,
    score: f32,
    address: DocAddress,
    section: IndexedSection,
}

/// A query ready to test single documents against.
type Matcher = Box<dyn tantivy::query::Weight>;

/// One optional word: as typed, its own matcher, its expansions' (as written, matcher).
type TermMatchers<'a> = (&'a str, Option<Matcher>, Vec<(&'a str, Matcher)>);

/// Tells which optional words (and which of their expansions) a hit contains.
struct Explainer<'a> {
    terms: Vec<TermMatchers<'a>>,
}

impl<'a> Explainer<'a> {
    fn new(searcher: &tantivy::Searcher, optional: &'a [compile::OptionalTerm]) -> Explainer<'a> {
        let weight = |q: &dyn Query| {
            q.weight(tantivy::query::EnableScoring::disabled_from_searcher(
                searcher,
            ))
            .ok()
        };
        Explainer {
            terms: optional
                .iter()
                .map(|t| {
                    let via = t
                        .via
                        .iter()
                        .filter_map(|(text, q)| Some((text.as_str(), weight(q.as_ref())?)))
                        .collect();
                    (t.typed.as_str(), weight(t.own.as_ref()), via)
                })
                .collect(),
        }
    }

    fn explain(
        &self,
        searcher: &tantivy::Searcher,
        address: DocAddress,
    ) -> (Vec<String>, Vec<FoundVia>) {
        let mut matched = Vec::new();
        let mut found_via = Vec::new();
        for (typed, own, via) in &self.terms {
            if own
                .as_ref()
                .is_some_and(|w| coverage::matches(searcher, w.as_ref(), address))
            {
                matched.push(typed.to_string());
                continue;
            }
            // The strongest few are enough to say why.
            for (text, weight) in via {
                if found_via.len() >= MAX_FOUND_VIA {
                    break;
                }
                if coverage::matches(searcher, weight.as_ref(), address) {
                    found_via.push(FoundVia {
                        term: typed.to_string(),
                        via: text.to_string(),
                        similarity: None,
                    });
                }
            }
        }
        (matched, found_via)
    }
}

/// At most this many "funnet via" explanations per hit.
const MAX_FOUND_VIA: usize = 3;

/// Most hits one search returns.
pub const MAX_HITS: usize = 1000;
/// Default cap on hits from one source among the top places.
pub const DEFAULT_PER_SOURCE: usize = 3;
const SNIPPET_CHARS: usize = 240;

/// Reorders hits (best first) so that no source has more than `per_source` of the places
/// before every other source's hits are shown; keeps `limit`. A best match's coverage tiers
/// stay in order: the reordering happens within each tier (a source's count carries over).
fn diversify(hits: Vec<Candidate>, per_source: usize, limit: usize) -> Vec<Candidate> {
    let mut taken: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut out = Vec::with_capacity(limit);
    let mut first = Vec::new();
    let mut deferred = Vec::new();
    let mut tier = None;
    for hit in hits {
        if tier != Some(hit.tier) {
            out.append(&mut first);
            out.append(&mut deferred);
            tier = Some(hit.tier);
        }
        let count = taken.entry(hit.source.clone()).or_insert(0);
        if *count < per_source {
            *count += 1;
            first.push(hit);
        } else {
            deferred.push(hit);
        }
    }
    out.append(&mut first);
    out.append(&mut deferred);
    out.truncate(limit);
    out
}

/// Changes to the index, applied together at `commit`.
pub struct IndexBatch<'a> {
    index: &'a SectionIndex,
    writer: IndexWriter,
    topics: Option<Topics>,
}

impl IndexBatch<'_> {
    /// Replaces everything indexed for `source` with `sections` (which may be empty).
    pub fn replace_source(
        &mut self,
        source: &str,
        sections: &[IndexedSection],
    ) -> Result<(), IndexError> {
        self.writer
            .delete_term(Term::from_field_text(self.index.fields.source, source));
        for section in sections {
            self.writer
                .add_document(self.index.to_document(section))
                .map_err(|e| self.index.err(e))?;
        }
        Ok(())
    }

    /// Sets the topic vocabulary stored with this commit (kept from the last commit if unset).
    pub fn set_topics(&mut self, topics: Topics) {
        self.topics = Some(topics);
    }

    /// Makes the changes visible atomically and cleans up files no commit refers to.
    pub fn commit(mut self) -> Result<(), IndexError> {
        let topics = match self.topics.take() {
            Some(topics) => topics,
            None => load_topics(&self.index.index),
        };
        let payload = serde_json::to_string(&topics).unwrap_or_default();
        let mut prepared = self
            .writer
            .prepare_commit()
            .map_err(|e| self.index.err(e))?;
        prepared.set_payload(&payload);
        prepared.commit().map_err(|e| self.index.err(e))?;
        let _ = self.writer.garbage_collect_files().wait();
        self.writer
            .wait_merging_threads()
            .map_err(|e| self.index.err(e))?;
        self.index.reload()
    }
}

/// A section for unit tests across modules: page and number follow `ordinal`, no themes.
#[cfg(test)]
pub(crate) fn test_section(
    source: &str,
    ordinal: u64,
    heading: &str,
    text: &str,
) -> IndexedSection {
    IndexedSection {
        source: source.into(),
        title: format!("Dokument {source}"),
        kind: "nou".into(),
        language: Some("nb".into()),
        url: format!("https://example.org/{source}.pdf"),
        format: "pdf".into(),
        version: "abc".into(),
        ordinal,
        number: Some(format!("{}", ordinal + 1)),
        heading: Some(heading.into()),
        level: 1,
        page_start: ordinal + 1,
        page_end: ordinal + 1,
        text: text.into(),
        themes: vec![],
        refs: vec![],
        year: Some(2023),
        ocr: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(source: &str, ordinal: u64, heading: &str, text: &str) -> IndexedSection {
        IndexedSection {
            themes: vec!["fastlegekrise".into()],
            ..test_section(source, ordinal, heading, text)
        }
    }

    #[test]
    fn index_search_and_replace() {
        let dir = tempfile::tempdir().unwrap();
        let index = SectionIndex::open_or_create(dir.path()).unwrap();
        let mut batch = index.begin().unwrap();
        batch
            .replace_source(
                "a",
                &[
                    section(
                        "a",
                        0,
                        "Fastlegeordningen",
                        "Fastlegene har for lange lister.",
                    ),
                    section("a", 1, "Økonomi", "Sykehusene har underskudd."),
                ],
            )
            .unwrap();
        batch.commit().unwrap();
        assert_eq!(index.len(), 2);

        let request = |query: &str| SearchRequest {
            query: query.into(),
            limit: 10,
            ..SearchRequest::default()
        };
        let results = index.search(&request("fastlegen")).unwrap();
        assert_eq!(results.total, 1);
        assert_eq!(
            results.hits[0].section.heading.as_deref(),
            Some("Fastlegeordningen")
        );
        let results = index.search(&request("sykehus")).unwrap();
        assert_eq!(results.hits[0].section.number.as_deref(), Some("2"));
        assert!(!results.hits[0].highlights.is_empty());

        let err = index
            .search(&request("fastlege AND ("))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("invalid query"), "{err}");

        // Replacing a source drops its old sections.
        let mut batch = index.begin().unwrap();
        batch
            .replace_source("a", &[section("a", 0, "Nytt", "Berre ein seksjon no.")])
            .unwrap();
        batch.commit().unwrap();
        assert_eq!(index.sections_of("a").unwrap().len(), 1);
        assert_eq!(index.search(&request("sykehus")).unwrap().total, 0);
    }

    fn best_match_index(dir: &Path) -> SectionIndex {
        let index = SectionIndex::open_or_create(dir).unwrap();
        let mut batch = index.begin().unwrap();
        batch
            .replace_source(
                "a",
                &[
                    section(
                        "a",
                        0,
                        "Fastleger",
                        "Fastlegene har lange lister. Fastlegene i distriktene er få.",
                    ),
                    section("a", 1, "Sykehus", "Sykehusene har underskudd."),
                    section(
                        "a",
                        2,
                        "Samarbeid",
                        "Fastlegen og sykehuset må samarbeide om utskrivning.",
                    ),
                    section(
                        "a",
                        3,
                        "Personell",
                        "Kommunen må skaffe og beholde sykepleiere, og det er mangel på folk.",
                    ),
                ],
            )
            .unwrap();
        batch.commit().unwrap();
        index
    }

    fn ask(index: &SectionIndex, query: &str) -> SearchResults {
        index
            .search(&SearchRequest {
                query: query.into(),
                limit: 10,
                ..SearchRequest::default()
            })
            .unwrap()
    }

    fn numbers(results: &SearchResults) -> Vec<&str> {
        results
            .hits
            .iter()
            .map(|h| h.section.number.as_deref().unwrap_or(""))
            .collect()
    }

    #[test]
    fn best_match_ranks_by_coverage_and_never_returns_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let index = best_match_index(dir.path());
        // Both words in section 3 only; the rest follow by their own scores.
        let results = ask(&index, "fastlege sykehus");
        assert!(results.all_words);
        assert_eq!(numbers(&results)[0], "3", "{:?}", numbers(&results));
        assert_eq!(results.total, 3);
        assert_eq!(results.hits[0].matched, vec!["fastlege", "sykehus"]);
        assert_eq!(results.hits[1].matched.len(), 1);
        // No section has both: some of them, said so.
        let results = ask(&index, "fastlege underskudd");
        assert!(!results.all_words);
        assert_eq!(results.total, 3);
        // Stop words typed among other words neither rank nor count.
        assert!(ask(&index, "sykehus som har").all_words);
        // A word no section has does not empty the list.
        let results = ask(&index, "sykehus sjiraff");
        assert!(!results.all_words && results.total == 2);
    }

    #[test]
    fn explicit_operators_keep_their_meaning() {
        let dir = tempfile::tempdir().unwrap();
        let index = best_match_index(dir.path());
        assert_eq!(numbers(&ask(&index, "+fastlege sykehus")), vec!["3", "1"]);
        assert_eq!(numbers(&ask(&index, "fastlege AND sykehus")), vec!["3"]);
        assert_eq!(numbers(&ask(&index, "\"lange lister\" sykehus")), vec!["1"]);
        assert_eq!(numbers(&ask(&index, "fastlege -sykehus")), vec!["1"]);
        assert_eq!(
            ask(&index, "(fastlege sykehus) OR underskudd").total,
            2,
            "inside a group all words are required"
        );
        // Filters restrict; they do not turn optional words into "anything".
        assert_eq!(ask(&index, "fastlege kind:nou").total, 2);
        assert_eq!(ask(&index, "sjiraff kind:nou").total, 0);
    }

    #[test]
    fn hits_say_what_they_were_found_via() {
        let dir = tempfile::tempdir().unwrap();
        let index = best_match_index(dir.path());
        let results = ask(&index, "rekruttering");
        assert_eq!(numbers(&results), vec!["4"]);
        let hit = &results.hits[0];
        assert!(hit.matched.is_empty());
        assert!(
            hit.found_via
                .iter()
                .any(|v| v.term == "rekruttering" && v.via == "skaffe og beholde"),
            "{:?}",
            hit.found_via
        );
        assert!(
            found_via_text(&hit.found_via)
                .unwrap()
                .starts_with("funnet via: rekruttering ≈ ")
        );
        // Without expansion the word alone finds nothing.
        let none = index
            .search(&SearchRequest {
                query: "rekruttering".into(),
                limit: 10,
                expand: Some(Expand::default()),
                ..SearchRequest::default()
            })
            .unwrap();
        assert_eq!(none.total, 0);
        // A compound the index lacks is split into words it has.
        let results = ask(&index, "sykepleiermangel");
        assert_eq!(numbers(&results), vec!["4"]);
        assert_eq!(results.hits[0].found_via[0].via, "sykepleier + mangel");
    }

    #[test]
    fn missing_index_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = SectionIndex::open(dir.path()).err().unwrap().to_string();
        assert!(err.contains("run `samspor run`"), "{err}");
    }
}

// ---- Added for tracking (track branch): what the index holds per source, and compaction. ----

/// What the index holds for one source: how many sections carry each document version. After
/// any commit every source has exactly one version (a source is replaced as a whole).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IndexedSource {
    pub versions: std::collections::BTreeMap<String, u64>,
}

impl IndexedSource {
    /// The single version the source's sections carry, if they agree.
    pub fn version(&self) -> Option<&str> {
        match self.versions.len() {
            1 => self.versions.keys().next().map(String::as_str),
            _ => None,
        }
    }

    pub fn sections(&self) -> u64 {
        self.versions.values().sum()
    }
}

/// What [`SectionIndex::compact`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Compaction {
    pub segments_before: usize,
    pub segments_after: usize,
    pub deleted_docs_purged: u64,
    pub files_removed: usize,
}

impl SectionIndex {
    /// Per source, the versions its sections carry and how many. Reads term dictionaries and
    /// counts (deletes respected), never stored documents, except to read a version when a
    /// source's sections disagree.
    pub fn indexed_sources(
        &self,
    ) -> Result<std::collections::BTreeMap<String, IndexedSource>, IndexError> {
        let searcher = self.reader.searcher();
        let mut sources = std::collections::BTreeSet::new();
        let mut versions = std::collections::BTreeSet::new();
        for segment in searcher.segment_readers() {
            for (field, names) in [
                (self.fields.source, &mut sources),
                (self.fields.version, &mut versions),
            ] {
                let inverted = segment.inverted_index(field).map_err(|e| self.err(e))?;
                let mut stream = inverted.terms().stream().map_err(|e| IndexError::Io {
                    dir: self.dir.display().to_string(),
                    source: e,
                })?;
                while stream.advance() {
                    if let Ok(name) = std::str::from_utf8(stream.key()) {
                        names.insert(name.to_string());
                    }
                }
            }
        }
        let count = |query: &dyn Query| searcher.search(query, &Count).map_err(|e| self.err(e));
        let term = |field: Field, value: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, value),
                IndexRecordOption::Basic,
            ))
        };
        let mut out = std::collections::BTreeMap::new();
        for source in sources {
            let total = count(&*term(self.fields.source, &source))? as u64;
            if total == 0 {
                continue; // only deleted documents carry it
            }
            let mut state = IndexedSource::default();
            // Usually every section carries the version of its first one: two counts settle it.
            let top = searcher
                .search(
                    &*term(self.fields.source, &source),
                    &TopDocs::with_limit(1).order_by_score(),
                )
                .map_err(|e| self.err(e))?;
            if let Some((_, address)) = top.first() {
                let section = self.load(*address)?;
                let both = BooleanQuery::new(vec![
                    (Occur::Must, term(self.fields.source, &source)),
                    (Occur::Must, term(self.fields.version, &section.version)),
                ]);
                if count(&both)? as u64 == total {
                    state.versions.insert(section.version, total);
                    out.insert(source, state);
                    continue;
                }
            }
            for version in &versions {
                let both = BooleanQuery::new(vec![
                    (Occur::Must, term(self.fields.source, &source)),
                    (Occur::Must, term(self.fields.version, version)),
                ]);
                let n = count(&both)? as u64;
                if n > 0 {
                    state.versions.insert(version.clone(), n);
                }
                if state.sections() == total {
                    break;
                }
            }
            out.insert(source, state);
        }
        Ok(out)
    }

    /// Keeps the index near the size of a fresh build: when segments are many or carry many
    /// deleted documents (each re-indexed source leaves its old sections deleted in older
    /// segments), merges them all into one, then removes files no commit refers to, including
    /// those a killed run left behind. Returns what it did; cheap when nothing is wasted.
    pub fn compact(&self) -> Result<Compaction, IndexError> {
        /// Merge when more than this share of stored documents is deleted …
        const MAX_DELETED_RATIO: f64 = 0.2;
        /// … or when there are more segments than this (each repeats the term dictionaries;
        /// merging an index of this size takes milliseconds).
        const MAX_SEGMENTS: usize = 2;
        let metas = self
            .index
            .searchable_segment_metas()
            .map_err(|e| self.err(e))?;
        let stored: u64 = metas.iter().map(|m| u64::from(m.max_doc())).sum();
        let deleted: u64 = metas.iter().map(|m| u64::from(m.num_deleted_docs())).sum();
        let mut report = Compaction {
            segments_before: metas.len(),
            segments_after: metas.len(),
            ..Compaction::default()
        };
        let wasteful = metas.len() > MAX_SEGMENTS
            || (stored > 0 && deleted as f64 / stored as f64 > MAX_DELETED_RATIO);
        let ids: Vec<_> = metas.iter().map(|m| m.id()).collect();
        // A live `SegmentMeta` keeps its segment's files from garbage collection.
        drop(metas);
        // The smallest writer tantivy allows: compaction adds no documents.
        let mut writer: IndexWriter = self
            .index
            .writer_with_num_threads(1, 15_000_000)
            .map_err(|e| self.err(e))?;
        if wasteful && !ids.is_empty() {
            writer.merge(&ids).wait().map_err(|e| self.err(e))?;
            report.deleted_docs_purged = deleted;
            report.segments_after = self
                .index
                .searchable_segment_ids()
                .map_err(|e| self.err(e))?
                .len();
        }
        // Segments stay alive (and their files on disk) while any searcher holds them: move
        // this index's reader to the latest commit before collecting.
        self.reload()?;
        let collected = writer
            .garbage_collect_files()
            .wait()
            .map_err(|e| self.err(e))?;
        report.files_removed = collected.deleted_files.len();
        writer.wait_merging_threads().map_err(|e| self.err(e))?;
        Ok(report)
    }
}

// ---- Added for search by meaning (`embed`): sections by key, and the commit they belong to. ----

impl SectionIndex {
    /// The latest commit's opstamp: changes with every commit.
    pub fn commit_stamp(&self) -> Result<u64, IndexError> {
        Ok(self.index.load_metas().map_err(|e| self.err(e))?.opstamp)
    }

    /// The sections with these keys (`source#ordinal`), in the order given; unknown keys are
    /// skipped.
    /// The sections with these keys that pass every filter: the filters are the ones a search
    /// applies ([`compile::filter_query`]), so search by meaning restricts exactly as search by
    /// words does.
    pub fn sections_by_keys_passing(
        &self,
        keys: &[&str],
        filters: &[query::Filter],
    ) -> Result<Vec<IndexedSection>, IndexError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let any_key: Vec<(Occur, Box<dyn Query>)> = keys
            .iter()
            .map(|key| {
                let q: Box<dyn Query> = Box::new(TermQuery::new(
                    Term::from_field_text(self.fields.key, key),
                    IndexRecordOption::Basic,
                ));
                (Occur::Should, q)
            })
            .collect();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, Box::new(BooleanQuery::new(any_key)))];
        for filter in filters {
            clauses.push((Occur::Must, compile::filter_query(filter, &self.fields)));
        }
        self.collect_all(&BooleanQuery::new(clauses))
    }

    pub fn sections_by_keys(&self, keys: &[&str]) -> Result<Vec<IndexedSection>, IndexError> {
        let searcher = self.reader.searcher();
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            let query = TermQuery::new(
                Term::from_field_text(self.fields.key, key),
                IndexRecordOption::Basic,
            );
            let top = searcher
                .search(&query, &TopDocs::with_limit(1).order_by_score())
                .map_err(|e| self.err(e))?;
            if let Some((_, address)) = top.first() {
                out.push(self.load(*address)?);
            }
        }
        Ok(out)
    }
}
