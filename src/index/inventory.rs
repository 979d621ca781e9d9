//! What the index holds per source, compaction, and sections by key for search by meaning.

use super::*;
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
