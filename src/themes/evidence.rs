//! The sentences quoted as evidence for a theme.

use std::collections::BTreeSet;

use super::vocabulary::Span;

/// Picks the one or two sentences that carry the most distinct terms (then the most
/// occurrences), returned in document order.
pub(super) fn evidence_sentences(
    text: &str,
    sentences: &[(usize, usize)],
    spans: &[Span],
) -> Vec<String> {
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
