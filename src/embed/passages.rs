//! Passage vectors: a section is also embedded as overlapping windows of a few sentences, each
//! with the heading in front, and search by meaning scores a section by its best passage
//! (max-sim) as well as by its whole text. A paraphrase usually matches one or two sentences of
//! a section, not the mean of all of it.
//!
//! The windows are a pure function of the section's heading and text ([`windows`]); their
//! vectors live in `INDEX_DIR/passages.bin` (the format of [`super::store::Vectors`], one entry
//! per window, all windows of a section together under its key, each with the hash of its own
//! text), brought up to date by [`super::store::sync`]'s sibling [`sync`]: a window whose text
//! already has a vector of the same model is not embedded again. A section with no more
//! sentences than one window has no passages: its section vector is its only passage.
//! Passages are used only for sections whose section vector is of their current text (checked
//! in `hybrid::nearest`).

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::store::{self, SyncReport, Vectors};
use super::{EmbedError, Embedder, clean};
use crate::index::{IndexedSection, SectionIndex};

pub const FILE: &str = "passages.bin";
/// Sentences per window, and how far the next window starts.
pub const WINDOW: usize = 3;
pub const STRIDE: usize = 2;
/// Windows per section at most (the first ones: a section's opening says most).
pub const MAX_WINDOWS: usize = 8;
/// Longest window embedded, in characters (heading included).
const MAX_WINDOW_CHARS: usize = 1200;

pub fn path_in(index_dir: &Path) -> PathBuf {
    index_dir.join(FILE)
}

/// The sentences of a text ([`crate::norwegian::sentence_spans`]: "jf. § 6-2", "m.m. og" and
/// "Prop. 102 L" stay whole), trimmed, without those that have no letter or digit.
pub fn sentences(text: &str) -> Vec<&str> {
    crate::norwegian::sentence_spans(text)
        .into_iter()
        .map(|(start, end)| text[start..end].trim())
        .filter(|s| s.chars().any(char::is_alphanumeric))
        .collect()
}

/// The windows embedded for a section: [`WINDOW`] sentences, every [`STRIDE`] sentences, the
/// heading in front; none when the text has no more than one window's sentences.
pub fn windows(heading: Option<&str>, text: &str) -> Vec<String> {
    let sentences = sentences(text);
    if sentences.len() <= WINDOW {
        return Vec::new();
    }
    let heading = heading.map(str::trim).filter(|h| !h.is_empty());
    let mut out = Vec::new();
    let mut at = 0;
    while at < sentences.len() && out.len() < MAX_WINDOWS {
        let end = (at + WINDOW).min(sentences.len());
        let mut window = String::new();
        if let Some(heading) = heading {
            window.push_str(heading);
            window.push_str(".\n");
        }
        window.push_str(&sentences[at..end].join(" "));
        out.push(clean(&window, MAX_WINDOW_CHARS));
        if end == sentences.len() {
            break;
        }
        at += STRIDE;
    }
    out
}

/// The windows of an indexed section.
pub fn section_windows(section: &IndexedSection) -> Vec<String> {
    windows(section.heading.as_deref(), &section.text)
}

/// Passage vectors in memory, with each section's entries.
pub struct Passages {
    vectors: Vectors,
    ranges: HashMap<String, Range<usize>>,
}

impl Passages {
    pub fn new(vectors: Vectors) -> Passages {
        let mut ranges: HashMap<String, Range<usize>> = HashMap::new();
        for i in 0..vectors.len() {
            match ranges.get_mut(vectors.key(i)) {
                Some(range) if range.end == i => range.end = i + 1,
                Some(_) => {} // not contiguous (not written by `sync`): the first run counts
                None => {
                    ranges.insert(vectors.key(i).to_string(), i..i + 1);
                }
            }
        }
        Passages { vectors, ranges }
    }

    /// The file of an index dir when it is of this model; `None` otherwise (a warning for a
    /// broken file).
    pub fn read(index_dir: &Path, model: &str, dim: usize) -> Option<Passages> {
        match Vectors::read(&path_in(index_dir)) {
            Ok(Some(v)) if v.model == model && v.dim == dim => Some(Passages::new(v)),
            Ok(_) => None,
            Err(e) => {
                tracing::warn!("passage vectors not used: {e}");
                None
            }
        }
    }

    pub fn len(&self) -> usize {
        self.vectors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.vectors.is_empty()
    }

    /// The best similarity of `query` with a section's passages, `None` when it has none.
    pub fn best(&self, key: &str, query: &[f32]) -> Option<f32> {
        let range = self.ranges.get(key)?;
        range
            .clone()
            .map(|i| super::dot(query, self.vectors.vector(i)))
            .reduce(f32::max)
    }
}

/// Brings `INDEX_DIR/passages.bin` (at `path`) up to the index's latest commit, embedding only
/// windows whose text has no vector yet (in the file or in `cache`).
pub fn sync(
    index: &SectionIndex,
    embedder: &dyn Embedder,
    path: &Path,
    cache: Option<&Path>,
) -> Result<SyncReport, EmbedError> {
    let stamp = index.commit_stamp()?;
    let sections = index.all_sections()?;
    let units: Vec<(String, String)> = sections
        .iter()
        .flat_map(|s| {
            let key = s.key();
            section_windows(s)
                .into_iter()
                .map(move |w| (key.clone(), w))
        })
        .collect();
    store::sync_units(units, stamp, embedder, path, cache)
}

#[cfg(test)]
mod tests {
    use super::super::fake::{FakeEmbedder, section};
    use super::*;

    #[test]
    fn sentences_keep_abbreviations_whole() {
        let text = "Kommunen skal jf. § 6-2 ha avtaler. Prop. 102 L omtaler dette m.m. og mer! \
                    Er det nok? Ja.\nTabell | rad";
        assert_eq!(
            sentences(text),
            vec![
                "Kommunen skal jf. § 6-2 ha avtaler.",
                "Prop. 102 L omtaler dette m.m. og mer!",
                "Er det nok?",
                "Ja.",
                "Tabell | rad"
            ]
        );
        assert!(sentences("  . \n ").is_empty());
    }

    #[test]
    fn windows_overlap_and_are_bounded() {
        assert!(windows(Some("Kort"), "En. To. Tre.").is_empty());
        let text = "Én setning. To setninger. Tre setninger. Fire setninger. Fem setninger.";
        let w = windows(Some("Overskrift"), text);
        assert_eq!(
            w,
            vec![
                "Overskrift. Én setning. To setninger. Tre setninger.",
                "Overskrift. Tre setninger. Fire setninger. Fem setninger."
            ]
        );
        let long = "Ord ord ord. ".repeat(500);
        let w = windows(None, &long);
        assert_eq!(w.len(), MAX_WINDOWS);
        assert!(w.iter().all(|p| p.chars().count() <= MAX_WINDOW_CHARS));
    }

    #[test]
    fn best_passage_wins_and_sync_reuses() {
        let dir = tempfile::tempdir().unwrap();
        let index = SectionIndex::open_or_create(dir.path()).unwrap();
        let mut batch = index.begin().unwrap();
        let text = "Sykehuset har bygg. Byggene er gamle. Parkering mangler. Kantinen er stengt. \
                    Kommunen må skaffe sykepleiere.";
        batch
            .replace_source(
                "a",
                &[
                    section("a", 0, "Drift", text),
                    section("a", 1, "Kort", "Bare én setning."),
                ],
            )
            .unwrap();
        batch.commit().unwrap();
        let fake = FakeEmbedder::new();
        let path = path_in(dir.path());
        let report = sync(&index, &fake, &path, None).unwrap();
        assert_eq!((report.sections, report.embedded), (2, 2), "{report:?}");
        assert!(sync(&index, &fake, &path, None).unwrap().up_to_date);
        let passages = Passages::read(dir.path(), "fake-1", 512).unwrap();
        assert_eq!(passages.len(), 2);
        assert_eq!(passages.best("a#1", &[0.0; 512]), None);
        let query = fake.embed_query("tilsetting sykepleiere").unwrap();
        let best = passages.best("a#0", &query).unwrap();
        let whole = super::super::dot(
            &query,
            &fake
                .embed_passages(&[&super::super::passage_text(Some("Drift"), text)])
                .unwrap()[0],
        );
        assert!(best > whole, "{best} vs {whole}");
    }
}
