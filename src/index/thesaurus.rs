//! A curated thesaurus of health-policy words and their paraphrases (bokmål and nynorsk),
//! used to expand a query's words with a lower weight: "rekruttering" also finds sections that
//! say "skaffe og beholde" or "ubesatte stillinger". The data is `thesaurus.toml`, compiled in.
//!
//! Terms are matched by their analysed stems, so every inflection of a listed word triggers its
//! group, and the expansions are searched as analysed terms (phrases when longer than a word).

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;

use super::analyzer;

const DATA: &str = include_str!("thesaurus.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    group: Vec<Group>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Group {
    words: Vec<String>,
    #[serde(default)]
    also: Vec<String>,
}

/// A term a query word may be expanded with.
#[derive(Debug, Clone, PartialEq)]
pub struct Expansion {
    /// As written in the thesaurus: what a hit says it was "funnet via".
    pub text: String,
    /// Its analysed (stemmed) tokens, with positions (stop words leave gaps).
    pub stems: Vec<analyzer::Term>,
}

impl Expansion {
    fn new(text: &str) -> Expansion {
        Expansion {
            text: text.to_string(),
            stems: analyzer::analyze(text),
        }
    }

    fn key(&self) -> Vec<&str> {
        self.stems.iter().map(|t| t.text.as_str()).collect()
    }
}

struct Thesaurus {
    /// One-token stem of a group word → its expansions: the other words and the paraphrases of
    /// every group the stem belongs to, each once, never the word itself (indices into
    /// `terms`). Built once, so a query looks its words up instead of merging groups.
    expansions: HashMap<String, Vec<usize>>,
    /// Every group's words, then its paraphrases.
    terms: Vec<Expansion>,
}

static THESAURUS: LazyLock<Thesaurus> = LazyLock::new(|| {
    // The file is part of the binary and checked by the tests: a parse error here cannot reach
    // a user, but an empty thesaurus is the safe answer if it ever did.
    let file: File = toml::from_str(DATA).unwrap_or_else(|e| {
        tracing::error!("thesaurus.toml: {e}");
        File { group: Vec::new() }
    });
    let mut triggers: HashMap<String, Vec<usize>> = HashMap::new();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut terms: Vec<Expansion> = Vec::new();
    for (i, group) in file.group.iter().enumerate() {
        let mut members: Vec<usize> = Vec::new();
        for text in group.words.iter().chain(&group.also) {
            let expansion = Expansion::new(text);
            if expansion.stems.is_empty()
                || members.iter().any(|&m| terms[m].key() == expansion.key())
            {
                continue;
            }
            members.push(terms.len());
            terms.push(expansion);
        }
        for word in &group.words {
            if let [one] = analyzer::analyze(word).as_slice() {
                let entry = triggers.entry(one.text.clone()).or_default();
                if !entry.contains(&i) {
                    entry.push(i);
                }
            }
        }
        groups.push(members);
    }
    let expansions = triggers
        .into_iter()
        .map(|(stem, in_groups)| {
            let mut out: Vec<usize> = Vec::new();
            for group in in_groups {
                for &m in &groups[group] {
                    let key = terms[m].key();
                    if key != [stem.as_str()] && !out.iter().any(|&o| terms[o].key() == key) {
                        out.push(m);
                    }
                }
            }
            (stem, out)
        })
        .collect();
    Thesaurus { expansions, terms }
});

/// The expansions of a query word given by its stem (one token): the other words and the
/// paraphrases of every group the stem belongs to, each once, never the word itself.
pub fn expansions(stem: &str) -> Vec<&'static Expansion> {
    let thesaurus = &*THESAURUS;
    thesaurus
        .expansions
        .get(stem)
        .into_iter()
        .flatten()
        .map(|&i| &thesaurus.terms[i])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(word: &str) -> Vec<String> {
        let stems = analyzer::analyze(word);
        expansions(&stems[0].text)
            .iter()
            .map(|e| e.text.clone())
            .collect()
    }

    #[test]
    fn the_data_file_parses_and_every_term_is_searchable() {
        let file: File = toml::from_str(DATA).expect("thesaurus.toml parses");
        assert!(file.group.len() >= 30, "{}", file.group.len());
        for group in &file.group {
            assert!(!group.words.is_empty());
            let mut seen = std::collections::HashSet::new();
            for text in group.words.iter().chain(&group.also) {
                assert!(
                    !analyzer::analyze(text).is_empty(),
                    "{text:?} is only stop words"
                );
                assert!(
                    seen.insert(text.to_lowercase()),
                    "{text:?} twice in a group"
                );
            }
            for word in &group.words {
                assert_eq!(
                    analyzer::analyze(word).len().min(1),
                    1,
                    "{word:?} must analyse to a searchable word"
                );
            }
        }
    }

    #[test]
    fn recruitment_finds_its_paraphrases_in_both_standards() {
        for word in ["rekruttering", "rekruttere", "rekrutteringa"] {
            let found = texts(word);
            assert!(
                found.iter().any(|t| t == "skaffe og beholde"),
                "{word}: {found:?}"
            );
            assert!(
                found.iter().any(|t| t == "ubesette stillingar"),
                "{found:?}"
            );
            assert!(
                !found.iter().any(|t| t == "rekruttering"),
                "not itself: {found:?}"
            );
        }
        let turnover = texts("turnover");
        assert!(
            turnover.iter().any(|t| t == "forlater yrket"),
            "{turnover:?}"
        );
        assert!(turnover.iter().any(|t| t == "slutter"), "{turnover:?}");
    }

    #[test]
    fn unknown_words_have_no_expansions() {
        assert!(texts("klimagassutslipp").is_empty());
    }

    #[test]
    fn phrases_keep_their_gaps() {
        let phrase = expansions(&analyzer::analyze("rekruttering")[0].text)
            .into_iter()
            .find(|e| e.text == "skaffe og beholde")
            .expect("listed");
        assert_eq!(phrase.stems.len(), 2, "'og' is a stop word");
        assert_eq!(phrase.stems[1].position - phrase.stems[0].position, 2);
    }
}
