//! Themes: which sections speak about which agenda theme, with evidence a reader can check.
//!
//! A theme's terms go through the same Norwegian analysis as the index, so "fastlege" matches
//! "fastlegene" and "skrøpelig" matches nynorsk "skrøpelege"; a multi-word term matches as a
//! phrase. The score of a (section, theme) pair is built from parts that `match --explain`
//! prints: terms in the heading weigh most, then how many distinct theme terms occur, how often,
//! and how dense they are in the section. One passing mention in a long section on something
//! else stays below the threshold.
//!
//! Architecture invariant: scoring is a pure function of (heading, text, theme); the index
//! only narrows the candidates, so a section's themes never depend on the rest of the corpus.

use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

use serde::Serialize;

use crate::config::Theme;
use crate::index::analyzer::{self, Term};

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
/// Terms only in a list of the priority groups.
const LIST_FACTOR: f32 = 0.4;
/// Everything in one sentence and nothing in the heading: a passing mention, most often.
const ONE_SENTENCE_FACTOR: f32 = 0.6;

/// The parts a score is made of.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreParts {
    /// Distinct theme terms in the heading (counted up to 2).
    pub heading_terms: usize,
    /// Distinct theme terms in heading or text (counted up to 4).
    pub distinct_terms: usize,
    /// Occurrences of theme terms in the text (counted up to 8).
    pub occurrences: usize,
    /// Sentences of the text that carry them.
    pub sentences: usize,
    /// Tokens in the text after analysis.
    pub tokens: usize,
    /// Occurrences per 100 tokens (counted up to 6).
    pub density: f32,
    /// The terms occur only in lists of three or more themes (and not in the heading).
    pub list_only: bool,
    /// Occurrences of the theme's exclude terms; any halves the score.
    pub exclude_hits: usize,
}

impl ScoreParts {
    pub fn score(&self) -> f32 {
        // A heading term with nothing in the text is a title page or a bare heading.
        let heading_weight = if self.occurrences == 0 {
            HEADING_WEIGHT / 2.0
        } else {
            HEADING_WEIGHT
        };
        let mut score = heading_weight * self.heading_terms.min(2) as f32
            + DISTINCT_WEIGHT * self.distinct_terms.min(4) as f32
            + OCCURRENCE_WEIGHT * self.occurrences.min(8) as f32
            + DENSITY_WEIGHT * self.density.min(6.0);
        if self.list_only {
            score *= LIST_FACTOR;
        }
        if self.sentences == 1 && self.heading_terms == 0 {
            score *= ONE_SENTENCE_FACTOR;
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
    /// The theme's terms (as written in sources.toml) that occur.
    pub terms: Vec<String>,
    /// One or two sentences carrying the terms, verbatim from the section.
    pub evidence: Vec<String>,
    pub parts: ScoreParts,
}

struct PreparedTerm {
    written: String,
    /// Stemmed tokens with their offset from the first token's position.
    tokens: Vec<(String, usize)>,
}

struct PreparedTheme {
    id: String,
    threshold: f32,
    /// Terms then context terms; `core` of them are terms.
    terms: Vec<PreparedTerm>,
    core: usize,
    exclude: Vec<PreparedTerm>,
}

/// Scores sections against the configured themes.
pub struct ThemeMatcher {
    themes: Vec<PreparedTheme>,
}

fn prepare(term: &str) -> Option<PreparedTerm> {
    let analysed = analyzer::analyze(term);
    let first = analysed.first()?.position;
    Some(PreparedTerm {
        written: term.to_string(),
        tokens: analysed
            .into_iter()
            .map(|t| (t.text, t.position - first))
            .collect(),
    })
}

/// Terms that analyse to the same tokens ("fastlege", "fastlegar") are one term: otherwise one
/// mention would count as several distinct terms.
fn distinct(terms: impl Iterator<Item = PreparedTerm>) -> Vec<PreparedTerm> {
    let mut seen = BTreeSet::new();
    terms
        .filter(|term| seen.insert(term.tokens.clone()))
        .collect()
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

impl ThemeMatcher {
    pub fn new(themes: &[Theme]) -> ThemeMatcher {
        ThemeMatcher {
            themes: themes
                .iter()
                .map(|theme| {
                    let core = distinct(theme.terms.iter().filter_map(|t| prepare(t)));
                    let core_len = core.len();
                    let core_tokens: BTreeSet<Vec<(String, usize)>> =
                        core.iter().map(|t| t.tokens.clone()).collect();
                    let context = distinct(theme.context.iter().filter_map(|t| prepare(t)))
                        .into_iter()
                        .filter(|t| !core_tokens.contains(&t.tokens));
                    PreparedTheme {
                        id: theme.id.clone(),
                        threshold: theme.threshold.unwrap_or(DEFAULT_THRESHOLD),
                        terms: core.into_iter().chain(context).collect(),
                        core: core_len,
                        exclude: distinct(theme.exclude.iter().filter_map(|t| prepare(t))),
                    }
                })
                .collect(),
        }
    }

    /// Each theme's one-word terms, analysed: the topic vocabulary search uses to lift
    /// sections about what a query names.
    pub fn topics(&self) -> crate::index::Topics {
        self.themes
            .iter()
            .map(|t| {
                let words = t.terms[..t.core]
                    .iter()
                    .filter(|term| term.tokens.len() == 1)
                    .map(|term| term.tokens[0].0.clone())
                    .collect();
                (t.id.clone(), words)
            })
            .collect()
    }

    /// The analysed token sequences of a theme's terms, for finding candidates in the index.
    pub fn analysed_terms(&self, theme_id: &str) -> Vec<Vec<String>> {
        self.themes
            .iter()
            .filter(|t| t.id == theme_id)
            .flat_map(|t| t.terms[..t.core].iter())
            .map(|term| term.tokens.iter().map(|(t, _)| t.clone()).collect())
            .collect()
    }

    /// Scores one section against every theme; returns the themes with any term present,
    /// strongest first.
    pub fn score(&self, heading: Option<&str>, text: &str) -> Vec<ThemeMatch> {
        let heading_analysed = Analysed::new(heading.unwrap_or(""));
        let body = Analysed::new(text);
        let sentences = sentence_spans(text);
        let sentence_of = |at: usize| sentences.iter().position(|&(a, b)| at >= a && at < b);

        // First pass: each theme's claimed occurrences in heading and body.
        let claimed: Vec<(Vec<usize>, Vec<Span>)> = self
            .themes
            .iter()
            .map(|theme| {
                let heading_spans = claim(&theme.terms, &heading_analysed);
                let mut heading_terms: Vec<usize> = heading_spans.iter().map(|s| s.2).collect();
                heading_terms.sort_unstable();
                heading_terms.dedup();
                (heading_terms, claim(&theme.terms, &body))
            })
            .collect();
        // Sentences where three or more themes occur are lists ("barn og unge, personer med
        // psykiske lidelser og rusproblemer, skrøpelige eldre og …"): naming a group in a list
        // is not speaking about it.
        let mut themes_in_sentence: HashMap<usize, BTreeSet<usize>> = HashMap::new();
        for (t, (_, spans)) in claimed.iter().enumerate() {
            for &(from, _, _) in spans {
                if let Some(sentence) = sentence_of(from) {
                    themes_in_sentence.entry(sentence).or_default().insert(t);
                }
            }
        }

        let mut matches = Vec::new();
        for (t, theme) in self.themes.iter().enumerate() {
            let (heading_term_ids, spans) = &claimed[t];
            let mut term_ids: BTreeSet<usize> = spans.iter().map(|s| s.2).collect();
            term_ids.extend(heading_term_ids.iter().copied());
            // Context terms alone do not make a theme.
            if !term_ids.iter().any(|&i| i < theme.core) {
                continue;
            }
            let matched_terms: Vec<String> = term_ids
                .iter()
                .map(|&i| theme.terms[i].written.clone())
                .collect();
            let exclude_hits: usize =
                claim(&theme.exclude, &body).len() + claim(&theme.exclude, &heading_analysed).len();
            let in_sentences: BTreeSet<usize> =
                spans.iter().filter_map(|s| sentence_of(s.0)).collect();
            let list_only = heading_term_ids.is_empty()
                && !in_sentences.is_empty()
                && in_sentences
                    .iter()
                    .all(|s| themes_in_sentence.get(s).is_some_and(|set| set.len() >= 3));
            let tokens = body.terms.len();
            let parts = ScoreParts {
                heading_terms: heading_term_ids.len(),
                distinct_terms: term_ids.len(),
                occurrences: spans.len(),
                sentences: in_sentences.len(),
                tokens,
                density: ((spans.len() as f32 * 100.0 / tokens.max(MIN_DENSITY_TOKENS) as f32)
                    * 100.0)
                    .round()
                    / 100.0,
                list_only,
                exclude_hits,
            };
            let score = parts.score();
            let mut evidence = evidence_sentences(text, spans);
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
                terms: matched_terms,
                evidence,
                parts,
            });
        }
        matches.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.theme.cmp(&b.theme)));
        matches
    }
}

/// A claimed occurrence: byte range and the index of the term.
type Span = (usize, usize, usize);

/// The occurrences of a theme's terms in a text, each stretch of text counted for one term
/// only: phrases before single words, whole words before compound parts. Without this,
/// "Helsepersonellkommisjonen" would count as three terms (helsepersonell, personell and the
/// commission) and "alvorlige psykiske lidelser" as two.
fn claim(terms: &[PreparedTerm], text: &Analysed) -> Vec<(usize, usize, usize)> {
    let mut candidates: Vec<(bool, usize, usize, usize, usize)> = Vec::new();
    for (index, term) in terms.iter().enumerate() {
        for (from, to, is_part) in occurrences(term, text) {
            candidates.push((is_part, usize::MAX - term.tokens.len(), index, from, to));
        }
    }
    candidates.sort_unstable();
    let mut taken: Vec<(usize, usize, usize)> = Vec::new();
    for (_, _, index, from, to) in candidates {
        if taken.iter().all(|&(a, b, _)| to <= a || from >= b) {
            taken.push((from, to, index));
        }
    }
    taken.sort_unstable();
    taken
}

/// Words after which a full stop does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "jf", "jfr", "f.eks", "bl.a", "t.d", "m.a", "m.m", "mv", "m.v", "nr", "st", "prop", "kap",
    "pkt", "ca", "dvs", "osv", "o.l", "ev", "evt", "inkl", "s", "tlf", "meld", "innst", "dok",
    "pr", "vedr", "ref", "etc", "mill", "mrd", "kr", "jan", "feb", "aug", "sep", "sept", "okt",
    "nov", "des", "hhv", "iflg", "ifm", "vs", "dr", "prof",
];

/// Byte ranges of the sentences of a text, verbatim.
pub fn sentence_spans(text: &str) -> Vec<(usize, usize)> {
    static BOUNDARY: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"[.!?…]+[»”\)]?\s+|\n\s*\n").expect("valid regex"));
    let mut spans = Vec::new();
    let mut start = 0;
    for boundary in BOUNDARY.find_iter(text) {
        let before = &text[start..boundary.start()];
        let last_word = before
            .rsplit(|c: char| c.is_whitespace() || c == '(')
            .next()
            .unwrap_or("")
            .to_lowercase();
        let next = text[boundary.end()..].chars().next();
        let is_paragraph =
            boundary.as_str().contains("\n\n") || boundary.as_str().trim().is_empty();
        let abbreviation = ABBREVIATIONS.contains(&last_word.as_str())
            || (last_word.chars().count() == 1 && last_word.chars().all(char::is_alphabetic));
        // A sentence starts with a capital, a digit, a quote or a list mark.
        let starts_sentence = next.is_none_or(|c| {
            c.is_uppercase()
                || c.is_ascii_digit()
                || matches!(c, '«' | '"' | '(' | '–' | '-' | '•' | '§')
        });
        if is_paragraph || (!abbreviation && starts_sentence) {
            let end = boundary.start() + boundary.as_str().trim_end().len();
            if text[start..end].trim().len() > 1 {
                spans.push((start, end));
            }
            start = boundary.end();
        }
    }
    if text[start..].trim().len() > 1 {
        spans.push((start, text.trim_end().len().max(start)));
    }
    spans
}

/// Picks the one or two sentences that carry the most distinct terms (then the most
/// occurrences), returned in document order.
fn evidence_sentences(text: &str, spans: &[(usize, usize, usize)]) -> Vec<String> {
    if spans.is_empty() {
        return Vec::new();
    }
    let sentences = sentence_spans(text);
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
            exclude: Vec::new(),
            threshold: None,
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
            assert!(m.parts.list_only, "{m:?}");
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
    fn heading_terms_weigh_most() {
        let short = "Kort tekst om tiltak.";
        let with = matcher().score(Some("Legemangel i distriktene"), short);
        assert_eq!(with[0].parts.heading_terms, 1);
        assert!(with[0].score >= HEADING_WEIGHT);
        assert_eq!(with[0].evidence, vec!["Legemangel i distriktene"]);
    }

    #[test]
    fn sentences_do_not_break_at_abbreviations() {
        let text = "Dette følger av Prop. 102 L (2020–2021), jf. helse- og omsorgstjenesteloven § 6-2. Neste setning.";
        let spans = sentence_spans(text);
        assert_eq!(
            spans.len(),
            2,
            "{:?}",
            spans.iter().map(|&(a, b)| &text[a..b]).collect::<Vec<_>>()
        );
        assert_eq!(&text[spans[1].0..spans[1].1], "Neste setning.");
    }

    proptest::proptest! {
        #[test]
        fn sentence_spans_are_ordered_slices_of_the_text(text in "[A-ZÆØÅa-zæøå0-9 .,!?«»§()\n-]{0,300}") {
            let spans = sentence_spans(&text);
            let mut last = 0;
            for (from, to) in spans {
                proptest::prop_assert!(from >= last && from <= to && to <= text.len());
                proptest::prop_assert!(text.is_char_boundary(from) && text.is_char_boundary(to));
                last = to;
            }
        }

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
