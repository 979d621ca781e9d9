//! Search: a user query against the index — parsing, the tantivy query with the request's
//! filters, ranking spread over sources, snippets, and what each hit was found via.

use super::*;
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
