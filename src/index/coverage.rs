//! Best match: a section's place is first how many of the query's optional words it contains,
//! then its BM25 score.
//!
//! Each optional word's query is wrapped in a [`Covered`] query that adds a fixed [`TIER`] to
//! the word's own score wherever it matches, so a boolean union of the words scores
//! `TIER × words matched + BM25`. The tier is far above any BM25 sum, so the number of words a
//! section covers decides first; [`split`] takes the score apart again. One pass over the
//! postings, no second query.

use std::fmt;

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term};

/// What one covered word adds. BM25 sums of one query stay far below it (a term's BM25 is at
/// most about idf × 2.2, idf ≤ 14 even at a million sections, times the field boosts).
pub const TIER: Score = 10_000.0;

/// Splits a best-match score into (words covered, the rest of the score).
pub fn split(score: Score) -> (usize, Score) {
    if !(score.is_finite() && score >= TIER) {
        return (0, score);
    }
    let tiers = (score / TIER).floor();
    (tiers as usize, score - tiers * TIER)
}

/// A query whose matches score `TIER` more than the inner query's.
pub struct Covered {
    inner: Box<dyn Query>,
}

impl Covered {
    pub fn new(inner: Box<dyn Query>) -> Covered {
        Covered { inner }
    }
}

impl Clone for Covered {
    fn clone(&self) -> Self {
        Covered {
            inner: self.inner.box_clone(),
        }
    }
}

impl fmt::Debug for Covered {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "Covered({:?})", self.inner)
    }
}

impl Query for Covered {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let scoring = enable_scoring.is_scoring_enabled();
        let inner = self.inner.weight(enable_scoring)?;
        Ok(if scoring {
            Box::new(CoveredWeight { inner })
        } else {
            inner
        })
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.inner.query_terms(visitor);
    }
}

struct CoveredWeight {
    inner: Box<dyn Weight>,
}

impl Weight for CoveredWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(CoveredScorer {
            inner: self.inner.scorer(reader, boost)?,
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let inner = self.inner.explain(reader, doc)?;
        let mut explanation = Explanation::new("Covered word", inner.value() + TIER);
        explanation.add_detail(inner);
        Ok(explanation)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.inner.count(reader)
    }
}

struct CoveredScorer {
    inner: Box<dyn Scorer>,
}

impl DocSet for CoveredScorer {
    fn advance(&mut self) -> DocId {
        self.inner.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.inner.seek(target)
    }

    fn doc(&self) -> DocId {
        self.inner.doc()
    }

    fn size_hint(&self) -> u32 {
        self.inner.size_hint()
    }

    fn cost(&self) -> u64 {
        self.inner.cost()
    }
}

impl Scorer for CoveredScorer {
    fn score(&mut self) -> Score {
        self.inner.score() + TIER
    }
}

/// Whether a query matches one document (for a hit's explanation: which words it contains).
pub fn matches(
    searcher: &tantivy::Searcher,
    weight: &dyn Weight,
    address: tantivy::DocAddress,
) -> bool {
    let reader = searcher.segment_reader(address.segment_ord);
    let Ok(mut scorer) = weight.scorer(reader, 1.0) else {
        return false;
    };
    let doc = address.doc_id;
    scorer.doc() <= doc && scorer.seek(doc) == doc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_takes_the_tiers_off() {
        assert_eq!(split(3.5), (0, 3.5));
        let (tiers, rest) = split(2.0 * TIER + 7.25);
        assert_eq!(tiers, 2);
        assert!((rest - 7.25).abs() < 0.01, "{rest}");
        assert_eq!(split(f32::NAN).0, 0);
    }
}
