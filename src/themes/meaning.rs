//! Themes by meaning: the embedding signal search uses, applied to themes.
//!
//! Each theme is embedded as an e5 query ("query: " + its label and description, and each of
//! its `prototypes`); a section's vector is the one search already has (`INDEX_DIR/
//! embeddings.bin`, embedded once per section text). The similarity of a section to a theme
//! is the cosine with the nearest of the theme's texts, and its *margin* is that similarity
//! minus the section's mean similarity over all themes: e5's cosines crowd into a narrow band,
//! and a section about one theme stands out from the others by its margin, not by its cosine.
//!
//! [`Combination::decide`] combines the margin with the lexical score ([`super::ThemeMatch`]):
//! a section the words already carry keeps the theme unless its meaning is far from it (a
//! passing mention), and a section the words only touch gets it when its meaning is close.
//! Without vectors nothing here runs, and matching is exactly the lexical one.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::ThemeMatch;
use crate::config::Theme;
use crate::embed::store::{TextHash, Vectors, text_hash};
use crate::embed::{EmbedError, Embedder, dot};
use crate::index::IndexedSection;

/// Fewer themes than this and the margin over their mean means little: matching goes by
/// words alone.
pub const MIN_THEMES: usize = 3;

/// The file beside the index that keeps the themes' vectors (small: a few per theme).
pub const FILE: &str = "theme-vectors.bin";

/// The texts a theme is embedded as (each an e5 query): label and description, then the
/// prototypes.
pub fn theme_texts(theme: &Theme) -> Vec<String> {
    let mut texts = vec![format!(
        "{}: {}",
        theme.label.trim(),
        theme.description.trim()
    )];
    texts.extend(
        theme
            .prototypes
            .iter()
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty()),
    );
    texts
}

/// The themes' vectors, in the order of the configured themes.
#[derive(Debug, Clone)]
pub struct ThemeVectors {
    themes: Vec<(String, Vec<Vec<f32>>)>,
}

impl ThemeVectors {
    /// Embeds each theme's texts, reusing the vectors of texts already in the file at `path`
    /// (same model), and rewrites the file when something was embedded.
    pub fn load_or_embed(
        themes: &[Theme],
        embedder: &dyn Embedder,
        path: &Path,
    ) -> Result<ThemeVectors, EmbedError> {
        let old = match Vectors::read(path) {
            Ok(v) => v.filter(|v| v.model == embedder.model_id() && v.dim == embedder.dim()),
            Err(e) => {
                tracing::warn!("{e}; embedding the themes again");
                None
            }
        };
        let known = |hash: &TextHash| {
            let old = old.as_ref()?;
            (0..old.len())
                .find(|&i| old.hash(i) == hash)
                .map(|i| old.vector(i).to_vec())
        };
        let mut out = Vectors::new(embedder.model_id(), embedder.dim());
        let mut embedded = 0;
        let mut result = Vec::new();
        for theme in themes {
            let mut vectors = Vec::new();
            for (n, text) in theme_texts(theme).iter().enumerate() {
                let hash = text_hash(&format!("query: {text}"));
                let vector = match known(&hash) {
                    Some(v) => v,
                    None => {
                        embedded += 1;
                        embedder.embed_query(text)?
                    }
                };
                out.push(&format!("{}#{n}", theme.id), hash, &vector);
                vectors.push(vector);
            }
            result.push((theme.id.clone(), vectors));
        }
        if embedded > 0 || old.as_ref().map(Vectors::len) != Some(out.len()) {
            out.write(path)?;
        }
        Ok(ThemeVectors { themes: result })
    }

    /// Builds them from vectors at hand (tests).
    pub fn from_vectors(themes: Vec<(String, Vec<Vec<f32>>)>) -> ThemeVectors {
        ThemeVectors { themes }
    }

    /// A section's similarity to each theme and its margin over the section's mean, in theme
    /// order. Empty when the dimensions disagree.
    pub fn meanings(&self, section: &[f32]) -> Vec<Meaning> {
        let sims: Vec<Option<f32>> = self
            .themes
            .iter()
            .map(|(_, vectors)| {
                vectors
                    .iter()
                    .filter(|v| v.len() == section.len())
                    .map(|v| dot(v, section))
                    .reduce(f32::max)
            })
            .collect();
        // The margin needs other themes to stand out from.
        if sims.iter().any(Option::is_none) || sims.len() < MIN_THEMES {
            return Vec::new();
        }
        let sims: Vec<f32> = sims.into_iter().flatten().collect();
        let mean = sims.iter().sum::<f32>() / sims.len() as f32;
        self.themes
            .iter()
            .zip(sims)
            .map(|((id, _), similarity)| Meaning {
                theme: id.clone(),
                similarity: round3(similarity),
                margin: round3(similarity - mean),
            })
            .collect()
    }
}

/// How close a section's meaning is to a theme.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Meaning {
    pub theme: String,
    /// Cosine between the section's vector and the nearest of the theme's texts.
    pub similarity: f32,
    /// The similarity minus the section's mean similarity over all themes.
    pub margin: f32,
}

fn round3(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}

/// How the lexical score and the meaning are combined. Chosen on the dev sets
/// (`examples/theme_eval.rs --semantic`, README "Themes by meaning"): a grid over these four
/// numbers, scored by the mean macro-F1 over all four dev sets (a setting that lifts one set
/// and drops the others is not taken); a logistic combination of score and margin, a margin
/// over the section's best theme instead of over the mean, and the meaning alone adding a
/// theme the section's words never name all did worse. Macro-F1 by words → with meaning
/// (round 5, with nynorsk prototypes): eval/themes-labelled.toml 0.934 → 0.926, v2 0.904 →
/// 0.927, v3 0.775 → 0.876, v4 0.863 → 0.883 (dev figures: tuned there).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Combination {
    /// A section whose words only just carry the theme (score below `veto_below` × threshold)
    /// loses it when its margin is below this: a mention in passing.
    pub veto_margin: f32,
    pub veto_below: f32,
    /// A section whose words reach this share of the threshold gets the theme when its margin
    /// reaches `rescue_margin`: it describes the theme in other words.
    pub rescue_share: f32,
    pub rescue_margin: f32,
}

pub const DEFAULT_COMBINATION: Combination = Combination {
    veto_margin: 0.01,
    veto_below: 2.0,
    rescue_share: 0.25,
    rescue_margin: 0.025,
};

/// What the meaning did to the words' decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The meaning agrees with the words (or is not strong enough to overrule them).
    Kept,
    /// The words carry the theme, but the section is about something else.
    Vetoed,
    /// The words alone fall short, but the section is about the theme.
    Added,
}

/// The meaning part of a theme's match (`match --explain`, `match --json`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MeaningPart {
    /// Cosine between the section and the nearest of the theme's texts (3 decimals).
    pub similarity: f64,
    /// The similarity minus the section's mean over all themes (3 decimals).
    pub margin: f64,
    pub verdict: Verdict,
}

impl Combination {
    /// Whether the section carries the theme: `score` and `threshold` from the words (a score
    /// of 0 when no word of the theme occurs), `meaning` from the vectors.
    pub fn decide(&self, score: f32, threshold: f32, meaning: &Meaning) -> (bool, Verdict) {
        let passed = score >= threshold;
        if passed && score < self.veto_below * threshold && meaning.margin < self.veto_margin {
            return (false, Verdict::Vetoed);
        }
        if !passed
            && score > 0.0
            && score >= self.rescue_share * threshold
            && meaning.margin >= self.rescue_margin
        {
            return (true, Verdict::Added);
        }
        (passed, Verdict::Kept)
    }
}

/// Everything matching by meaning needs for an index dir: the section vectors search uses and
/// the themes' vectors.
pub struct ThemeMeaning {
    sections: Vectors,
    themes: ThemeVectors,
    pub combination: Combination,
}

impl ThemeMeaning {
    pub fn new(sections: Vectors, themes: ThemeVectors) -> ThemeMeaning {
        ThemeMeaning {
            sections,
            themes,
            combination: DEFAULT_COMBINATION,
        }
    }

    /// With the run's model: `INDEX_DIR/embeddings.bin` and the themes' vectors
    /// (`INDEX_DIR/theme-vectors.bin`, embedded when the themes change); `None` (matching by
    /// words alone) when embeddings are off, not installed, or something fails (one warning).
    pub fn load(
        index_dir: &Path,
        embedder: &dyn Embedder,
        themes: &[Theme],
    ) -> Option<ThemeMeaning> {
        let path = crate::embed::store::path_in(index_dir);
        let sections = match Vectors::read(&path) {
            Ok(Some(v)) if v.model == embedder.model_id() && v.dim == embedder.dim() => v,
            Ok(_) => {
                tracing::warn!(
                    "themes by meaning are off: no section vectors in {}",
                    path.display()
                );
                return None;
            }
            Err(e) => {
                tracing::warn!("themes by meaning are off: {e}");
                return None;
            }
        };
        match ThemeVectors::load_or_embed(themes, embedder, &index_dir.join(FILE)) {
            Ok(themes) => Some(ThemeMeaning::new(sections, themes)),
            Err(e) => {
                tracing::warn!("themes by meaning are off: {e}");
                None
            }
        }
    }

    /// The section's meanings, when its vector is of its current text.
    pub fn meanings(&self, section: &IndexedSection) -> Vec<Meaning> {
        let Some(i) = self.sections.find(&section.key()) else {
            return Vec::new();
        };
        if self.sections.hash(i) != &crate::embed::store::section_hash(section) {
            return Vec::new();
        }
        self.themes.meanings(self.sections.vector(i))
    }

    /// Adds the meaning to a section's lexical matches and decides them again; a section
    /// without a vector keeps the words' decisions.
    pub fn apply(&self, section: &IndexedSection, matches: &mut [ThemeMatch]) {
        let meanings = self.meanings(section);
        for m in matches.iter_mut() {
            let Some(meaning) = meanings.iter().find(|x| x.theme == m.theme) else {
                continue;
            };
            let (passed, verdict) = self.combination.decide(m.score, m.threshold, meaning);
            m.passed = passed;
            let three = |x: f32| (f64::from(x) * 1000.0).round() / 1000.0;
            m.meaning = Some(MeaningPart {
                similarity: three(meaning.similarity),
                margin: three(meaning.margin),
                verdict,
            });
        }
    }
}

/// `match --explain`'s line for the meaning, in Norwegian: "betydning: likhet 0,81 til
/// «Skrøpelige eldre» (+0,03 over snittet av temaene) · lagt til".
pub fn explain_line(label: &str, meaning: &MeaningPart) -> String {
    let comma = |x: f64, signed: bool| {
        let text = if signed {
            format!("{x:+.2}")
        } else {
            format!("{x:.2}")
        };
        text.replace('.', ",").replace('-', "−")
    };
    let verdict = match meaning.verdict {
        Verdict::Kept => "",
        Verdict::Vetoed => " · avvist: handler om noe annet (nevnt i forbifarten)",
        Verdict::Added => " · lagt til: handler om temaet med andre ord",
    };
    format!(
        "betydning: likhet {} til «{label}» ({} over snittet av temaene){verdict}",
        comma(meaning.similarity, false),
        comma(meaning.margin, true)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::fake::{FakeEmbedder, section};

    fn theme(id: &str, label: &str, description: &str) -> Theme {
        Theme {
            id: id.into(),
            label: label.into(),
            description: description.into(),
            terms: vec![id.into()],
            context: Vec::new(),
            paraphrases: Vec::new(),
            exclude: Vec::new(),
            threshold: None,
            prototypes: Vec::new(),
        }
    }

    fn meaning(margin: f32) -> Meaning {
        Meaning {
            theme: "t".into(),
            similarity: 0.85,
            margin,
        }
    }

    #[test]
    fn the_meaning_vetoes_borderline_words_and_adds_near_misses() {
        let c = DEFAULT_COMBINATION;
        // Words well over the threshold: the meaning never takes the theme away.
        assert_eq!(c.decide(6.0, 2.0, &meaning(-0.05)), (true, Verdict::Kept));
        // Just over it, but about something else: a mention in passing.
        assert_eq!(c.decide(2.1, 2.0, &meaning(0.0)), (false, Verdict::Vetoed));
        assert_eq!(c.decide(2.1, 2.0, &meaning(0.02)), (true, Verdict::Kept));
        // Words at twice the threshold carry the theme whatever the meaning says.
        assert_eq!(c.decide(3.9, 2.0, &meaning(0.0)), (false, Verdict::Vetoed));
        assert_eq!(c.decide(4.0, 2.0, &meaning(0.0)), (true, Verdict::Kept));
        // Below it, but about the theme: added.
        assert_eq!(c.decide(1.0, 2.0, &meaning(0.04)), (true, Verdict::Added));
        assert_eq!(c.decide(1.0, 2.0, &meaning(0.01)), (false, Verdict::Kept));
        // No word of the theme at all: the meaning alone never adds it.
        assert_eq!(c.decide(0.0, 2.0, &meaning(0.2)), (false, Verdict::Kept));
    }

    #[test]
    fn margins_are_over_the_mean_of_the_themes() {
        let v = ThemeVectors::from_vectors(vec![
            ("a".into(), vec![vec![1.0, 0.0], vec![0.0, 1.0]]),
            ("b".into(), vec![vec![0.6, 0.8]]),
            ("c".into(), vec![vec![-1.0, 0.0]]),
        ]);
        let m = v.meanings(&[0.0, 1.0]);
        assert_eq!(m.len(), 3);
        // a: nearest of its two texts (1.0); mean (1.0 + 0.8 + 0.0) / 3 = 0.6.
        assert_eq!((m[0].similarity, m[0].margin), (1.0, 0.4));
        assert_eq!((m[1].similarity, m[1].margin), (0.8, 0.2));
        assert_eq!(m[2].margin, -0.6);
        // A vector of another dimension, or too few themes: nothing (words alone).
        assert!(v.meanings(&[1.0, 0.0, 0.0]).is_empty());
        let two = ThemeVectors::from_vectors(vec![
            ("a".into(), vec![vec![1.0, 0.0]]),
            ("b".into(), vec![vec![0.0, 1.0]]),
        ]);
        assert!(two.meanings(&[1.0, 0.0]).is_empty());
    }

    #[test]
    fn theme_vectors_are_embedded_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        let mut themes = vec![
            theme(
                "rekruttering",
                "Rekruttering",
                "Skaffe og beholde sykepleiere.",
            ),
            theme("bygg", "Sykehusbygg", "Nye bygg og senger."),
            theme("barn", "Barn og unge", "Tjenester til barn."),
        ];
        themes[0].prototypes = vec!["Kommunen mangler sykepleiere.".into(), " ".into()];
        assert_eq!(theme_texts(&themes[0]).len(), 2);
        let fake = FakeEmbedder::new();
        ThemeVectors::load_or_embed(&themes, &fake, &path).unwrap();
        let before = std::fs::metadata(&path).unwrap().modified().unwrap();
        let again = ThemeVectors::load_or_embed(&themes, &fake, &path).unwrap();
        assert_eq!(
            std::fs::metadata(&path).unwrap().modified().unwrap(),
            before,
            "nothing new to embed, nothing written"
        );
        let near = fake
            .embed_passages(&["Kommunen mangler sykepleiere."])
            .unwrap();
        let m = again.meanings(&near[0]);
        assert_eq!(m[0].theme, "rekruttering");
        assert!(
            m[0].margin > m[1].margin && m[0].margin > m[2].margin,
            "{m:?}"
        );
    }

    #[test]
    fn apply_adds_the_meaning_and_leaves_sections_without_vectors_alone() {
        let themes = vec![
            theme(
                "rekruttering",
                "Rekruttering",
                "Skaffe og beholde sykepleiere.",
            ),
            theme("bygg", "Sykehusbygg", "Nye bygg og senger."),
            theme("barn", "Barn og unge", "Tjenester til barn."),
        ];
        let fake = FakeEmbedder::new();
        let dir = tempfile::tempdir().unwrap();
        let vectors = ThemeVectors::load_or_embed(&themes, &fake, &dir.path().join(FILE)).unwrap();
        let with = section(
            "a",
            0,
            "Rekruttering",
            "Skaffe og beholde sykepleiere i kommunen.",
        );
        let without = section("a", 1, "Bygg", "Nye bygg.");
        let mut sections = Vectors::new(fake.model_id(), fake.dim());
        let text = crate::embed::passage_text(with.heading.as_deref(), &with.text);
        let v = fake.embed_passages(&[&text]).unwrap();
        sections.push(&with.key(), crate::embed::store::section_hash(&with), &v[0]);
        // A vector of an older text of the section is not used.
        sections.push(&without.key(), text_hash("old text"), &v[0]);
        let meaning = ThemeMeaning::new(sections, vectors);
        let matcher = super::super::ThemeMatcher::new(&themes);
        let mut found = matcher.score(with.heading.as_deref(), &with.text);
        meaning.apply(&with, &mut found);
        let part = found[0].meaning.expect("meaning");
        assert!(part.similarity > 0.5 && part.margin > 0.0, "{part:?}");
        let mut found = matcher.score(without.heading.as_deref(), &without.text);
        let before = found.clone();
        meaning.apply(&without, &mut found);
        assert_eq!(found, before);
    }

    #[test]
    fn the_explain_line_is_norwegian() {
        let part = MeaningPart {
            similarity: 0.812,
            margin: -0.031,
            verdict: Verdict::Vetoed,
        };
        assert_eq!(
            explain_line("Skrøpelige eldre", &part),
            "betydning: likhet 0,81 til «Skrøpelige eldre» (−0,03 over snittet av temaene) · \
             avvist: handler om noe annet (nevnt i forbifarten)"
        );
    }
}
