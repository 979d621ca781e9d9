//! The format of `INDEX_DIR/matches.json`, the stored result of the match stage: written by
//! `pipeline`, read by `brief`, `serve` and `track` (the one-time import of the old catalog).

use std::path::{Path, PathBuf};

use chrono::Utc;
use serde::{Deserialize, Serialize};

/// A theme with its matching sections, strongest first.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ThemeResult {
    pub id: String,
    pub label: String,
    pub sections: Vec<MatchedSection>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MatchedSection {
    pub source: String,
    pub section: String,
    pub heading: Option<String>,
    pub page: u64,
    pub version: String,
    pub ordinal: u64,
    pub score: f32,
    pub terms: Vec<String>,
    pub evidence: Vec<String>,
    /// Whether this is the section's strongest theme.
    #[serde(default)]
    pub primary: bool,
    /// With embeddings: the meaning part of the decision (`themes::meaning`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meaning: Option<crate::themes::meaning::MeaningPart>,
}

/// The stored result of the match stage: `INDEX_DIR/matches.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MatchFile {
    pub generated_at: chrono::DateTime<Utc>,
    pub themes: Vec<ThemeResult>,
}

impl MatchFile {
    pub fn path_in(index_dir: &Path) -> PathBuf {
        index_dir.join("matches.json")
    }

    /// The stored matches of the last match stage, or `None` if no run has matched yet.
    pub fn load(index_dir: &Path) -> Result<Option<MatchFile>, MatchFileError> {
        let path = MatchFile::path_in(index_dir);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(MatchFileError::Read { path, source }),
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|source| MatchFileError::Parse { path, source })
    }

    /// Writes the file atomically.
    pub(crate) fn save(&self, index_dir: &Path) -> Result<(), MatchFileError> {
        let path = MatchFile::path_in(index_dir);
        crate::fsutil::write_json_atomic(&path, self)
            .map_err(|source| MatchFileError::Write { path, source })
    }
}

/// `matches.json` could not be read, parsed or written.
#[derive(Debug, thiserror::Error)]
pub enum MatchFileError {
    #[error("{}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: {source}", path.display())]
    Parse {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("{}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}
