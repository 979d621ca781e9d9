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
mod inventory;
pub mod query;
mod search;
mod snippet;
pub mod thesaurus;

pub use compile::{Expand, lead};
pub use inventory::{Compaction, IndexedSource};
pub use search::{
    DEFAULT_EXPAND, DEFAULT_PER_SOURCE, FoundVia, MAX_HITS, SOME_WORDS_MESSAGE, SearchHit,
    SearchRequest, SearchResults, VIA_MEANING, found_via_text, highlight_pieces,
};

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
mod tests;
