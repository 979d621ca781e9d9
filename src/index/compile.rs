//! Turns a parsed query ([`super::query::Node`]) into a tantivy query over the section fields,
//! and finds the passage to show for a hit.
//!
//! Ranking intent, expressed as field boosts: a word in a heading counts more than in the body;
//! the exact form more than another inflection; a whole word more than a compound part
//! ("fastlege" above "fastlegeordningen"); a folded match ("skropelige") least.

use std::collections::{HashMap, HashSet};

use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, RangeQuery, RegexQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use super::Fields;
use super::analyzer::{self, analyze, analyze_exact, analyze_folded};
use super::coverage::Covered;
use super::query::{Filter, Node};
pub use super::snippet::{Highlight, best_passage, lead};
use super::thesaurus;

pub(crate) const BOOST_HEADING: f32 = 2.0;
pub(crate) const BOOST_BODY: f32 = 1.0;
pub(crate) const BOOST_EXACT: f32 = 0.3;
pub(crate) const BOOST_TITLE: f32 = 0.3;
pub(crate) const BOOST_PARTS: f32 = 0.35;
pub(crate) const BOOST_FOLDED: f32 = 0.25;
pub(crate) const BOOST_REFERENCE: f32 = 2.0;
pub(crate) const BOOST_INFLECTED: f32 = 0.5;
pub(crate) const BOOST_DERIVED: f32 = 0.4;
pub(crate) const BOOST_TOPIC: f32 = 1.0;
/// A thesaurus expansion of a query word, relative to the word itself.
pub(crate) const BOOST_THESAURUS: f32 = 0.3;
/// Another term of a theme whose terms include the query word.
pub(crate) const BOOST_THEME_TERM: f32 = 0.2;
/// The parts of a query word that is not in the index but is a compound of words that are
/// ("fastlegemangel" → fastlege + mangel, both required).
pub(crate) const BOOST_QUERY_PARTS: f32 = 0.5;
/// Whether a section found only through a word's expansions counts as containing the word
/// when ranking by coverage (measured: see `examples/search_eval.rs`).
pub(crate) const EXPANSIONS_COVER: bool = false;

/// Where a query's words are expanded from (recall by meaning).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Expand {
    /// The curated thesaurus ([`thesaurus`]).
    pub thesaurus: bool,
    /// The other terms of the themes a word is a term of.
    pub themes: bool,
}

/// One optional word of a best-match query, kept to explain a hit.
pub struct OptionalTerm {
    /// As typed ("rekruttering", "fastlege*", "NOU 2023:4").
    pub typed: String,
    /// The word's own query (its forms, compound parts, folded forms).
    pub own: Box<dyn Query>,
    /// What it was expanded with: (the term as written, its query).
    pub via: Vec<(String, Box<dyn Query>)>,
}

pub struct Compiled {
    pub query: Box<dyn Query>,
    pub highlight: Highlight,
    /// The optional words of a best match (empty for boolean queries).
    pub optional: Vec<OptionalTerm>,
}

/// Compiles a parsed query. A best match ([`Node::Best`], or a single word) ranks by coverage
/// and expands its optional words as `expand` says (with `topics` as the theme vocabulary).
pub fn compile(
    node: &Node,
    f: &Fields,
    expand: Expand,
    topics: Option<&super::Topics>,
    searcher: Option<&tantivy::Searcher>,
) -> Compiled {
    let mut highlight = Highlight::default();
    let single;
    let node = if node.is_optional() {
        single = Node::Best(vec![node.clone()]);
        &single
    } else {
        node
    };
    if let Node::Best(items) = node {
        let ctx = Context {
            expand,
            topics,
            searcher,
        };
        return best(items, f, &ctx, highlight);
    }
    let query = node_query(node, f, &mut highlight, false);
    Compiled {
        query,
        highlight,
        optional: Vec::new(),
    }
}

struct Context<'a> {
    expand: Expand,
    topics: Option<&'a super::Topics>,
    /// To tell which words the index has (query-side compound splitting).
    searcher: Option<&'a tantivy::Searcher>,
}

/// A stop word typed among other words ("hvordan", "som", "for"): it neither ranks nor
/// counts towards "all the words".
fn is_stop_word(node: &Node) -> bool {
    matches!(node, Node::Word(w) if analyze(w).is_empty())
}

/// A best match: required items, exclusions and filters constrain; optional words each add a
/// coverage tier where they occur, and their expansions a lower-weighted score.
fn best(items: &[Node], f: &Fields, ctx: &Context<'_>, mut hl: Highlight) -> Compiled {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut optional = Vec::new();
    let mut any: Vec<Box<dyn Query>> = Vec::new();
    let mut required_words = false;
    let only_stop_words = items.iter().filter(|i| i.is_optional()).all(is_stop_word);
    for item in items {
        match item {
            item if !only_stop_words && is_stop_word(item) => {}
            Node::Not(inner) => {
                let q = node_query(inner, f, &mut hl, true);
                clauses.push((Occur::MustNot, q));
            }
            Node::Filter(filter) => {
                clauses.push((Occur::Must, filter_query(filter, f)));
            }
            item if item.is_optional() => {
                let own = node_query(item, f, &mut hl, false);
                let via = match item {
                    Node::Word(word) => expansions(word, f, ctx, &mut hl),
                    _ => Vec::new(),
                };
                let typed = match item {
                    Node::Word(w) => w.clone(),
                    Node::Prefix(p) => format!("{p}*"),
                    Node::Reference { written, .. } | Node::Agreement { written, .. } => {
                        written.clone()
                    }
                    _ => String::new(),
                };
                let expanded: Vec<Box<dyn Query>> =
                    via.iter().map(|(_, q)| q.box_clone()).collect();
                if expanded.is_empty() {
                    any.push(Box::new(Covered::new(own.box_clone())));
                } else if EXPANSIONS_COVER {
                    let either = any_of(vec![own.box_clone(), any_of(expanded)]);
                    any.push(Box::new(Covered::new(either)));
                } else {
                    any.push(Box::new(Covered::new(own.box_clone())));
                    any.push(any_of(expanded));
                }
                optional.push(OptionalTerm { typed, own, via });
            }
            Node::Required(inner) => {
                let q = node_query(inner, f, &mut hl, false);
                clauses.push((Occur::Must, q));
                required_words = true;
            }
            other => {
                let q = node_query(other, f, &mut hl, false);
                clauses.push((Occur::Must, q));
                required_words = true;
            }
        }
    }
    // Optional words rank; without a required word one of them must match (filters and
    // exclusions alone do not find anything).
    if !any.is_empty() {
        let occur = if required_words {
            Occur::Should
        } else {
            Occur::Must
        };
        clauses.push((occur, any_of(any)));
    }
    Compiled {
        query: Box::new(BooleanQuery::new(clauses)),
        highlight: hl,
        optional,
    }
}

/// The expansions of one optional word: thesaurus terms and theme terms, each a query with its
/// lower weight.
fn expansions(
    word: &str,
    f: &Fields,
    ctx: &Context<'_>,
    hl: &mut Highlight,
) -> Vec<(String, Box<dyn Query>)> {
    let stems = texts(analyze(word));
    let [stem] = stems.as_slice() else {
        return Vec::new();
    };
    let mut out: Vec<(String, Box<dyn Query>)> = Vec::new();
    let mut seen: HashSet<Vec<String>> = HashSet::new();
    seen.insert(vec![stem.clone()]);
    if let Some(searcher) = ctx.searcher
        && let Some([head, tail, head_typed, tail_typed]) = split_unknown(word, stem, f, searcher)
    {
        let part = |p: &str| -> Box<dyn Query> {
            any_of(vec![
                term_query(f.heading, p, BOOST_HEADING),
                term_query(f.body, p, BOOST_BODY),
                term_query(f.parts, p, BOOST_PARTS),
            ])
        };
        hl.expanded.insert(head.clone());
        hl.expanded.insert(tail.clone());
        let both = BooleanQuery::new(vec![(Occur::Must, part(&head)), (Occur::Must, part(&tail))]);
        out.push((
            format!("{head_typed} + {tail_typed}"),
            boosted(Box::new(both), BOOST_QUERY_PARTS),
        ));
    }
    if ctx.expand.thesaurus {
        for expansion in thesaurus::expansions(stem) {
            let key: Vec<String> = expansion.stems.iter().map(|t| t.text.clone()).collect();
            if !seen.insert(key) || too_common(ctx.searcher, f, &expansion.stems) {
                continue;
            }
            if let Some(q) = expansion_query(f, &expansion.stems, BOOST_THESAURUS) {
                hl.expanded
                    .extend(expansion.stems.iter().map(|t| t.text.clone()));
                out.push((expansion.text.clone(), q));
            }
        }
    }
    if ctx.expand.themes
        && let Some(topics) = ctx.topics
    {
        for terms in topics.values().filter(|terms| terms.contains(stem)) {
            for term in terms {
                if !seen.insert(vec![term.clone()]) {
                    continue;
                }
                let t = analyzer::Term {
                    text: term.clone(),
                    position: 0,
                    from: 0,
                    to: 0,
                };
                if let Some(q) = expansion_query(f, &[t], BOOST_THEME_TERM) {
                    hl.expanded.insert(term.clone());
                    out.push((term.clone(), q));
                }
            }
        }
    }
    out
}

/// An expansion found in more than a tenth of a large index (1,000 sections or more) says
/// little about the query and costs the most to search: it is left out.
fn too_common(searcher: Option<&tantivy::Searcher>, f: &Fields, stems: &[analyzer::Term]) -> bool {
    const MIN_SECTIONS: u64 = 1000;
    let Some(searcher) = searcher else {
        return false;
    };
    let sections = searcher.num_docs();
    if sections < MIN_SECTIONS {
        return false;
    }
    let rarest = stems
        .iter()
        .map(|t| searcher.doc_freq(&term(f.body, &t.text)).unwrap_or(0))
        .min()
        .unwrap_or(0);
    rarest > sections / 10
}

/// How many sections have `stem` in heading, body or as a compound part.
fn indexed(searcher: &tantivy::Searcher, f: &Fields, stem: &str) -> u64 {
    [f.body, f.heading, f.parts]
        .iter()
        .map(|&field| searcher.doc_freq(&term(field, stem)).unwrap_or(0))
        .sum()
}

/// A query word the index does not have, split into two words it has: the cut that leaves the
/// longer shorter side ("fastlegemangel" → "fastleg", "mangel"; not "fast", "legemangel"), a
/// linking s or e allowed after the head. Returns the two stems and the two parts as typed.
fn split_unknown(
    word: &str,
    stem: &str,
    f: &Fields,
    searcher: &tantivy::Searcher,
) -> Option<[String; 4]> {
    const MIN_PART: usize = 3;
    let lower = word.to_lowercase();
    if lower.chars().count() < 2 * MIN_PART + 1
        || !lower.chars().all(char::is_alphabetic)
        || indexed(searcher, f, stem) > 0
    {
        return None;
    }
    // The most balanced cuts first (ties: the leftmost), so the first cut whose two sides the
    // index has is the answer; each side's stem is looked up once.
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    for (chars_before, (cut, _)) in lower.char_indices().enumerate() {
        let (head_len, tail_len) = (chars_before, lower[cut..].chars().count());
        if head_len >= MIN_PART && tail_len >= MIN_PART {
            cuts.push((head_len.min(tail_len), cut));
        }
    }
    cuts.sort_by_key(|&(shorter, cut)| (std::cmp::Reverse(shorter), cut));
    let mut seen: HashMap<String, bool> = HashMap::new();
    let mut has = |stem: &str| -> bool {
        if let Some(&known) = seen.get(stem) {
            return known;
        }
        let known = indexed(searcher, f, stem) > 0;
        seen.insert(stem.to_string(), known);
        known
    };
    for (_, cut) in cuts {
        let (head, tail) = lower.split_at(cut);
        let heads = [Some(head), head.strip_suffix(['s', 'e'])];
        for head in heads.into_iter().flatten() {
            if head.chars().count() < MIN_PART {
                continue;
            }
            let (h, t) = (analyzer::stem_word(head), analyzer::stem_word(tail));
            if has(&h) && has(&t) {
                return Some([h, t, head.to_string(), tail.to_string()]);
            }
        }
    }
    None
}

/// An expansion term in heading and body (a phrase when longer than a word; one word also as a
/// compound part), scaled by `weight`.
fn expansion_query(f: &Fields, stems: &[analyzer::Term], weight: f32) -> Option<Box<dyn Query>> {
    let mut clauses: Vec<Box<dyn Query>> = Vec::new();
    clauses.extend(stemmed_phrase(f.heading, stems, BOOST_HEADING));
    clauses.extend(stemmed_phrase(f.body, stems, BOOST_BODY));
    if let [one] = stems {
        clauses.push(term_query(f.parts, &one.text, BOOST_PARTS));
    }
    (!clauses.is_empty()).then(|| boosted(any_of(clauses), weight))
}

fn term(field: Field, text: &str) -> Term {
    Term::from_field_text(field, text)
}

fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if (boost - 1.0).abs() < f32::EPSILON {
        query
    } else {
        Box::new(BoostQuery::new(query, boost))
    }
}

fn term_query(field: Field, text: &str, boost: f32) -> Box<dyn Query> {
    boosted(
        Box::new(TermQuery::new(
            term(field, text),
            IndexRecordOption::WithFreqs,
        )),
        boost,
    )
}

/// The base of a noun or verb in -isering/-isere ("digitaliser" → "digital"), stemmed.
fn derivation_base(stem: &str) -> Option<String> {
    let base = stem.strip_suffix("iser")?;
    (base.chars().count() >= 5).then(|| analyzer::stem_word(base))
}

/// A phrase over analysed tokens, keeping the gaps where stop words were removed.
fn stemmed_phrase(field: Field, tokens: &[analyzer::Term], boost: f32) -> Option<Box<dyn Query>> {
    let first = tokens.first()?.position;
    if tokens.len() == 1 {
        return Some(term_query(field, &tokens[0].text, boost));
    }
    Some(boosted(
        Box::new(PhraseQuery::new_with_offset(
            tokens
                .iter()
                .map(|t| (t.position - first, term(field, &t.text)))
                .collect(),
        )),
        boost,
    ))
}

/// A phrase, or a term when there is one token.
fn sequence(field: Field, tokens: &[String], boost: f32) -> Option<Box<dyn Query>> {
    match tokens {
        [] => None,
        [one] => Some(term_query(field, one, boost)),
        many => Some(boosted(
            Box::new(PhraseQuery::new(
                many.iter().map(|t| term(field, t)).collect(),
            )),
            boost,
        )),
    }
}

fn any_of(clauses: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        clauses.into_iter().map(|q| (Occur::Should, q)).collect(),
    ))
}

/// Matches nothing: a word that analyses to nothing searchable ("og" alone).
fn nothing() -> Box<dyn Query> {
    Box::new(tantivy::query::EmptyQuery)
}

fn texts(terms: Vec<analyzer::Term>) -> Vec<String> {
    terms.into_iter().map(|t| t.text).collect()
}

fn node_query(node: &Node, f: &Fields, hl: &mut Highlight, negated: bool) -> Box<dyn Query> {
    match node {
        Node::Word(word) => {
            let stems = texts(analyze(word));
            let exact = texts(analyze_exact(word));
            let folded = texts(analyze_folded(word));
            if !negated {
                hl.stems.extend(stems.iter().cloned());
                hl.exact.extend(exact.iter().cloned());
                hl.folded.extend(folded.iter().cloned());
            }
            if stems.is_empty() {
                // A stop word searched on its own: only its exact form can match.
                return sequence(f.body_exact, &exact, 1.0)
                    .map(|body| {
                        let heading = sequence(f.heading_exact, &exact, BOOST_HEADING);
                        any_of(std::iter::once(body).chain(heading).collect())
                    })
                    .unwrap_or_else(nothing);
            }
            let mut clauses: Vec<Box<dyn Query>> = Vec::new();
            clauses.extend(sequence(f.heading, &stems, BOOST_HEADING));
            clauses.extend(sequence(f.body, &stems, BOOST_BODY));
            clauses.extend(sequence(f.title, &stems, BOOST_TITLE));
            clauses.extend(sequence(
                f.heading_exact,
                &exact,
                BOOST_EXACT * BOOST_HEADING,
            ));
            clauses.extend(sequence(f.body_exact, &exact, BOOST_EXACT));
            // Compound parts are a bag of words: only single-token words look there.
            if let [one] = stems.as_slice() {
                clauses.push(term_query(f.parts, one, BOOST_PARTS));
                // "digitalisering" is about what is "digital": the base of an -isering noun.
                if let Some(base) = derivation_base(one) {
                    if !negated {
                        hl.stems.insert(base.clone());
                    }
                    clauses.push(term_query(f.body, &base, BOOST_DERIVED));
                    clauses.push(term_query(f.heading, &base, BOOST_DERIVED * BOOST_HEADING));
                }
            }
            clauses.extend(sequence(f.folded, &folded, BOOST_FOLDED));
            any_of(clauses)
        }
        Node::Exact(word) => {
            let exact = texts(analyze_exact(word));
            if !negated {
                hl.exact.extend(exact.iter().cloned());
            }
            let clauses: Vec<_> = sequence(f.heading_exact, &exact, BOOST_HEADING)
                .into_iter()
                .chain(sequence(f.body_exact, &exact, 1.0))
                .collect();
            if clauses.is_empty() {
                nothing()
            } else {
                any_of(clauses)
            }
        }
        Node::Phrase(words) => {
            let text = words.join(" ");
            let exact = texts(analyze_exact(&text));
            let stemmed = analyze(&text);
            if !negated {
                hl.exact.extend(exact.iter().cloned());
                hl.stems.extend(stemmed.iter().map(|t| t.text.clone()));
            }
            // The words as written first; other inflections of the same words in the same order
            // ("barne- og ungdomspsykiatrien") next.
            let clauses: Vec<_> = sequence(f.heading_exact, &exact, BOOST_HEADING)
                .into_iter()
                .chain(sequence(f.body_exact, &exact, 1.0))
                .chain(stemmed_phrase(
                    f.heading,
                    &stemmed,
                    BOOST_HEADING * BOOST_INFLECTED,
                ))
                .chain(stemmed_phrase(f.body, &stemmed, BOOST_INFLECTED))
                .collect();
            if clauses.is_empty() {
                nothing()
            } else {
                any_of(clauses)
            }
        }
        Node::Prefix(prefix) => {
            if !negated {
                hl.prefixes.push(prefix.clone());
            }
            let pattern = format!("{}.*", regex::escape(prefix));
            let mut clauses: Vec<Box<dyn Query>> = Vec::new();
            // Compound parts are stemmed: "rekrutt*" finds "legerekruttering" through the part
            // "rekrutter".
            for (field, boost) in [
                (f.heading_exact, BOOST_HEADING),
                (f.body_exact, 1.0),
                (f.parts, BOOST_PARTS),
            ] {
                if let Ok(query) = RegexQuery::from_pattern(&pattern, field) {
                    clauses.push(boosted(Box::new(query), boost));
                }
            }
            any_of(clauses)
        }
        Node::Reference { canonical, .. } => {
            // The canonical form's words, so "paragraf 6-2" and "§ 6-2" look for the same.
            let words = texts(analyze_exact(canonical));
            if !negated {
                hl.references.push(canonical.clone());
            }
            // Sections citing little else are about the reference (BM25 over the refs field
            // says so); mentions in the text, however written, rank them further.
            let mut clauses: Vec<Box<dyn Query>> =
                vec![term_query(f.refs, canonical, BOOST_REFERENCE)];
            clauses.extend(sequence(f.body_exact, &words, 1.0));
            any_of(clauses)
        }
        Node::Agreement { number, .. } => agreement_query(*number, f),
        Node::Filter(filter) => filter_query(filter, f),
        // Inside a group or an OR everything is required anyway.
        Node::Required(inner) => node_query(inner, f, hl, negated),
        // Only the top of a query is a best match; nested (never produced by the parser) it is
        // all-required.
        Node::And(children) | Node::Best(children) => {
            let clauses = children
                .iter()
                .map(|child| match child {
                    Node::Not(inner) => (Occur::MustNot, node_query(inner, f, hl, !negated)),
                    Node::Required(inner) => (Occur::Must, node_query(inner, f, hl, negated)),
                    Node::Filter(filter) => (Occur::Must, filter_query(filter, f)),
                    other => (Occur::Must, node_query(other, f, hl, negated)),
                })
                .collect();
            Box::new(BooleanQuery::new(clauses))
        }
        Node::Or(children) => any_of(
            children
                .iter()
                .map(|child| node_query(child, f, hl, negated))
                .collect(),
        ),
        Node::Not(inner) => {
            // A lone NOT inside OR: everything except it (the parser guarantees a positive part
            // elsewhere in the query).
            Box::new(BooleanQuery::new(vec![
                (Occur::Must, Box::new(tantivy::query::AllQuery)),
                (Occur::MustNot, node_query(inner, f, hl, !negated)),
            ]))
        }
    }
}

/// The names a numbered service agreement goes by: the national term, the nynorsk one (the
/// analyzer maps it to the first) and the regional "delavtale".
const AGREEMENT_NAMES: [&str; 2] = ["tjenesteavtale", "delavtale"];

/// Sections of the agreement with this number (its title names it), and sections naming it in
/// heading or body ("tjenesteavtale 3", "tenesteavtale nr. 3", "delavtale 3").
fn agreement_query(number: u32, f: &Fields) -> Box<dyn Query> {
    let mut clauses: Vec<Box<dyn Query>> = Vec::new();
    for name in AGREEMENT_NAMES {
        let tokens = analyze(&format!("{name} {number}"));
        for (field, boost) in [
            (f.title, BOOST_REFERENCE),
            (f.heading, BOOST_HEADING),
            (f.body, BOOST_BODY),
        ] {
            if let [first, .., last] = tokens.as_slice() {
                // "tjenesteavtale nr. 3": one word may stand between.
                let mut phrase =
                    PhraseQuery::new(vec![term(field, &first.text), term(field, &last.text)]);
                phrase.set_slop(1);
                clauses.push(boosted(Box::new(phrase), boost));
            }
        }
    }
    any_of(clauses)
}

/// A section carrying a topic the query is about gets a fixed lift.
pub fn topic_query(topic: &str, f: &Fields) -> Box<dyn Query> {
    Box::new(tantivy::query::ConstScoreQuery::new(
        Box::new(TermQuery::new(
            term(f.themes, topic),
            IndexRecordOption::Basic,
        )),
        BOOST_TOPIC,
    ))
}

/// Filters do not score: they restrict.
pub fn filter_query(filter: &Filter, f: &Fields) -> Box<dyn Query> {
    let q: Box<dyn Query> = match filter {
        Filter::Source(id) => {
            Box::new(TermQuery::new(term(f.source, id), IndexRecordOption::Basic))
        }
        Filter::Kind(kind) => {
            Box::new(TermQuery::new(term(f.kind, kind), IndexRecordOption::Basic))
        }
        Filter::Theme(theme) => Box::new(TermQuery::new(
            term(f.themes, theme),
            IndexRecordOption::Basic,
        )),
        Filter::Year { from, to } => Box::new(RangeQuery::new(
            std::ops::Bound::Included(Term::from_field_u64(f.year, u64::from(*from))),
            std::ops::Bound::Included(Term::from_field_u64(f.year, u64::from(*to))),
        )),
    };
    Box::new(tantivy::query::ConstScoreQuery::new(q, 0.0))
}

#[cfg(test)]
mod tests {
    use super::super::snippet::citations_near_references;
    use super::*;

    fn highlight_for(query: &str) -> Highlight {
        let node = super::super::query::parse(query).unwrap();
        let (_, fields) = super::super::schema();
        compile(&node, &fields, Expand::default(), None, None).highlight
    }

    #[test]
    fn citations_near_references_are_those_of_the_whole_text() {
        let filler = "Kommunane og helseføretaket har drøfta tenestene i mange møte i år. ";
        let text = format!(
            "{}Utvalget viser til NOU 2023: 4 og til helse- og omsorgstjenesteloven § 6-2. {}\
             Departementet fremmet Prop. 102 L (2020–2021) om ny § 6-2 a, jf. NOU 2023: 4 \
             kapittel 5. {}",
            filler.repeat(12),
            filler.repeat(15),
            filler.repeat(12)
        );
        let references = vec![
            "NOU 2023: 4".to_string(),
            "Prop. 102 L (2020–2021)".to_string(),
        ];
        let spans = |cites: Vec<crate::refs::Citation>| {
            let mut v: Vec<_> = cites
                .into_iter()
                .filter(|c| references.contains(&c.document))
                .map(|c| (c.canonical, c.start, c.end))
                .collect();
            v.sort();
            v
        };
        let near = spans(citations_near_references(&text, &references));
        assert_eq!(near.len(), 3, "{near:?}");
        assert_eq!(near, spans(crate::refs::find_citations(&text)));
        // Multi-byte letters around the window edges do not split a character.
        let edge = format!("{}NOU 2023: 4{}", "ø".repeat(300), "å".repeat(300));
        assert_eq!(
            spans(citations_near_references(&edge, &references)).len(),
            spans(crate::refs::find_citations(&edge)).len()
        );
    }

    #[test]
    fn highlights_inflections_compounds_and_folded_forms() {
        let hl = highlight_for("fastlege skropelige");
        assert!(hl.matches("Fastlegene"));
        assert!(hl.matches("fastlegeordningen"));
        assert!(hl.matches("skrøpelige"));
        assert!(!hl.matches("faste"));
    }

    #[test]
    fn excluded_words_are_not_highlighted() {
        let hl = highlight_for("fastlege -legevakt");
        assert!(!hl.matches("legevakt"));
    }

    #[test]
    fn passage_centres_on_the_matches() {
        let text = "Innledning om mye annet. ".repeat(20)
            + "Kommunen sliter med å rekruttere fastleger. "
            + &"Avslutning om noe annet. ".repeat(20);
        let hl = highlight_for("fastlege");
        let (passage, ranges) = best_passage(&text, &hl, 120);
        assert!(passage.chars().count() <= 124, "{passage}");
        assert_eq!(ranges.len(), 1, "{passage}");
        let (a, b) = ranges[0];
        assert_eq!(&passage[a..b], "fastleger");
        assert!(passage.starts_with("… "));
    }

    #[test]
    fn references_are_highlighted_where_cited() {
        let text =
            "Versjon 2.1. Etter helse- og omsorgstjenesteloven § 6-2 skal partene planlegge.";
        let hl = highlight_for("§ 6-2");
        let (passage, ranges) = best_passage(text, &hl, 240);
        let marked: Vec<&str> = ranges.iter().map(|&(a, b)| &passage[a..b]).collect();
        assert!(marked.contains(&"omsorgstjenesteloven"), "{marked:?}");
        assert!(marked.contains(&"6"), "{marked:?}");
        assert!(!passage[..ranges[0].0].contains("**"), "{passage}");
        assert!(
            ranges[0].0 > passage.find("2.1").unwrap(),
            "2.1 is not the paragraph"
        );
    }

    #[test]
    fn passage_ranges_survive_collapsed_whitespace() {
        let text = "Mangel på\n\nfastleger   i distriktene.";
        let hl = highlight_for("fastlege distrikt");
        let (passage, ranges) = best_passage(text, &hl, 240);
        assert_eq!(passage, "Mangel på fastleger i distriktene.");
        let marked: Vec<&str> = ranges.iter().map(|&(a, b)| &passage[a..b]).collect();
        assert_eq!(marked, vec!["fastleger", "distriktene"]);
    }
}
