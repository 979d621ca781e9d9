use std::collections::BTreeMap;

use chrono::Utc;

use super::{Pipeline, PipelineError};
use crate::config::Config;
use crate::index::{IndexedSection, SectionIndex};
use crate::matches::{MatchFile, MatchedSection, ThemeResult};
use crate::themes::{ThemeMatch, ThemeMatcher};
use crate::track::Catalog;
use crate::track::db::{StageWrites, VersionMatches};

impl Pipeline {
    /// The match stage with its bookkeeping: `run` reuses the stored matches when the indexed
    /// versions and the themes are what they were matched with; otherwise the stage runs and
    /// every indexed version's matches are recorded in the catalog.
    pub(super) fn match_and_record(
        &self,
        catalog: &mut Catalog,
        command: &str,
        writes: &mut StageWrites,
    ) -> Result<Vec<ThemeResult>, PipelineError> {
        let state = matched_state(
            catalog,
            &format!(
                "{}{}",
                themes_fingerprint(&self.config),
                meaning_fingerprint(&self.config, &self.index_dir)
            ),
        );
        if command == "run"
            && catalog.matched_state.as_deref() == Some(state.as_str())
            && let Ok(Some(stored)) = MatchFile::load(&self.index_dir)
        {
            tracing::info!("indexed versions and themes unchanged: stored matches reused");
            return Ok(stored.themes);
        }
        let themes = self.match_stage()?;
        // Every indexed version gets its full list, so matches a version lost are dropped.
        let mut by_version: BTreeMap<(String, String), VersionMatches> = catalog
            .sources
            .iter()
            .filter_map(|(id, record)| {
                let sha = record.indexed_sha256.as_ref()?;
                record.version(sha)?;
                let empty = VersionMatches {
                    source: id.clone(),
                    sha256: sha.clone(),
                    matches: Vec::new(),
                };
                Some(((id.clone(), sha.clone()), empty))
            })
            .collect();
        for theme in &themes {
            for section in &theme.sections {
                if let Some(version) =
                    by_version.get_mut(&(section.source.clone(), section.version.clone()))
                {
                    version
                        .matches
                        .push((section.ordinal, theme.id.clone(), section.score));
                }
            }
        }
        writes.theme_matches = by_version.into_values().collect();
        catalog.matched_state = Some(state);
        Ok(themes)
    }

    /// Finds each theme's sections through the index and ranks them; stores `matches.json`.
    pub(crate) fn match_stage(&self) -> Result<Vec<ThemeResult>, PipelineError> {
        let index = SectionIndex::open_or_create(&self.index_dir)?;
        let matcher = ThemeMatcher::new(&self.config.themes);
        let meaning = self.theme_meaning();
        let mut results = Vec::new();
        for theme in &self.config.themes {
            let candidates = index.sections_with_any(&matcher.analysed_terms(&theme.id))?;
            let mut sections: Vec<MatchedSection> = candidates
                .iter()
                .filter_map(|section| {
                    let mut found = matcher.score(section.heading.as_deref(), &section.text);
                    if let Some(meaning) = &meaning {
                        meaning.apply(section, &mut found);
                    }
                    let found = found.into_iter().find(|m| m.theme == theme.id)?;
                    found.passed.then(|| matched(section, found))
                })
                .collect();
            sections.sort_by(|a, b| {
                b.score
                    .total_cmp(&a.score)
                    .then(a.source.cmp(&b.source))
                    .then(a.ordinal.cmp(&b.ordinal))
            });
            results.push(ThemeResult {
                id: theme.id.clone(),
                label: theme.label.clone(),
                sections,
            });
        }
        let file = MatchFile {
            generated_at: Utc::now(),
            themes: results.clone(),
        };
        file.save(&self.index_dir)?;
        Ok(results)
    }

    /// Scores one indexed section against every theme, for `match --explain`.
    pub fn explain(
        &self,
        source: &str,
        section: &str,
    ) -> Result<Option<(IndexedSection, Vec<ThemeMatch>)>, PipelineError> {
        let index = SectionIndex::open(&self.index_dir)?;
        let matcher = ThemeMatcher::new(&self.config.themes);
        let found = index.sections_of(source)?.into_iter().find(|s| {
            s.number.as_deref() == Some(section)
                || s.heading.as_deref() == Some(section)
                || s.label() == section
                || s.ordinal.to_string() == section.trim_start_matches('#')
        });
        let meaning = self.theme_meaning();
        Ok(found.map(|s| {
            let mut matches = matcher.score(s.heading.as_deref(), &s.text);
            if let Some(meaning) = &meaning {
                meaning.apply(&s, &mut matches);
            }
            (s, matches)
        }))
    }

    /// Themes by meaning, when embeddings are on and the index dir has section vectors.
    fn theme_meaning(&self) -> Option<crate::themes::meaning::ThemeMeaning> {
        let model = self.model()?;
        crate::themes::meaning::ThemeMeaning::load(&self.index_dir, model, &self.config.themes)
    }
}

fn matched(section: &IndexedSection, found: ThemeMatch) -> MatchedSection {
    MatchedSection {
        source: section.source.clone(),
        section: section.label(),
        heading: section.heading.clone(),
        page: section.page_start,
        version: section.version.clone(),
        ordinal: section.ordinal,
        // The index stores a section's themes strongest first.
        primary: section.themes.first() == Some(&found.theme),
        score: found.score,
        terms: found.terms,
        evidence: found.evidence,
        meaning: found.meaning,
    }
}

/// What a match result depends on: the themes and every indexed version.
fn matched_state(catalog: &Catalog, themes_fingerprint: &str) -> String {
    let mut text = themes_fingerprint.to_string();
    for (id, record) in &catalog.sources {
        if let Some(sha) = &record.indexed_sha256 {
            text.push_str(&format!("\u{1}{id}\u{2}{sha}"));
        }
    }
    crate::track::store::sha256_hex(text.as_bytes())
}

/// What the match stage's meaning depends on beyond the words: the texts each theme is
/// embedded as, whether embeddings are wanted, the section vectors' file (its size and time:
/// vectors that appear or change), and how meaning and words are combined. Part of the
/// matched state only (the index stage's stored themes are lexical), so installing the model
/// or editing a prototype matches again without indexing again.
fn meaning_fingerprint(config: &Config, index_dir: &std::path::Path) -> String {
    let vectors = std::fs::metadata(crate::embed::store::path_in(index_dir))
        .ok()
        .map(|m| (m.len(), m.modified().ok()));
    let mut text = format!(
        "{:?}\u{1}{vectors:?}\u{1}{:?}",
        crate::embed::wanted(&config.embeddings),
        crate::themes::meaning::DEFAULT_COMBINATION
    );
    for theme in &config.themes {
        for t in crate::themes::meaning::theme_texts(theme) {
            text.push_str(&format!("\u{2}{}\u{3}{t}", theme.id));
        }
    }
    crate::track::store::sha256_hex(text.as_bytes())
}

/// Changes whenever a theme definition changes, so stored themes are recomputed.
pub(super) fn themes_fingerprint(config: &Config) -> String {
    let mut text = String::new();
    for theme in &config.themes {
        text.push_str(&format!(
            "{}\u{1}{}\u{1}{}\u{1}{}\u{1}{}\u{1}{:?}\u{2}",
            theme.id,
            theme.terms.join("\u{3}"),
            theme.context.join("\u{3}"),
            theme.paraphrases.join("\u{3}"),
            theme.exclude.join("\u{3}"),
            theme.threshold
        ));
    }
    // The scoring code is part of the definition too.
    text.push_str(env!("CARGO_PKG_VERSION"));
    text.push_str(crate::index::FORMAT);
    // A new extraction gives stored versions new sections: index them all again.
    text.push_str(crate::extract::VERSION);
    text.push_str(crate::themes::SCORER_VERSION);
    crate::track::store::sha256_hex(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_meaning_fingerprint_follows_the_themes_texts() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut config = Config::load(&root.join("examples/demo/sources.toml")).expect("valid");
        let dir = tempfile::tempdir().unwrap();
        let before = meaning_fingerprint(&config, dir.path());
        assert_eq!(before, meaning_fingerprint(&config, dir.path()));
        config.themes[0].prototypes.push("Ein ny prototype.".into());
        let after = meaning_fingerprint(&config, dir.path());
        assert_ne!(before, after, "a new prototype matches again");
        // The words' fingerprint (which re-indexes) does not move with a prototype.
        let words = themes_fingerprint(&config);
        config.themes[0].prototypes.pop();
        assert_eq!(words, themes_fingerprint(&config));
        // Section vectors that appear match again.
        std::fs::write(crate::embed::store::path_in(dir.path()), b"vectors").unwrap();
        assert_ne!(before, meaning_fingerprint(&config, dir.path()));
    }

    #[test]
    fn the_model_is_opened_once_per_pipeline_when_first_needed() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut config = Config::load(&root.join("examples/demo/sources.toml")).expect("valid");
        config.embeddings.enabled = Some(false);
        let dir = tempfile::tempdir().unwrap();
        let pipeline = Pipeline::new(config, dir.path());
        assert!(
            pipeline.model.get().is_none(),
            "not opened before a stage needs it"
        );
        assert!(pipeline.model().is_none(), "embeddings off: no model");
        // The answer is kept: the match stage asks the same cell the index stage filled.
        assert!(pipeline.model.get().is_some());
        assert!(pipeline.theme_meaning().is_none());
    }
}
