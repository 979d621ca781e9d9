//! Themes: which sections speak about which agenda theme, with evidence a reader can check.
//!
//! A theme's vocabulary goes through the same Norwegian analysis as the index, so "fastlege"
//! matches "fastlegene" and "skrøpelig" matches nynorsk "skrøpelege"; a multi-word entry matches
//! as a phrase. The vocabulary has three tiers, all data in `sources.toml`: `terms` name the
//! theme, `paraphrases` describe it without naming it ("skaffe og beholde", "ledige
//! stillinger"; weaker, but several make the theme), and `context` words only support a theme
//! already there. The score of a (section, theme) pair is built from parts that
//! `match --explain` prints: vocabulary in the heading weighs most, then how many distinct
//! entries occur, how often and how densely. Mentions in passing count little: a sentence
//! naming three or more themes, an item in an enumeration of other things, a side remark in
//! parentheses or after "blant annet"; a theme carried by one sentence only is discounted.
//!
//! Architecture invariant: scoring is a pure function of (heading, text, theme); the index
//! only narrows the candidates, so a section's themes never depend on the rest of the corpus.

pub mod meaning;
mod text;

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use crate::config::Theme;
use crate::index::analyzer::{self, Term};

pub use text::sentence_spans;

/// Changes whenever scoring changes, so the index stage re-scores every section.
pub const SCORER_VERSION: &str = "themes-2";

/// Score a section needs to carry a theme, unless the theme sets its own threshold.
pub const DEFAULT_THRESHOLD: f32 = 2.0;

const HEADING_WEIGHT: f32 = 1.5;
const DISTINCT_WEIGHT: f32 = 0.75;
const OCCURRENCE_WEIGHT: f32 = 0.25;
const DENSITY_WEIGHT: f32 = 0.5;
/// Sections shorter than this many tokens count as this long for density, so a two-line
/// section with one mention is not "dense".
const MIN_DENSITY_TOKENS: usize = 60;
const EXCLUDE_FACTOR: f32 = 0.5;
/// What a paraphrase and a context word count for, against a term's 1.
const PARAPHRASE_WEIGHT: f32 = 0.6;
const CONTEXT_WEIGHT: f32 = 0.3;
/// What a mention in passing counts for, against 1 for the same words in their own right.
const PASSING_WEIGHT: f32 = 0.25;
/// Every mention in the text in passing and none in the heading.
const PASSING_ONLY_FACTOR: f32 = 0.4;
/// The theme carried by one sentence and nothing in the heading: a side remark, most often.
const ONE_SENTENCE_FACTOR: f32 = 0.6;
/// The same in a section of four or more sentences: mainly about something else.
const SIDE_REMARK_FACTOR: f32 = 0.45;
/// A sentence naming this many themes is a list of them.
const MANY_THEMES: usize = 3;

/// The tier of a vocabulary entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Names the theme.
    Term,
    /// Describes the theme without naming it.
    Paraphrase,
    /// Supports the theme where a term or paraphrase occurs.
    Context,
}

impl Tier {
    fn weight(self) -> f32 {
        match self {
            Tier::Term => 1.0,
            Tier::Paraphrase => PARAPHRASE_WEIGHT,
            Tier::Context => CONTEXT_WEIGHT,
        }
    }
}

/// Why a mention counts as made in passing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Passing {
    /// Its sentence names three or more themes (the four priority groups, an agenda).
    ManyThemes,
    /// An item in an enumeration of mostly other things.
    Enumeration,
    /// In parentheses, or after "blant annet", "for eksempel" and the like.
    Aside,
}

/// A mention of a theme's vocabulary that was discounted, verbatim.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PassingMention {
    pub words: String,
    pub reason: Passing,
}

/// The parts a score is made of.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreParts {
    /// Distinct vocabulary entries in the heading.
    pub heading_terms: usize,
    /// The same, weighted by tier (counted up to 2).
    pub heading_weight: f32,
    /// Distinct vocabulary entries in heading or text.
    pub distinct_terms: usize,
    /// The same, weighted by tier and passing (counted up to 4).
    pub distinct_weight: f32,
    /// Occurrences in the text.
    pub occurrences: usize,
    /// The same, weighted by tier and passing (counted up to 8).
    pub weighted_occurrences: f32,
    /// Occurrences in the text discounted as passing.
    pub passing: usize,
    /// Sentences of the text with a term or paraphrase not in passing.
    pub sentences: usize,
    /// Sentences of the text.
    pub total_sentences: usize,
    /// Tokens in the text after analysis.
    pub tokens: usize,
    /// Weighted occurrences per 100 tokens (counted up to 6).
    pub density: f32,
    /// Every term and paraphrase in the text is in passing, and none is in the heading.
    pub passing_only: bool,
    /// Occurrences of the theme's exclude terms; any halves the score.
    pub exclude_hits: usize,
}

impl ScoreParts {
    pub fn score(&self) -> f32 {
        // A heading with nothing in the text to back it is a title page or a bare heading.
        let heading_weight = if self.sentences == 0 {
            HEADING_WEIGHT / 2.0
        } else {
            HEADING_WEIGHT
        };
        let mut score = heading_weight * self.heading_weight.min(2.0)
            + DISTINCT_WEIGHT * self.distinct_weight.min(4.0)
            + OCCURRENCE_WEIGHT * self.weighted_occurrences.min(8.0)
            + DENSITY_WEIGHT * self.density.min(6.0);
        if self.sentences == 0 {
            // Nothing in the text in its own right: mentions in passing, or a heading over
            // text about something else (a title page, a letterhead).
            score *= PASSING_ONLY_FACTOR;
        } else if self.heading_terms == 0 && self.sentences == 1 {
            score *= if self.total_sentences > 3 {
                SIDE_REMARK_FACTOR
            } else {
                ONE_SENTENCE_FACTOR
            };
        }
        if self.exclude_hits > 0 {
            score *= EXCLUDE_FACTOR;
        }
        (score * 1000.0).round() / 1000.0
    }
}

/// A theme found in a section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeMatch {
    pub theme: String,
    pub score: f32,
    /// Whether the score reaches the theme's threshold.
    pub passed: bool,
    pub threshold: f32,
    /// The theme's terms and context words (as written in sources.toml) that occur.
    pub terms: Vec<String>,
    /// The theme's paraphrases (as written) that occur.
    pub paraphrases: Vec<String>,
    /// Mentions in the text discounted as passing.
    pub passing: Vec<PassingMention>,
    /// One or two sentences carrying the theme, verbatim from the section.
    pub evidence: Vec<String>,
    pub parts: ScoreParts,
    /// With embeddings: how close the section's meaning is to the theme, and what that did
    /// to `passed` ([`meaning`]). Absent when matching goes by words alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meaning: Option<meaning::MeaningPart>,
}

struct PreparedTerm {
    written: String,
    tier: Tier,
    /// Stemmed tokens with their offset from the first token's position.
    tokens: Vec<(String, usize)>,
}

struct PreparedTheme {
    id: String,
    threshold: f32,
    /// Terms, then paraphrases, then context words: the order in which they claim text.
    terms: Vec<PreparedTerm>,
    exclude: Vec<PreparedTerm>,
}

impl PreparedTheme {
    fn of_tier(&self, tier: Tier) -> impl Iterator<Item = &PreparedTerm> {
        self.terms.iter().filter(move |t| t.tier == tier)
    }
}

/// Scores sections against the configured themes.
pub struct ThemeMatcher {
    themes: Vec<PreparedTheme>,
}

fn prepare(term: &str, tier: Tier) -> Option<PreparedTerm> {
    let analysed = analyzer::analyze(term);
    let first = analysed.first()?.position;
    Some(PreparedTerm {
        written: term.to_string(),
        tier,
        tokens: analysed
            .into_iter()
            .map(|t| (t.text, t.position - first))
            .collect(),
    })
}

/// A text analysed for matching: its stemmed tokens, and for each compound token the stems of
/// its parts ("legerekruttering" → "leg", "rekrutter"), so a theme term matches inside
/// compounds as it does in search.
struct Analysed {
    terms: Vec<Term>,
    by_position: HashMap<usize, usize>,
    parts: Vec<Vec<String>>,
}

impl Analysed {
    fn new(text: &str) -> Analysed {
        let terms = analyzer::analyze(text);
        let by_position = terms
            .iter()
            .enumerate()
            .map(|(i, t)| (t.position, i))
            .collect();
        let parts = terms
            .iter()
            .map(|t| {
                let word = text[t.from..t.to].to_lowercase();
                if word.chars().count() < 7 {
                    return Vec::new();
                }
                crate::index::decompound::decompound(&word)
                    .iter()
                    .map(|part| analyzer::stem_word(part))
                    .collect()
            })
            .collect();
        Analysed {
            terms,
            by_position,
            parts,
        }
    }
}

/// Occurrences of a term: the byte ranges of each match. A one-word term also matches as a
/// part of a compound.
fn occurrences(term: &PreparedTerm, text: &Analysed) -> Vec<(usize, usize, bool)> {
    let Some((first, _)) = term.tokens.first() else {
        return Vec::new();
    };
    let mut found = Vec::new();
    if term.tokens.len() == 1 {
        for (i, t) in text.terms.iter().enumerate() {
            if &t.text == first {
                found.push((t.from, t.to, false));
            } else if text.parts[i].iter().any(|p| p == first) {
                found.push((t.from, t.to, true));
            }
        }
        return found;
    }
    let terms = &text.terms;
    for start in terms.iter().filter(|t| &t.text == first) {
        let mut end = start.to;
        let all = term.tokens.iter().skip(1).all(|(token, offset)| {
            text.by_position
                .get(&(start.position + offset))
                .map(|&i| &terms[i])
                .is_some_and(|t| {
                    end = t.to;
                    &t.text == token
                })
        });
        if all {
            found.push((start.from, end, false));
        }
    }
    found
}

/// A claimed occurrence in the text, with where it stands.
#[derive(Clone, Copy)]
struct Mention {
    from: usize,
    to: usize,
    /// Index of the vocabulary entry.
    term: usize,
    tier: Tier,
    sentence: Option<usize>,
    passing: Option<Passing>,
}

impl ThemeMatcher {
    pub fn new(themes: &[Theme]) -> ThemeMatcher {
        ThemeMatcher {
            themes: themes
                .iter()
                .map(|theme| {
                    // Entries that analyse to the same tokens ("fastlege", "fastlegar") are
                    // one entry, in the strongest tier: otherwise one mention would count as
                    // several distinct entries.
                    let mut seen = BTreeSet::new();
                    let terms = [
                        (&theme.terms, Tier::Term),
                        (&theme.paraphrases, Tier::Paraphrase),
                        (&theme.context, Tier::Context),
                    ]
                    .into_iter()
                    .flat_map(|(list, tier)| list.iter().filter_map(move |t| prepare(t, tier)))
                    .filter(|t| seen.insert(t.tokens.clone()))
                    .collect();
                    let mut seen = BTreeSet::new();
                    PreparedTheme {
                        id: theme.id.clone(),
                        threshold: theme.threshold.unwrap_or(DEFAULT_THRESHOLD),
                        terms,
                        exclude: theme
                            .exclude
                            .iter()
                            .filter_map(|t| prepare(t, Tier::Term))
                            .filter(|t| seen.insert(t.tokens.clone()))
                            .collect(),
                    }
                })
                .collect(),
        }
    }

    /// Each theme's one-word terms, analysed: the topic vocabulary search uses to lift
    /// sections about what a query names. Paraphrases and context words are not topics.
    pub fn topics(&self) -> crate::index::Topics {
        self.themes
            .iter()
            .map(|t| {
                let words = t
                    .of_tier(Tier::Term)
                    .filter(|term| term.tokens.len() == 1)
                    .map(|term| term.tokens[0].0.clone())
                    .collect();
                (t.id.clone(), words)
            })
            .collect()
    }

    /// The analysed token sequences of a theme's terms and paraphrases (either can make the
    /// theme), for finding candidates in the index.
    pub fn analysed_terms(&self, theme_id: &str) -> Vec<Vec<String>> {
        self.themes
            .iter()
            .filter(|t| t.id == theme_id)
            .flat_map(|t| t.terms.iter())
            .filter(|term| term.tier != Tier::Context)
            .map(|term| term.tokens.iter().map(|(t, _)| t.clone()).collect())
            .collect()
    }

    /// The free baseline the evaluation compares with: occurrences of each theme's terms in
    /// heading and text, counted with the same analysis, no paraphrases, no scoring.
    pub fn keyword_counts(&self, heading: Option<&str>, text: &str) -> Vec<(String, usize)> {
        let heading = Analysed::new(heading.unwrap_or(""));
        let body = Analysed::new(text);
        self.themes
            .iter()
            .map(|t| {
                let terms: Vec<&PreparedTerm> = t.of_tier(Tier::Term).collect();
                (
                    t.id.clone(),
                    claim(&terms, &heading).len() + claim(&terms, &body).len(),
                )
            })
            .collect()
    }

    /// Scores one section against every theme; returns the themes with a term or paraphrase
    /// present, strongest first.
    pub fn score(&self, heading: Option<&str>, text: &str) -> Vec<ThemeMatch> {
        let heading_analysed = Analysed::new(heading.unwrap_or(""));
        let body = Analysed::new(text);
        let sentences = sentence_spans(text);
        let sentence_of = |at: usize| sentences.iter().position(|&(a, b)| at >= a && at < b);
        let enumerations: Vec<Vec<(usize, usize, usize)>> = sentences
            .iter()
            .map(|&(a, b)| text::enumerations(&text[a..b], a))
            .collect();

        // First pass: each theme's claimed occurrences in heading and body.
        let claimed: Vec<(Vec<Span>, Vec<Mention>)> = self
            .themes
            .iter()
            .map(|theme| {
                let terms: Vec<&PreparedTerm> = theme.terms.iter().collect();
                let mentions = claim(&terms, &body)
                    .into_iter()
                    .map(|(from, to, term)| Mention {
                        from,
                        to,
                        term,
                        tier: theme.terms[term].tier,
                        sentence: sentence_of(from),
                        passing: None,
                    })
                    .collect();
                (claim(&terms, &heading_analysed), mentions)
            })
            .collect();
        // Sentences where three or more themes occur are lists ("barn og unge, personer med
        // psykiske lidelser og rusproblemer, skrøpelige eldre og …"): naming a group in a list
        // is not speaking about it.
        let mut themes_in_sentence: HashMap<usize, HashMap<usize, usize>> = HashMap::new();
        for (t, (_, mentions)) in claimed.iter().enumerate() {
            for m in mentions.iter().filter(|m| m.tier != Tier::Context) {
                if let Some(sentence) = m.sentence {
                    *themes_in_sentence
                        .entry(sentence)
                        .or_default()
                        .entry(t)
                        .or_default() += 1;
                }
            }
        }

        let mut matches = Vec::new();
        for (t, (theme, (heading_spans, mentions))) in self.themes.iter().zip(claimed).enumerate() {
            // Context words alone do not make a theme.
            let makes_theme = |term: usize| theme.terms[term].tier != Tier::Context;
            if !heading_spans.iter().any(|s| makes_theme(s.2))
                && !mentions.iter().any(|m| makes_theme(m.term))
            {
                continue;
            }
            let mentions: Vec<Mention> = mentions
                .iter()
                .map(|m| Mention {
                    passing: passing(
                        m,
                        &mentions,
                        &themes_in_sentence,
                        t,
                        &enumerations,
                        text,
                        &sentences,
                    ),
                    ..*m
                })
                .collect();
            let parts = parts(
                theme,
                &heading_spans,
                &mentions,
                body.terms.len(),
                sentences.len(),
                {
                    claim(&theme.exclude.iter().collect::<Vec<_>>(), &body).len()
                        + claim(&theme.exclude.iter().collect::<Vec<_>>(), &heading_analysed).len()
                },
            );
            let score = parts.score();
            let mut ids: BTreeSet<usize> = heading_spans.iter().map(|s| s.2).collect();
            ids.extend(mentions.iter().map(|m| m.term));
            let written = |tiers: &[Tier]| -> Vec<String> {
                ids.iter()
                    .filter(|&&i| tiers.contains(&theme.terms[i].tier))
                    .map(|&i| theme.terms[i].written.clone())
                    .collect()
            };
            let full: Vec<Span> = mentions
                .iter()
                .filter(|m| m.passing.is_none())
                .map(|m| (m.from, m.to, m.term))
                .collect();
            let all: Vec<Span> = mentions.iter().map(|m| (m.from, m.to, m.term)).collect();
            let mut evidence =
                evidence_sentences(text, &sentences, if full.is_empty() { &all } else { &full });
            if evidence.is_empty()
                && let Some(heading) = heading
            {
                evidence.push(heading.trim().to_string());
            }
            matches.push(ThemeMatch {
                theme: theme.id.clone(),
                score,
                passed: score >= theme.threshold,
                threshold: theme.threshold,
                terms: written(&[Tier::Term, Tier::Context]),
                paraphrases: written(&[Tier::Paraphrase]),
                passing: mentions
                    .iter()
                    .filter_map(|m| {
                        m.passing.map(|reason| PassingMention {
                            words: text[m.from..m.to].to_string(),
                            reason,
                        })
                    })
                    .collect(),
                evidence,
                parts,
                meaning: None,
            });
        }
        matches.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.theme.cmp(&b.theme)));
        matches
    }
}

/// Whether a mention is made in passing, and why.
fn passing(
    mention: &Mention,
    all: &[Mention],
    themes_in_sentence: &HashMap<usize, HashMap<usize, usize>>,
    theme: usize,
    enumerations: &[Vec<(usize, usize, usize)>],
    text: &str,
    sentences: &[(usize, usize)],
) -> Option<Passing> {
    let sentence = mention.sentence?;
    // A sentence naming many themes, where this one is named less than the others together.
    if let Some(counts) = themes_in_sentence.get(&sentence)
        && counts.len() >= MANY_THEMES
        && let Some(&own) = counts.get(&theme)
        && own < counts.values().sum::<usize>() - own
    {
        return Some(Passing::ManyThemes);
    }
    // An item in an enumeration where at most half the items are this theme's.
    for &(from, to, items) in &enumerations[sentence] {
        if mention.from >= from && mention.from < to {
            let own = all.iter().filter(|m| m.from >= from && m.from < to).count();
            if 2 * own <= items {
                return Some(Passing::Enumeration);
            }
        }
    }
    if text::in_aside(text, sentences[sentence], mention.from) {
        return Some(Passing::Aside);
    }
    None
}

/// The parts of a theme's score from its heading spans and its mentions in the text.
fn parts(
    theme: &PreparedTheme,
    heading_spans: &[Span],
    mentions: &[Mention],
    tokens: usize,
    total_sentences: usize,
    exclude_hits: usize,
) -> ScoreParts {
    let tier = |i: usize| theme.terms[i].tier;
    let heading_ids: BTreeSet<usize> = heading_spans.iter().map(|s| s.2).collect();
    // Each distinct entry counts with its best mention: in the heading or in its own right
    // fully, only in passing a little.
    let mut best: HashMap<usize, f32> =
        heading_ids.iter().map(|&i| (i, tier(i).weight())).collect();
    let mut weighted_occurrences = 0.0;
    for m in mentions {
        let w = m.tier.weight()
            * if m.passing.is_some() {
                PASSING_WEIGHT
            } else {
                1.0
            };
        weighted_occurrences += w;
        let entry = best.entry(m.term).or_insert(0.0);
        *entry = entry.max(w);
    }
    let real = |m: &&Mention| m.tier != Tier::Context;
    let sentences: BTreeSet<usize> = mentions
        .iter()
        .filter(real)
        .filter(|m| m.passing.is_none())
        .filter_map(|m| m.sentence)
        .collect();
    ScoreParts {
        heading_terms: heading_ids.len(),
        heading_weight: round2(heading_ids.iter().map(|&i| tier(i).weight()).sum()),
        distinct_terms: best.len(),
        distinct_weight: round2(best.values().sum()),
        occurrences: mentions.len(),
        weighted_occurrences: round2(weighted_occurrences),
        passing: mentions.iter().filter(|m| m.passing.is_some()).count(),
        sentences: sentences.len(),
        total_sentences,
        tokens,
        density: round2(weighted_occurrences * 100.0 / tokens.max(MIN_DENSITY_TOKENS) as f32),
        passing_only: heading_ids.is_empty()
            && mentions.iter().any(|m| real(&m))
            && mentions.iter().filter(real).all(|m| m.passing.is_some()),
        exclude_hits,
    }
}

fn round2(x: f32) -> f32 {
    (x * 100.0).round() / 100.0
}

/// A claimed occurrence: byte range and the index of the term.
type Span = (usize, usize, usize);

/// The occurrences of a theme's vocabulary in a text, each stretch of text counted for one
/// entry only: phrases before single words, whole words before compound parts, terms before
/// paraphrases before context words. Without this, "Helsepersonellkommisjonen" would count as
/// three terms (helsepersonell, personell and the commission) and "alvorlige psykiske lidelser"
/// as two.
fn claim(terms: &[&PreparedTerm], text: &Analysed) -> Vec<Span> {
    let mut candidates: Vec<(bool, usize, usize, usize, usize)> = Vec::new();
    for (index, term) in terms.iter().enumerate() {
        for (from, to, is_part) in occurrences(term, text) {
            candidates.push((is_part, usize::MAX - term.tokens.len(), index, from, to));
        }
    }
    candidates.sort_unstable();
    let mut taken: Vec<Span> = Vec::new();
    for (_, _, index, from, to) in candidates {
        if taken.iter().all(|&(a, b, _)| to <= a || from >= b) {
            taken.push((from, to, index));
        }
    }
    taken.sort_unstable();
    taken
}

/// Picks the one or two sentences that carry the most distinct terms (then the most
/// occurrences), returned in document order.
fn evidence_sentences(text: &str, sentences: &[(usize, usize)], spans: &[Span]) -> Vec<String> {
    if spans.is_empty() {
        return Vec::new();
    }
    let mut scored: Vec<(usize, usize, usize)> = sentences
        .iter()
        .enumerate()
        .filter_map(|(i, &(from, to))| {
            let inside: Vec<usize> = spans
                .iter()
                .filter(|(f, _, _)| *f >= from && *f < to)
                .map(|(_, _, term)| *term)
                .collect();
            if inside.is_empty() {
                return None;
            }
            let distinct = inside.iter().collect::<BTreeSet<_>>().len();
            Some((i, distinct, inside.len()))
        })
        .collect();
    scored.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
    let mut chosen: Vec<usize> = scored.iter().take(2).map(|s| s.0).collect();
    chosen.sort_unstable();
    chosen
        .into_iter()
        .map(|i| text[sentences[i].0..sentences[i].1].trim().to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn theme(id: &str, terms: &[&str]) -> Theme {
        Theme {
            id: id.into(),
            label: id.into(),
            description: String::new(),
            terms: terms.iter().map(|t| t.to_string()).collect(),
            context: Vec::new(),
            paraphrases: Vec::new(),
            exclude: Vec::new(),
            threshold: None,
            prototypes: Vec::new(),
        }
    }

    fn matcher() -> ThemeMatcher {
        ThemeMatcher::new(&[
            theme(
                "fastlegekrise",
                &["fastlege", "legemangel", "listelengde", "allmennlege"],
            ),
            theme("barn-unge", &["barn og unge", "ungdom"]),
        ])
    }

    #[test]
    fn context_terms_count_only_beside_a_term() {
        let mut planning = theme("felles-planlegging", &["årsplan", "felles planlegging"]);
        planning.context = vec!["helsefellesskap".into(), "områdeutvalg".into()];
        let matcher = ThemeMatcher::new(&[planning]);
        let only_context = "Helsefellesskapet og områdeutvalet møtest fire gonger i året.";
        assert!(matcher.score(None, only_context).is_empty());
        let with_term = "Helsefellesskapet vedtek årsplanen. Områdeutvalet følgjer opp årsplanen.";
        let m = &matcher.score(None, with_term)[0];
        assert_eq!(m.parts.distinct_terms, 3, "{m:?}");
        assert!(m.passed);
    }

    #[test]
    fn a_group_named_in_a_list_is_not_the_topic() {
        let matcher = ThemeMatcher::new(&[
            theme("barn-unge", &["barn og unge"]),
            theme("psykisk-rus", &["psykiske lidelser", "rusproblemer"]),
            theme("skropelige-eldre", &["skrøpelige eldre"]),
            theme("kroniske", &["kroniske lidelser"]),
        ]);
        let text = "Helsefellesskapene skal prioritere barn og unge, personer med alvorlige \
                    psykiske lidelser og rusproblemer, skrøpelige eldre og personer med flere \
                    kroniske lidelser. Budsjettet for neste år er vedtatt.";
        for m in matcher.score(Some("Prioriterte grupper"), text) {
            assert!(m.parts.passing_only, "{m:?}");
            assert!(!m.passed, "{m:?}");
        }
    }

    #[test]
    fn one_word_counts_for_one_term() {
        let matcher = ThemeMatcher::new(&[theme(
            "rekruttering",
            &["helsepersonell", "personell", "Helsepersonellkommisjonen"],
        )]);
        let m = &matcher.score(None, "Helsepersonellkommisjonen la fram rapporten.")[0];
        assert_eq!(m.parts.distinct_terms, 1, "{m:?}");
        assert_eq!(m.terms, vec!["Helsepersonellkommisjonen"]);
    }

    #[test]
    fn terms_match_inside_compounds_and_nynorsk() {
        let rekruttering =
            ThemeMatcher::new(&[theme("rekruttering", &["rekruttering", "sykepleier"])]);
        let m = &rekruttering.score(
            Some("Legerekruttering"),
            "Kommunane slit med å halde på sjukepleiarane.",
        )[0];
        assert_eq!(m.parts.heading_terms, 1, "{m:?}");
        assert_eq!(m.parts.distinct_terms, 2, "{m:?}");
        assert_eq!(
            m.evidence,
            vec!["Kommunane slit med å halde på sjukepleiarane."]
        );
    }

    #[test]
    fn a_section_about_the_theme_passes_with_evidence() {
        let text = "Mange kommuner mangler fastleger. Legemangelen er størst i distriktene. \
                    Listelengden har gått ned, og flere allmennleger slutter. Tiltak må til.";
        let matches = matcher().score(Some("Fastlegeordningen under press"), text);
        let m = &matches[0];
        assert_eq!(m.theme, "fastlegekrise");
        assert!(m.passed, "{m:?}");
        assert_eq!(
            m.parts.heading_terms, 1,
            "fastlegeordningen is a compound of fastlege"
        );
        assert_eq!(m.parts.distinct_terms, 4);
        assert_eq!(m.evidence.len(), 2);
        for sentence in &m.evidence {
            assert!(text.contains(sentence.as_str()), "verbatim: {sentence}");
        }
    }

    #[test]
    fn a_passing_mention_stays_below_the_threshold() {
        let filler =
            "Helseforetaket har hatt økte kostnader til bygg, utstyr og legemidler. ".repeat(12);
        let text = format!("{filler}Samarbeidet med fastlegene er godt. {filler}");
        let matches = matcher().score(Some("Økonomi i helseforetaket"), &text);
        let m = &matches[0];
        assert_eq!(m.parts.occurrences, 1);
        assert!(!m.passed, "passing mention passed: {m:?}");
        assert_eq!(m.evidence, vec!["Samarbeidet med fastlegene er godt."]);
    }

    #[test]
    fn phrases_match_across_stop_words_and_inflection() {
        let matches = matcher().score(None, "Tilbodet til barn og unge må styrkjast.");
        assert_eq!(matches[0].theme, "barn-unge");
        assert_eq!(matches[0].terms, vec!["barn og unge"]);
        assert!(
            matcher()
                .score(None, "Barn skal ha unge foreldre.")
                .is_empty()
        );
    }

    #[test]
    fn inflected_variants_of_one_term_count_once() {
        let matcher = ThemeMatcher::new(&[theme("f", &["fastlege", "fastlegar", "fastlegen"])]);
        let matches = matcher.score(None, "Samarbeidet med fastlegene er godt.");
        assert_eq!(matches[0].parts.distinct_terms, 1);
        assert_eq!(matches[0].parts.occurrences, 1);
        assert_eq!(matches[0].terms, vec!["fastlege"]);
    }

    #[test]
    fn a_heading_over_text_about_something_else_is_discounted() {
        let short = "Kort tekst om tiltak.";
        let with = matcher().score(Some("Legemangel i distriktene"), short);
        assert_eq!(with[0].parts.heading_terms, 1);
        assert_eq!(with[0].parts.sentences, 0);
        assert!(!with[0].passed, "{:?}", with[0]);
        assert_eq!(with[0].evidence, vec!["Legemangel i distriktene"]);
        let backed = matcher().score(
            Some("Legemangel i distriktene"),
            "Legemangelen rammer distriktene hardest.",
        );
        assert!(backed[0].passed, "{:?}", backed[0]);
    }

    fn recruitment() -> Theme {
        let mut t = theme("rekruttering", &["rekruttering", "turnover"]);
        t.paraphrases = vec![
            "ledige stillinger".into(),
            "slutter".into(),
            "skaffe og beholde".into(),
            "forlater yrket".into(),
        ];
        t.context = vec!["sykepleier".into()];
        t
    }

    #[test]
    fn paraphrases_make_a_theme_without_its_words() {
        let matcher = ThemeMatcher::new(&[recruitment()]);
        let text = "Kommunen har mange ledige stillinger for sykepleiere. Mange slutter etter                     kort tid, og flere forlater yrket. Det blir vanskeligere å skaffe og beholde                     fagfolk.";
        let m = &matcher.score(None, text)[0];
        assert!(m.terms.iter().all(|t| t == "sykepleier"), "{m:?}");
        assert_eq!(
            m.paraphrases,
            vec![
                "ledige stillinger",
                "slutter",
                "skaffe og beholde",
                "forlater yrket"
            ]
        );
        assert!(m.passed, "{m:?}");
        // One paraphrase in a side sentence is not enough.
        let once = "Budsjettet er vedtatt. Noen sykepleiere slutter. Bygget er nytt. Taket lekker.";
        let m = &matcher.score(None, once)[0];
        assert!(!m.passed, "{m:?}");
    }

    #[test]
    fn an_item_in_an_enumeration_of_other_things_is_passing() {
        let matcher = ThemeMatcher::new(&[theme("fastlegekrise", &["legevakt", "listelengde"])]);
        let text = "Kommunen driver sykehjem, hjemmetjeneste, legevakt, helsestasjon og                     fysioterapi. Tjenestene ble evaluert i fjor. De fleste var fornøyd.";
        let m = &matcher.score(None, text)[0];
        assert_eq!(
            m.passing,
            vec![PassingMention {
                words: "legevakt".into(),
                reason: Passing::Enumeration
            }]
        );
        assert!(m.parts.passing_only && !m.passed, "{m:?}");
        // A list of the theme's own things is its topic.
        let own = "Utfordringene er legevakt, listelengde og vikarer. Legevakten er sårbar.";
        let m = &matcher.score(None, own)[0];
        assert!(m.passing.is_empty(), "{m:?}");
    }

    #[test]
    fn a_side_remark_is_passing() {
        let matcher = ThemeMatcher::new(&[theme("digitalisering", &["velferdsteknologi"])]);
        let text = "Hjemmetjenesten skal ha nok tid til hver bruker (blant annet gjennom                     velferdsteknologi). Turnusen endres.";
        let m = &matcher.score(None, text)[0];
        assert_eq!(m.passing[0].reason, Passing::Aside, "{m:?}");
        assert!(!m.passed);
    }

    #[test]
    fn topics_are_terms_and_candidates_include_paraphrases() {
        let matcher = ThemeMatcher::new(&[recruitment()]);
        let topics = matcher.topics();
        let words: Vec<&String> = topics.values().flatten().collect();
        assert_eq!(words.len(), 2, "{words:?}");
        let candidates = matcher.analysed_terms("rekruttering");
        assert_eq!(candidates.len(), 6, "{candidates:?}");
    }

    #[test]
    fn keyword_counts_are_the_terms_only() {
        let matcher = ThemeMatcher::new(&[recruitment()]);
        let counts = matcher.keyword_counts(
            Some("Rekruttering"),
            "Turnover og ledige stillinger for sykepleiere.",
        );
        assert_eq!(counts, vec![("rekruttering".to_string(), 2)]);
    }

    /// The shipped vocabulary: the three copies agree, and no multi-word entry loses all but
    /// one word to stop words ("halde på" would match every "halde").
    #[test]
    fn shipped_theme_blocks_agree_and_phrases_stay_phrases() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let blocks: Vec<String> = [
            "sources.toml",
            "examples/demo/sources.toml",
            "eval/sources.toml",
        ]
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(root.join(f)).expect("readable");
            let at = text.find("[[theme]]").expect("themes");
            text[at..].to_string()
        })
        .collect();
        assert_eq!(blocks[0], blocks[1], "examples/demo/sources.toml differs");
        assert_eq!(blocks[0], blocks[2], "eval/sources.toml differs");
        let config = crate::config::Config::load(&root.join("sources.toml")).expect("valid");
        let mut collapsed = Vec::new();
        for theme in &config.themes {
            for entry in theme
                .terms
                .iter()
                .chain(&theme.paraphrases)
                .chain(&theme.context)
            {
                let words = entry.split_whitespace().count();
                if words > 1 && analyzer::analyze(entry).len() < 2 {
                    collapsed.push(entry.clone());
                }
            }
        }
        assert!(collapsed.is_empty(), "{collapsed:?}");
    }

    proptest::proptest! {
        #[test]
        fn scoring_never_panics_and_evidence_is_verbatim(
            heading in "[A-Za-zæøå ]{0,40}",
            text in "(fastlege|legemangel|barn og unge|ungdom|[a-zæøå]{1,12}|[.!?] |\n\n| ){0,80}",
        ) {
            for m in matcher().score(Some(&heading), &text) {
                for sentence in &m.evidence {
                    proptest::prop_assert!(text.contains(sentence.as_str()) || heading.contains(sentence.as_str()));
                }
                proptest::prop_assert!(m.score.is_finite() && m.score >= 0.0);
            }
        }
    }
}
