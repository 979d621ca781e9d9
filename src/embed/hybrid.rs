//! Hybrid search: the lexical ranking (`SectionIndex::search`) fused with the sections nearest
//! the query's embedding, by reciprocal rank fusion.
//!
//! Only a best match (words and references side by side, optionally with filters) is widened
//! by meaning. A query with explicit operators (`OR`, `-word`, `+word`, `AND`, quotes, groups,
//! prefixes) means exactly what it says: it is answered by the words alone, so a section an
//! operator excludes can never come back through the vectors. Filters (`kind:`, `source:`,
//! `theme:`, `year:` and the request's own) restrict the nearest sections too, through the
//! index's own filter queries.
//!
//! The query's vector is the model's embedding of its words, moved towards the vectors of the
//! best lexical hits (pseudo-relevance feedback, [`Fusion::feedback`]); a query of references
//! alone ("§ 6-2 a") has no words to embed and uses the lexical hits' vectors only.
//!
//! Each hit the vectors contributed says so: `found_via` gets `{"term": <the words>, "via":
//! "betydning", "similarity": 0.84}` ("funnet via: betydning (likhet 0,84)").

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use super::passages::Passages;
use super::store::{self, Vectors};
use super::{Embedder, passage_text};
use crate::config::EmbeddingSettings;
use crate::index::query::{Filter, Node};
use crate::index::{
    DEFAULT_PER_SOURCE, FoundVia, IndexError, IndexedSection, SearchHit, SearchRequest,
    SearchResults, SectionIndex, VIA_MEANING,
};

/// How the two rankings are fused. Chosen on the dev queries (`examples/search_eval.rs
/// --semantic`); see README "Search by meaning".
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fusion {
    /// Reciprocal rank fusion's constant: score = 1/(k + lexical rank) + w/(k + dense rank).
    pub k: f32,
    /// Weight `w` of the dense ranking (the lexical one has 1).
    pub dense_weight: f32,
    /// Weight of the dense ranking when no lexical hit has every word of the query: the words
    /// alone are a weak signal then.
    pub weak_dense_weight: f32,
    /// Candidates taken from each ranking.
    pub depth: usize,
    /// Nearest sections more than this below the nearest one's similarity are not taken.
    pub max_gap: f32,
    /// Lexical hits containing every word of the query stay above the rest.
    pub all_words_first: bool,
    /// Rank by the vectors alone (evaluation only).
    pub dense_only: bool,
    /// Pseudo-relevance feedback: the query vector plus `feedback_weight` × the mean vector of
    /// the best `feedback` lexical hits (0: the query's own vector only; references alone are
    /// then not searched by meaning).
    pub feedback: usize,
    pub feedback_weight: f32,
    /// How much a section's best passage counts: its similarity is (1 − p) × the section
    /// vector's + p × the best of the section vector's and its passages' (0: section vectors
    /// only; 1: max-sim over the section and its passages).
    pub passage_weight: f32,
}

/// nDCG@10 on eval/v2/queries-dev.toml (23 queries) and eval/queries.toml (61): lexical 0.780
/// and 0.888, dense only 0.750 and 0.792, k 10, w 0.75 without feedback 0.810 and 0.890; w 1
/// gave 0.812 and 0.885, k 30 or 60 within 0.01; keeping all-word hits first or cutting far
/// neighbours (`max_gap` 0.05) did not help on the v2 dev set. Then (`--compare-semantic`,
/// nDCG@10 on v2 dev / v2 test / v2 test2 / eval/queries.toml, all now dev sets): without
/// feedback 0.810 / 0.755 / 0.706 / 0.890; feedback from the best 3 lexical hits at half weight
/// and the dense weight 1.5 when no hit has every word 0.828 / 0.777 / 0.707 / 0.897 (5 hits or
/// weight 1 were within ±0.01, 10 hits lower).
/// Passages (max-sim over 3-sentence windows, `search_eval --passages`) on v2 dev / test / test2 /
/// test3 / eval/queries.toml: weight 0 (none) 0.828 / 0.777 / 0.707 / 0.678 / 0.897; 0.3 0.821 /
/// 0.776 / 0.711 / 0.672; 0.5 0.820 / 0.778 / 0.724 / 0.669; 1 test3 0.668, eval/queries.toml
/// 0.898: not taken (the judged sections are short, 60–115 words, so a window is most of its
/// section), and passages are not embedded by the index stage (2.2 windows per section).
pub const DEFAULT_FUSION: Fusion = Fusion {
    k: 10.0,
    dense_weight: 0.75,
    weak_dense_weight: 1.5,
    depth: 50,
    max_gap: 1.0,
    all_words_first: false,
    dense_only: false,
    feedback: 3,
    feedback_weight: 0.5,
    passage_weight: 0.0,
};

/// The model and the section vectors search needs.
pub struct Semantic {
    embedder: Arc<dyn Embedder>,
    vectors: Vectors,
    /// The sections' passage vectors, when there are any of this model.
    passages: Option<Passages>,
    pub fusion: Fusion,
}

impl Semantic {
    pub fn new(embedder: Box<dyn Embedder>, vectors: Vectors) -> Semantic {
        Semantic {
            embedder: Arc::from(embedder),
            vectors,
            passages: None,
            fusion: DEFAULT_FUSION,
        }
    }

    /// With passage vectors ([`super::passages`]).
    pub fn with_passages(mut self, passages: Option<Passages>) -> Semantic {
        self.passages = passages.filter(|p| !p.is_empty());
        self
    }

    /// The model (per the settings) and the index dir's vectors; `None`, with one warning when
    /// something is wrong, when search must go by words alone.
    pub fn load(index_dir: &Path, settings: &EmbeddingSettings) -> Option<Semantic> {
        let embedder: Arc<dyn Embedder> = Arc::from(super::open_or_warn(settings)?);
        Semantic::with_vectors_of(embedder, index_dir)
    }

    /// A loaded model and the index dir's vectors, when they are of that model.
    fn with_vectors_of(embedder: Arc<dyn Embedder>, index_dir: &Path) -> Option<Semantic> {
        let path = store::path_in(index_dir);
        match Vectors::read(&path) {
            Ok(Some(vectors))
                if vectors.model == embedder.model_id() && vectors.dim == embedder.dim() =>
            {
                let passages = Passages::read(index_dir, embedder.model_id(), embedder.dim());
                Some(Semantic {
                    embedder,
                    vectors,
                    passages,
                    fusion: DEFAULT_FUSION,
                })
            }
            Ok(_) => {
                tracing::warn!(
                    "search by meaning is off: no section vectors of {} in {}: run `samspor index`",
                    embedder.model_id(),
                    path.display()
                );
                None
            }
            Err(e) => {
                tracing::warn!("search by meaning is off: {e}");
                None
            }
        }
    }

    pub fn vectors(&self) -> &Vectors {
        &self.vectors
    }
}

/// For a long-running reader (`serve`): the [`Semantic`] of an index dir. The model is loaded
/// on first use; when that fails (not installed yet, a broken install) it is tried again after
/// [`RETRY_FIRST`], doubling up to [`RETRY_MAX`], so a model installed after the server started
/// is picked up without a restart. The vectors are loaded on first use and again whenever the
/// vector file changes (a nightly run's new sections).
pub struct SemanticCache {
    settings: EmbeddingSettings,
    index_dir: std::path::PathBuf,
    model: std::sync::Mutex<ModelSlot>,
    /// The vector file's modification time when loaded, and what was loaded.
    slot: std::sync::Mutex<Option<Loaded>>,
}

/// The first wait before loading a missing model again, and the longest.
pub const RETRY_FIRST: std::time::Duration = std::time::Duration::from_secs(5);
pub const RETRY_MAX: std::time::Duration = std::time::Duration::from_secs(300);

#[derive(Default)]
struct ModelSlot {
    model: Option<Arc<dyn Embedder>>,
    /// When the next attempt may be made (`None`: not tried yet), and the wait after it.
    next_try: Option<std::time::Instant>,
    wait: std::time::Duration,
}

impl ModelSlot {
    /// The model, loading it with `load` when none is loaded and the back-off allows.
    fn get(
        &mut self,
        now: std::time::Instant,
        load: impl FnOnce() -> Option<Arc<dyn Embedder>>,
    ) -> Option<Arc<dyn Embedder>> {
        if self.model.is_none() && self.next_try.is_none_or(|at| now >= at) {
            self.model = load();
            if self.model.is_none() {
                self.wait = if self.wait.is_zero() {
                    RETRY_FIRST
                } else {
                    (self.wait * 2).min(RETRY_MAX)
                };
                self.next_try = Some(now + self.wait);
            }
        }
        self.model.clone()
    }
}

/// (vector file's modification time, whether a model was loaded) → what was loaded.
type Loaded = ((Option<std::time::SystemTime>, bool), Option<Arc<Semantic>>);

impl SemanticCache {
    pub fn new(index_dir: &Path, settings: EmbeddingSettings) -> SemanticCache {
        SemanticCache {
            settings,
            index_dir: index_dir.to_path_buf(),
            model: std::sync::Mutex::new(ModelSlot::default()),
            slot: std::sync::Mutex::new(None),
        }
    }

    /// The current one, or `None` when search goes by words (said once per file version).
    pub fn get(&self) -> Option<Arc<Semantic>> {
        if super::wanted(&self.settings) == Some(false) {
            return None;
        }
        let embedder = self.model.lock().ok()?.get(std::time::Instant::now(), || {
            super::open_or_warn(&self.settings).map(Arc::from)
        });
        let modified = std::fs::metadata(store::path_in(&self.index_dir))
            .and_then(|m| m.modified())
            .ok();
        let state = (modified, embedder.is_some());
        let mut slot = self.slot.lock().ok()?;
        match &*slot {
            Some((when, semantic)) if *when == state => semantic.clone(),
            _ => {
                let semantic = embedder
                    .and_then(|e| Semantic::with_vectors_of(e, &self.index_dir))
                    .map(Arc::new);
                *slot = Some((state, semantic.clone()));
                semantic
            }
        }
    }
}

/// A best match of words and references: what is embedded, and the filters that restrict.
#[derive(Debug, PartialEq)]
struct Plain {
    /// The words and references as typed, in order (empty: references alone).
    words: String,
    filters: Vec<Filter>,
}

fn plain(node: &Node) -> Option<Plain> {
    let items = match node {
        Node::Best(items) => items.as_slice(),
        other => std::slice::from_ref(other),
    };
    let mut words = Vec::new();
    let mut filters = Vec::new();
    for item in items {
        match item {
            Node::Word(word) => words.push(word.as_str()),
            Node::Reference { written, .. } | Node::Agreement { written, .. } => {
                words.push(written.as_str());
            }
            Node::Filter(filter) => filters.push(filter.clone()),
            _ => return None,
        }
    }
    (!words.is_empty()).then(|| Plain {
        words: words.join(" "),
        filters,
    })
}

/// Whether a best-match query names a document ("§ 6-2 a", "tjenesteavtale 3 utskriving"):
/// then its hits may all come from that document.
fn names_document(node: &Node) -> bool {
    let items = match node {
        Node::Best(items) => items.as_slice(),
        other => std::slice::from_ref(other),
    };
    items.iter().any(|item| {
        let inner = match item {
            Node::Required(inner) => inner,
            other => other,
        };
        matches!(inner, Node::Reference { .. } | Node::Agreement { .. })
    })
}

/// Most sections loaded to find the nearest ones that pass the filters.
const MAX_EXAMINED: usize = 2000;
const SNIPPET_CHARS: usize = 240;

/// The sections nearest `query`, best first, with their similarity: at most `depth`, passing
/// every filter, and only where the stored vector is of the section's current text.
fn nearest(
    index: &SectionIndex,
    semantic: &Semantic,
    query: &[f32],
    filters: &[Filter],
    fusion: &Fusion,
) -> Result<Vec<(IndexedSection, f32)>, IndexError> {
    let vectors = &semantic.vectors;
    let mut sims = vectors.similarities(query);
    if let Some(passages) = &semantic.passages
        && fusion.passage_weight > 0.0
    {
        with_passages(&mut sims, vectors, passages, query, fusion.passage_weight);
    }
    // A cheap first cut by the key's source; the index applies every filter below.
    let source_filter: Vec<&str> = filters
        .iter()
        .filter_map(|f| match f {
            Filter::Source(id) => Some(id.as_str()),
            _ => None,
        })
        .collect();
    let mut order: Vec<usize> = (0..sims.len())
        .filter(|&i| {
            let source = vectors.key(i).rsplit_once('#').map_or("", |(s, _)| s);
            source_filter.iter().all(|s| *s == source)
        })
        .collect();
    let cmp = |a: &usize, b: &usize| sims[*b].total_cmp(&sims[*a]);
    let wanted = (fusion.depth * 4).min(MAX_EXAMINED);
    if order.len() > wanted {
        order.select_nth_unstable_by(wanted, cmp);
        order.truncate(wanted);
    }
    order.sort_by(cmp);
    let Some(best) = order.first().map(|&i| sims[i]) else {
        return Ok(Vec::new());
    };
    order.retain(|&i| sims[i] >= best - fusion.max_gap);
    let mut out = Vec::new();
    for chunk in order.chunks(fusion.depth.max(1)) {
        let keys: Vec<&str> = chunk.iter().map(|&i| vectors.key(i)).collect();
        let sections = index.sections_by_keys_passing(&keys, filters)?;
        let mut by_key: HashMap<String, IndexedSection> =
            sections.into_iter().map(|s| (s.key(), s)).collect();
        for &i in chunk {
            let Some(section) = by_key.remove(vectors.key(i)) else {
                continue;
            };
            if store::section_hash(&section) != *vectors.hash(i) {
                continue;
            }
            out.push((section, sims[i]));
            if out.len() >= fusion.depth {
                return Ok(out);
            }
        }
    }
    Ok(out)
}

/// Sections whose passages are compared with the query: the nearest by their section vector
/// (a passage rarely lifts a section from far below; this bounds the work at any corpus size).
const PASSAGE_CANDIDATES: usize = 3000;

/// Raises each candidate's similarity towards its best passage's (see
/// [`Fusion::passage_weight`]); the candidates are the [`PASSAGE_CANDIDATES`] nearest sections.
fn with_passages(
    sims: &mut [f32],
    vectors: &Vectors,
    passages: &Passages,
    query: &[f32],
    weight: f32,
) {
    let mut candidates: Vec<usize> = (0..sims.len()).collect();
    if candidates.len() > PASSAGE_CANDIDATES {
        candidates.select_nth_unstable_by(PASSAGE_CANDIDATES, |a, b| sims[*b].total_cmp(&sims[*a]));
        candidates.truncate(PASSAGE_CANDIDATES);
    }
    for i in candidates {
        if let Some(best) = passages.best(vectors.key(i), query) {
            let own = sims[i];
            sims[i] = own + weight * (best.max(own) - own);
        }
    }
}

/// The query vector moved towards the stored vectors of the best lexical hits (unit length);
/// `own` is `None` for a query of references alone. `None` when there is nothing to search with.
fn feedback_vector(
    own: Option<Vec<f32>>,
    lexical: &SearchResults,
    vectors: &Vectors,
    fusion: &Fusion,
) -> Option<Vec<f32>> {
    let mut sum = vec![0.0f32; vectors.dim];
    let mut used = 0usize;
    if fusion.feedback > 0 {
        for hit in lexical.hits.iter().take(fusion.feedback) {
            if let Some(i) = vectors.find(&hit.section.key())
                && store::section_hash(&hit.section) == *vectors.hash(i)
            {
                for (s, v) in sum.iter_mut().zip(vectors.vector(i)) {
                    *s += v;
                }
                used += 1;
            }
        }
    }
    let mut query = match (own, used) {
        (own, 0) => return own,
        (Some(own), n) => {
            let weight = fusion.feedback_weight / n as f32;
            own.iter().zip(&sum).map(|(q, s)| q + weight * s).collect()
        }
        (None, _) => sum,
    };
    let norm = query.iter().map(|v| v * v).sum::<f32>().sqrt();
    if !(norm.is_finite() && norm > 0.0) {
        return None;
    }
    query.iter_mut().for_each(|v| *v /= norm);
    Some(query)
}

/// Searches by words and, for a best match of words or references, by meaning; without
/// `semantic` (or for a query with operators) exactly `SectionIndex::search`, except that a
/// query naming a document may fill the page from it.
pub fn search(
    index: &SectionIndex,
    request: &SearchRequest,
    semantic: Option<&Semantic>,
) -> Result<SearchResults, IndexError> {
    let node = crate::index::query::parse(&request.query).map_err(|error| IndexError::Query {
        query: request.query.clone(),
        error,
    })?;
    let own_request;
    let request = if request.max_per_source.is_none() && names_document(&node) {
        own_request = SearchRequest {
            max_per_source: Some(0),
            ..request.clone()
        };
        &own_request
    } else {
        request
    };
    let (Some(semantic), Some(plain)) = (semantic, plain(&node)) else {
        return index.search_parsed(&node, request);
    };
    let fusion = semantic.fusion;
    // References alone have no words for the model: feedback alone searches for them.
    let own_vector = if plain.words.chars().any(char::is_alphabetic) && !plain_is_references(&node)
    {
        match semantic.embedder.embed_query(&plain.words) {
            Ok(v) => Some(v),
            Err(e) => {
                tracing::warn!("search by meaning skipped: {e}");
                return index.search_parsed(&node, request);
            }
        }
    } else {
        None
    };
    if own_vector.is_none() && fusion.feedback == 0 {
        return index.search_parsed(&node, request);
    }
    let mut filters = plain.filters;
    filters.extend(
        [
            request.source.clone().map(Filter::Source),
            request.theme.clone().map(Filter::Theme),
            request.kind.clone().map(Filter::Kind),
            request.year.map(|y| Filter::Year { from: y, to: y }),
        ]
        .into_iter()
        .flatten(),
    );
    let lexical = index.search_parsed(
        &node,
        &SearchRequest {
            limit: fusion.depth.max(request.limit),
            max_per_source: Some(0),
            ..request.clone()
        },
    )?;
    let Some(query_vector) = feedback_vector(own_vector, &lexical, &semantic.vectors, &fusion)
    else {
        return index.search_parsed(&node, request);
    };
    let lexical = if fusion.dense_only {
        SearchResults {
            total: 0,
            hits: Vec::new(),
            all_words: true,
        }
    } else {
        lexical
    };
    let dense = nearest(index, semantic, &query_vector, &filters, &fusion)?;
    Ok(fuse(lexical, dense, &plain.words, request, &fusion))
}

/// A best match of references only ("§ 6-2 a", "NOU 2023: 4 tjenesteavtale 3").
fn plain_is_references(node: &Node) -> bool {
    let items = match node {
        Node::Best(items) => items.as_slice(),
        other => std::slice::from_ref(other),
    };
    items.iter().all(|i| {
        matches!(
            i,
            Node::Reference { .. } | Node::Agreement { .. } | Node::Filter(_)
        )
    })
}

struct Entry {
    hit: SearchHit,
    fused: f32,
    all_words: bool,
}

fn fuse(
    lexical: SearchResults,
    dense: Vec<(IndexedSection, f32)>,
    words: &str,
    request: &SearchRequest,
    fusion: &Fusion,
) -> SearchResults {
    let rrf = |rank: usize, weight: f32| weight / (fusion.k + rank as f32 + 1.0);
    let lexical_count = lexical.hits.len();
    // A hit with every word matched as many optional words as the best one, when some hit has
    // them all (stop words never count as words).
    let most = lexical
        .hits
        .iter()
        .map(|h| h.matched.len())
        .max()
        .unwrap_or(0);
    let mut entries: Vec<Entry> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for (rank, hit) in lexical.hits.into_iter().enumerate() {
        at.insert(hit.section.key(), entries.len());
        entries.push(Entry {
            fused: rrf(rank, 1.0),
            all_words: lexical.all_words && most > 0 && hit.matched.len() == most,
            hit,
        });
    }
    // No hit with every word (or none at all): lean more on the meaning.
    let dense_weight = if lexical.all_words && lexical_count > 0 {
        fusion.dense_weight
    } else {
        fusion.weak_dense_weight
    };
    let mut added = 0;
    for (rank, (section, similarity)) in dense.into_iter().enumerate() {
        let via = FoundVia {
            term: words.to_string(),
            via: VIA_MEANING.to_string(),
            similarity: Some((similarity * 100.0).round() / 100.0),
        };
        let bonus = rrf(rank, dense_weight);
        match at.get(&section.key()) {
            Some(&i) => {
                let entry = &mut entries[i];
                entry.fused += bonus;
                if !entry.all_words {
                    entry.hit.found_via.push(via);
                }
            }
            None => {
                added += 1;
                entries.push(Entry {
                    fused: bonus,
                    all_words: false,
                    hit: SearchHit {
                        snippet: crate::index::lead(&section.text, SNIPPET_CHARS),
                        section,
                        score: 0.0,
                        highlights: Vec::new(),
                        matched: Vec::new(),
                        found_via: vec![via],
                    },
                });
            }
        }
    }
    entries.sort_by(|a, b| {
        let group = |e: &Entry| fusion.all_words_first && e.all_words;
        group(b).cmp(&group(a)).then(b.fused.total_cmp(&a.fused))
    });
    let per_source = match (&request.source, request.max_per_source) {
        (Some(_), _) | (_, Some(0)) => usize::MAX,
        (None, Some(n)) => n,
        (None, None) => DEFAULT_PER_SOURCE,
    };
    let limit = request.limit.clamp(1, crate::index::MAX_HITS);
    let hits = diversify(entries, per_source, limit)
        .into_iter()
        .map(|mut e| {
            // The fused score, scaled so the best possible hit (first in both) is about 1.
            e.hit.score = e.fused * (fusion.k + 1.0) / (1.0 + fusion.dense_weight);
            e.hit
        })
        .collect();
    let total = if lexical.total > lexical_count {
        lexical.total + added
    } else {
        lexical_count + added
    };
    SearchResults {
        total,
        hits,
        all_words: lexical.all_words,
    }
}

/// At most `per_source` hits of one source before every other source's hits; keeps `limit`.
fn diversify(entries: Vec<Entry>, per_source: usize, limit: usize) -> Vec<Entry> {
    let mut taken: HashMap<String, usize> = HashMap::new();
    let (mut first, mut deferred) = (Vec::new(), Vec::new());
    for entry in entries {
        let count = taken.entry(entry.hit.section.source.clone()).or_insert(0);
        if *count < per_source {
            *count += 1;
            first.push(entry);
        } else {
            deferred.push(entry);
        }
    }
    first.extend(deferred);
    first.truncate(limit);
    first
}

/// What a section's passage is, for callers that embed one section (`themes`, tests).
pub fn section_passage(section: &IndexedSection) -> String {
    passage_text(section.heading.as_deref(), &section.text)
}

#[cfg(test)]
mod tests {
    use super::super::fake::{FakeEmbedder, section};
    use super::*;

    fn setup(dir: &Path) -> (SectionIndex, Semantic) {
        let index = SectionIndex::open_or_create(dir).unwrap();
        let mut batch = index.begin().unwrap();
        let mut sections = vec![
            section(
                "a",
                0,
                "Fastleger",
                "Fastlegene har lange lister i distriktene.",
            ),
            section(
                "a",
                1,
                "Sykehus",
                "Sykehusene har underskudd og lange køer.",
            ),
            section(
                "a",
                2,
                "Personell",
                "Kommunen må skaffe og beholde sykepleiere i hjemmetjenestene.",
            ),
        ];
        sections[1].kind = "prop".into();
        batch.replace_source("a", &sections).unwrap();
        batch
            .replace_source(
                "b",
                &[section(
                    "b",
                    0,
                    "Legevakt",
                    "Legevakten og fastlegene samarbeider.",
                )],
            )
            .unwrap();
        batch.commit().unwrap();
        let fake = FakeEmbedder::new();
        let path = store::path_in(dir);
        store::sync(&index, &fake, &path, None).unwrap();
        let vectors = Vectors::read(&path).unwrap().unwrap();
        super::super::passages::sync(&index, &fake, &super::super::passages::path_in(dir), None)
            .unwrap();
        let passages = Passages::read(dir, "fake-1", 512);
        (
            index,
            Semantic::new(Box::new(fake), vectors).with_passages(passages),
        )
    }

    fn ask(index: &SectionIndex, semantic: &Semantic, query: &str) -> SearchResults {
        search(
            index,
            &SearchRequest {
                query: query.into(),
                limit: 10,
                ..SearchRequest::default()
            },
            Some(semantic),
        )
        .unwrap()
    }

    fn keys(results: &SearchResults) -> Vec<String> {
        results.hits.iter().map(|h| h.section.key()).collect()
    }

    #[test]
    fn plain_queries_only() {
        let plain_of = |q: &str| {
            crate::index::query::parse(q)
                .ok()
                .and_then(|node| plain(&node))
        };
        assert_eq!(
            plain_of("fastlege rekruttering kind:nou"),
            Some(Plain {
                words: "fastlege rekruttering".into(),
                filters: vec![Filter::Kind("nou".into())]
            })
        );
        // References are words of a best match: embedded as typed.
        assert_eq!(
            plain_of("tjenesteavtale 3 utskriving").map(|p| p.words),
            Some("tjenesteavtale 3 utskriving".into())
        );
        for query in [
            "fastlege -sykehus",
            "+fastlege sykehus",
            "fastlege OR sykehus",
            "\"lange lister\"",
            "fastlege*",
            "kind:nou",
        ] {
            assert_eq!(plain_of(query), None, "{query}");
        }
        let parse = |q: &str| crate::index::query::parse(q).unwrap();
        assert!(names_document(&parse("§ 6-2a")));
        assert!(names_document(&parse("delavtale 3 utskriving")));
        assert!(!names_document(&parse("fastlege utskriving")));
        assert!(plain_is_references(&parse("NOU 23:4")));
        assert!(!plain_is_references(&parse("NOU 23:4 sykehus")));
    }

    #[test]
    fn meaning_finds_what_words_do_not() {
        let dir = tempfile::tempdir().unwrap();
        let (index, semantic) = setup(dir.path());
        // No section has the word; the fake model maps it near "skaffe".
        let results = ask(&index, &semantic, "tilsetting");
        assert_eq!(keys(&results)[0], "a#2", "{:?}", keys(&results));
        let via = &results.hits[0].found_via;
        assert!(
            via.iter()
                .any(|v| v.via == VIA_MEANING && v.similarity.is_some_and(|s| s > 0.0)),
            "{via:?}"
        );
        let text = crate::index::found_via_text(via).unwrap();
        assert_eq!(
            text,
            format!(
                "funnet via: betydning (likhet {})",
                format!("{:.2}", via[0].similarity.unwrap()).replace('.', ",")
            )
        );
        // Without the vectors: exactly the lexical search.
        let plain_results = search(
            &index,
            &SearchRequest {
                query: "fastlege".into(),
                limit: 10,
                ..SearchRequest::default()
            },
            None,
        )
        .unwrap();
        assert!(plain_results.hits.iter().all(|h| h.found_via.is_empty()));
    }

    #[test]
    fn operators_and_filters_are_never_widened() {
        let dir = tempfile::tempdir().unwrap();
        let (index, semantic) = setup(dir.path());
        let lexical = |q: &str| {
            keys(
                &index
                    .search(&SearchRequest {
                        query: q.into(),
                        limit: 10,
                        ..SearchRequest::default()
                    })
                    .unwrap(),
            )
        };
        for query in ["fastlege -legevakt", "+sykehus fastlege", "\"lange køer\""] {
            assert_eq!(
                keys(&ask(&index, &semantic, query)),
                lexical(query),
                "{query}"
            );
        }
        // A filter restricts the nearest sections too.
        let results = ask(&index, &semantic, "tilsetting kind:prop");
        assert!(
            results.hits.iter().all(|h| h.section.kind == "prop"),
            "{:?}",
            keys(&results)
        );
        let results = search(
            &index,
            &SearchRequest {
                query: "tilsetting".into(),
                limit: 10,
                source: Some("b".into()),
                ..SearchRequest::default()
            },
            Some(&semantic),
        )
        .unwrap();
        assert!(results.hits.iter().all(|h| h.section.source == "b"));
    }

    #[test]
    fn a_missing_model_is_tried_again_with_backoff() {
        let mut slot = ModelSlot::default();
        let start = std::time::Instant::now();
        let tries = std::cell::Cell::new(0);
        let missing = || {
            tries.set(tries.get() + 1);
            None
        };
        assert!(slot.get(start, missing).is_none());
        // Not again before the first wait is over, then again, then after twice the wait.
        assert!(slot.get(start + RETRY_FIRST / 2, missing).is_none());
        assert_eq!(tries.get(), 1);
        assert!(slot.get(start + RETRY_FIRST, missing).is_none());
        assert_eq!(tries.get(), 2);
        assert!(slot.get(start + RETRY_FIRST * 2, missing).is_none());
        assert_eq!(tries.get(), 2);
        let later = start + RETRY_FIRST * 3;
        let installed = || Some(Arc::new(FakeEmbedder::new()) as Arc<dyn Embedder>);
        assert!(slot.get(later, installed).is_some());
        // Loaded once: never loaded again.
        assert!(slot.get(later, || panic!("loaded twice")).is_some());
        // The wait is bounded.
        let mut slot = ModelSlot::default();
        let mut now = start;
        for _ in 0..20 {
            slot.get(now, || None);
            now += RETRY_MAX * 2;
        }
        assert_eq!(slot.wait, RETRY_MAX);
    }

    #[test]
    fn the_cache_picks_up_a_model_installed_later() {
        let dir = tempfile::tempdir().unwrap();
        let (_index, _semantic) = setup(dir.path());
        let cache = SemanticCache::new(
            dir.path(),
            EmbeddingSettings {
                enabled: None,
                dir: Some(dir.path().join("no-model")),
            },
        );
        if std::env::var("SAMSPOR_EMBEDDINGS").as_deref() != Ok("off") {
            assert!(cache.get().is_none());
        }
        // The model "appears": the next attempt after the wait loads it.
        let mut model = cache.model.lock().unwrap();
        model.next_try = Some(std::time::Instant::now());
        let loaded = model.get(std::time::Instant::now(), || {
            Some(Arc::new(FakeEmbedder::new()) as Arc<dyn Embedder>)
        });
        assert!(loaded.is_some());
        drop(model);
        if std::env::var("SAMSPOR_EMBEDDINGS").as_deref() != Ok("off") {
            let semantic = cache.get().expect("vectors of the fake model are there");
            assert_eq!(semantic.vectors().model, "fake-1");
        }
    }

    #[test]
    fn a_best_passage_raises_its_section() {
        let mut vectors = Vectors::new("m", 2);
        vectors.push("a#0", store::text_hash("a"), &[1.0, 0.0]);
        vectors.push("a#1", store::text_hash("b"), &[0.0, 1.0]);
        let mut windows = Vectors::new("m", 2);
        windows.push("a#1", store::text_hash("b1"), &[0.0, 1.0]);
        windows.push("a#1", store::text_hash("b2"), &[0.8, 0.6]);
        let passages = Passages::new(windows);
        let query = [1.0, 0.0];
        for (weight, want) in [(0.0, 0.0), (0.5, 0.4), (1.0, 0.8)] {
            let mut sims = vectors.similarities(&query);
            with_passages(&mut sims, &vectors, &passages, &query, weight);
            assert_eq!(sims[0], 1.0, "a section without passages keeps its own");
            assert!((sims[1] - want).abs() < 1e-6, "{weight}: {sims:?}");
        }
        // A passage below the section never lowers it.
        let mut sims = vectors.similarities(&[0.0, 1.0]);
        with_passages(&mut sims, &vectors, &passages, &[0.0, 1.0], 1.0);
        assert_eq!(sims[1], 1.0);
    }

    #[test]
    fn a_stale_vector_is_not_used() {
        let dir = tempfile::tempdir().unwrap();
        let (index, semantic) = setup(dir.path());
        // The section's text changes after the vectors were made: its old vector is ignored.
        let mut batch = index.begin().unwrap();
        batch
            .replace_source(
                "a",
                &[section(
                    "a",
                    2,
                    "Personell",
                    "Et helt annet innhold om bygg.",
                )],
            )
            .unwrap();
        batch.commit().unwrap();
        let results = ask(&index, &semantic, "tilsetting");
        assert!(!keys(&results).contains(&"a#2".to_string()));
    }
}
