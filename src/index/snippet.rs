//! Snippets: which words of a hit match the query (`Highlight`, filled in by `compile`) and the
//! passage of a section that shows the most of them, with the citations searched for.

use std::collections::HashSet;

use rustc_hash::FxHashMap;

use super::analyzer;
use super::decompound::decompound;

/// What a hit's words must look like to be highlighted.
#[derive(Debug, Default, Clone)]
pub struct Highlight {
    pub(super) stems: HashSet<String>,
    pub(super) exact: HashSet<String>,
    pub(super) folded: HashSet<String>,
    pub(super) prefixes: Vec<String>,
    /// Canonical references: their citations in the text are highlighted whole.
    pub(super) references: Vec<String>,
    /// Stems of the words the query was expanded with (highlighted, but lift no topics).
    pub(super) expanded: HashSet<String>,
}

impl Highlight {
    /// Whether a word of the text (as written) matches the query.
    pub fn matches(&self, word: &str) -> bool {
        let lower = word.to_lowercase();
        if self.exact.contains(&lower) || self.prefixes.iter().any(|p| lower.starts_with(p)) {
            return true;
        }
        if self.stems.is_empty() && self.folded.is_empty() && self.expanded.is_empty() {
            return false;
        }
        let stem = analyzer::stem_word(&lower);
        if self.stems.contains(&stem)
            || self.expanded.contains(&stem)
            || self.folded.contains(analyzer::fold(&stem).as_ref())
        {
            return true;
        }
        lower.chars().count() >= 7
            && decompound(&lower)
                .iter()
                .any(|part| self.stems.contains(&analyzer::stem_word(part)))
    }

    /// The topics whose terms the query searches for.
    pub fn topics(&self, topics: &super::Topics) -> Vec<String> {
        topics
            .iter()
            .filter(|(_, terms)| terms.iter().any(|t| self.stems.contains(t)))
            .map(|(id, _)| id.clone())
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.stems.is_empty()
            && self.exact.is_empty()
            && self.folded.is_empty()
            && self.prefixes.is_empty()
            && self.references.is_empty()
            && self.expanded.is_empty()
    }

    /// Byte ranges of the citations in `text` of the references searched for.
    fn reference_spans(&self, text: &str) -> Vec<(usize, usize)> {
        if self.references.is_empty() {
            return Vec::new();
        }
        citations_near_references(text, &self.references)
            .into_iter()
            .filter(|c| {
                self.references.iter().any(|r| {
                    c.canonical == *r
                        || c.document == *r
                        || c.canonical.ends_with(&format!(" {r}"))
                        || c.canonical.starts_with(&format!("{r} ("))
                })
            })
            .map(|c| (c.start, c.end))
            .collect()
    }
}

/// Bytes of context kept on each side of a reference's number when looking for its citations:
/// room for the longest law name written before a paragraph.
const CITATION_CONTEXT: usize = 240;

/// The citations in `text` near the numbers of `references` ("2023" of "NOU 2023: 4", "102" of
/// "Prop. 102 L (2020–2021)"). Reading a whole section for citations costs milliseconds; a hit's
/// snippet needs only the citations of what was searched for, and each of those is written
/// next to its number. A reference without a number (a law by name) reads the whole text.
pub(super) fn citations_near_references(
    text: &str,
    references: &[String],
) -> Vec<crate::refs::Citation> {
    let numbers: Option<Vec<&str>> = references
        .iter()
        .map(|r| {
            r.split(|c: char| !c.is_ascii_digit())
                .filter(|run| !run.is_empty())
                .max_by_key(|run| run.len())
        })
        .collect();
    let Some(numbers) = numbers else {
        return crate::refs::find_citations(text);
    };
    let mut windows: Vec<(usize, usize)> = Vec::new();
    for number in &numbers {
        for (at, _) in text.match_indices(number) {
            // Whole words only: start after the first space of the context, end at a space.
            let mut from = at.saturating_sub(CITATION_CONTEXT);
            while !text.is_char_boundary(from) {
                from -= 1;
            }
            if from > 0
                && let Some(space) = text[from..at].find(char::is_whitespace)
            {
                from += space;
            }
            let mut to = (at + number.len() + CITATION_CONTEXT).min(text.len());
            while !text.is_char_boundary(to) {
                to += 1;
            }
            to = text[to..]
                .find(char::is_whitespace)
                .map_or(text.len(), |space| to + space);
            windows.push((from, to));
        }
    }
    windows.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (from, to) in windows {
        match merged.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => merged.push((from, to)),
        }
    }
    let covered: usize = merged.iter().map(|(a, b)| b - a).sum();
    if covered * 2 > text.len() {
        return crate::refs::find_citations(text);
    }
    let mut out = Vec::new();
    for (from, to) in merged {
        for mut citation in crate::refs::find_citations(&text[from..to]) {
            citation.start += from;
            citation.end += from;
            out.push(citation);
        }
    }
    out
}

/// The passage of `text` (at most `max_chars`) with the most distinct matching words, and the
/// byte ranges of the matches within it.
pub fn best_passage(
    text: &str,
    highlight: &Highlight,
    max_chars: usize,
) -> (String, Vec<(usize, usize)>) {
    let words: Vec<(usize, usize)> = word_spans(text);
    let citations = highlight.reference_spans(text);
    // A text repeats its words: each distinct word (lower case) is matched once, and gets an
    // id so that the window below counts distinct matches without building strings.
    let mut known: FxHashMap<String, (bool, usize)> = FxHashMap::default();
    let mut ids: Vec<Option<usize>> = Vec::with_capacity(words.len());
    for &(from, to) in &words {
        let word = &text[from..to];
        // Most words are lower case already: they are looked up without a copy.
        let lowered;
        let lower = if is_lowercase(word) {
            word
        } else {
            lowered = word.to_lowercase();
            lowered.as_str()
        };
        let (word_matches, id) = match known.get(lower) {
            Some(&known_word) => known_word,
            None => {
                let entry = (
                    !highlight.is_empty() && highlight.matches(lower),
                    known.len(),
                );
                known.insert(lower.to_string(), entry);
                entry
            }
        };
        let cited = citations.iter().any(|&(a, b)| from < b && to > a);
        ids.push((cited || word_matches).then_some(id));
    }
    let matched: Vec<bool> = ids.iter().map(Option::is_some).collect();
    if !matched.iter().any(|m| *m) {
        return (lead(text, max_chars), Vec::new());
    }
    // Character offsets of the words' ends, so a span's length in characters is a difference.
    let mut chars_before = Vec::with_capacity(words.len());
    let (mut byte, mut chars) = (0usize, 0usize);
    for &(from, to) in &words {
        chars += text[byte..from].chars().count();
        let start_chars = chars;
        chars += text[from..to].chars().count();
        byte = to;
        chars_before.push((start_chars, chars));
    }
    let span_chars = |a: usize, b: usize| chars_before[b].1 - chars_before[a].0;
    // Slide a window over words; score = distinct matched words * 3 + all matches, ties to
    // the earliest window.
    let mut best = (0usize, 0usize, 0usize); // (score, start word, end word)
    let mut start = 0;
    // Matches in the window per word id, and how many ids have any.
    let mut in_window: Vec<usize> = vec![0; known.len()];
    let mut distinct = 0usize;
    let mut all = 0usize;
    for end in 0..words.len() {
        if let Some(id) = ids[end] {
            all += 1;
            in_window[id] += 1;
            if in_window[id] == 1 {
                distinct += 1;
            }
        }
        while span_chars(start, end) > max_chars && start < end {
            if let Some(id) = ids[start] {
                all -= 1;
                in_window[id] -= 1;
                if in_window[id] == 0 {
                    distinct -= 1;
                }
            }
            start += 1;
        }
        let score = distinct * 3 + all;
        if score > best.0 {
            best = (score, start, end);
        }
    }
    let (_, window_start, window_end) = best;
    // Start from the matches themselves, so they are not left at the edge of the passage.
    let mut first = (window_start..=window_end)
        .find(|&i| matched[i])
        .unwrap_or(window_start);
    let mut last = (window_start..=window_end)
        .rev()
        .find(|&i| matched[i])
        .unwrap_or(window_end);
    let fits = |a: usize, b: usize| text[words[a].0..words[b].1].chars().count() <= max_chars;
    // Context before the first match, back to its sentence start, within a third of the room.
    while first > 0
        && text[words[first - 1].0..words[last].1].chars().count() <= max_chars / 3
        && !ends_sentence(&text[words[first - 1].1..words[first].0])
    {
        first -= 1;
    }
    // Then the rest of the room after the last match, and before the first if any is left.
    while last + 1 < words.len() && fits(first, last + 1) {
        last += 1;
    }
    while first > 0 && fits(first - 1, last) {
        first -= 1;
    }
    let (from, mut to) = (words[first].0, words[last].1);
    // Keep the punctuation that ends the last word's sentence.
    if let Some(c) = text[to..].chars().next()
        && matches!(c, '.' | '!' | '?' | ':' | ';' | ')' | '»')
    {
        to += c.len_utf8();
    }
    let mut passage = String::new();
    if first > 0 {
        passage.push_str("… ");
    }
    let offset = passage.len();
    let body = collapse_whitespace(&text[from..to]);
    passage.push_str(&body.text);
    if last + 1 < words.len() {
        passage.push_str(" …");
    }
    let ranges = (first..=last)
        .filter(|&i| matched[i])
        .filter_map(|i| {
            let (a, b) = (words[i].0 - from, words[i].1 - from);
            let a = body.map(a)?;
            let b = body.map(b)?;
            Some((a + offset, b + offset))
        })
        .collect();
    (passage, ranges)
}

/// Whether `str::to_lowercase` leaves `word` as it is (every character its own lower case).
fn is_lowercase(word: &str) -> bool {
    if word.is_ascii() {
        return !word.bytes().any(|b| b.is_ascii_uppercase());
    }
    word.chars().all(|c| {
        let mut lower = c.to_lowercase();
        lower.next() == Some(c) && lower.next().is_none()
    })
}

fn ends_sentence(between: &str) -> bool {
    between.contains(['.', '!', '?'])
}

/// Byte spans of the words of a text (letters and digits, with inner hyphens).
fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            if start.is_none() {
                start = Some(i);
            }
        } else if let Some(s) = start.take() {
            spans.push((s, i));
        }
    }
    if let Some(s) = start {
        spans.push((s, text.len()));
    }
    spans
}

struct Collapsed {
    text: String,
    /// For each byte offset of the source slice, the offset in `text` (None inside collapsed
    /// whitespace).
    map: Vec<Option<usize>>,
}

impl Collapsed {
    fn map(&self, source_offset: usize) -> Option<usize> {
        self.map.get(source_offset).copied().flatten()
    }
}

/// Newlines and runs of spaces become one space; offsets are remapped.
fn collapse_whitespace(text: &str) -> Collapsed {
    let mut out = String::with_capacity(text.len());
    let mut map = vec![None; text.len() + 1];
    let mut in_space = false;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if !in_space {
                map[i] = Some(out.len());
                out.push(' ');
            }
            in_space = true;
        } else {
            in_space = false;
            map[i] = Some(out.len());
            out.push(c);
        }
    }
    map[text.len()] = Some(out.len());
    Collapsed { text: out, map }
}

/// The start of a text, cut at a word boundary.
pub fn lead(text: &str, max_chars: usize) -> String {
    let mut out = String::new();
    for word in text.split_whitespace() {
        if out.chars().count() + word.chars().count() + 1 > max_chars {
            out.push_str(" …");
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_lowercase_agrees_with_to_lowercase() {
        for word in [
            "fastlege",
            "Fastlege",
            "skrøpelige",
            "SKRØPELIGE",
            "Ærlig",
            "ærlig",
            "2023",
            "ΟΔΟΣ",
            "οδος",
            "ǅ",
            "İ",
            "ß",
        ] {
            assert_eq!(is_lowercase(word), word.to_lowercase() == word, "{word}");
        }
    }

    #[test]
    fn passage_counts_distinct_words_in_the_window() {
        let mut hl = Highlight::default();
        hl.exact.insert("fastlege".into());
        hl.exact.insert("legevakt".into());
        // One word repeated early; both words together later: the later window wins.
        let text = format!(
            "Fastlege fastlege fastlege. {} Fastlege og legevakt samarbeider.",
            "Annen tekst her. ".repeat(30)
        );
        let (passage, ranges) = best_passage(&text, &hl, 80);
        assert!(passage.contains("legevakt"), "{passage}");
        let marked: Vec<&str> = ranges.iter().map(|&(a, b)| &passage[a..b]).collect();
        assert_eq!(marked, vec!["Fastlege", "legevakt"], "{passage}");
    }
}
