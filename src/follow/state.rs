//! What following a source found last time: `INDEX_DIR/follow/ID.json`, written atomically.
//!
//! It belongs to the source's current `url` and `follow`: when either changes in sources.toml
//! the old state no longer applies and is ignored.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::FollowError;
use crate::config::{Follow, Source};
use crate::extract::model::Format;

/// Validators and stored version of a page fetched on the way to a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageState {
    pub sha256: String,
    pub format: Format,
    #[serde(default)]
    pub etag: Option<String>,
    #[serde(default)]
    pub last_modified: Option<String>,
}

/// A document a listing links to, tracked as a source of its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// `PARENT--SLUG`, kept for as long as the link is listed.
    pub id: String,
    /// The link's text on the listing page.
    pub title: String,
    pub url: String,
    pub first_seen: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowState {
    /// The source's `url` and `follow` this state belongs to.
    pub url: String,
    pub follow: Option<Follow>,
    /// Landing and chapter pages by URL.
    #[serde(default)]
    pub pages: BTreeMap<String, PageState>,
    /// The PDF (pdf) or the chapter pages in order (chapters) taken last time.
    #[serde(default)]
    pub targets: Vec<String>,
    /// Whether a listing page has been read (its entries may legitimately be none).
    #[serde(default)]
    pub listed: bool,
    /// A listing's linked documents, in page order.
    #[serde(default)]
    pub entries: Vec<Entry>,
}

impl FollowState {
    pub fn new(source: &Source) -> FollowState {
        FollowState {
            url: source.url.clone(),
            follow: source.follow,
            pages: BTreeMap::new(),
            targets: Vec::new(),
            listed: false,
            entries: Vec::new(),
        }
    }

    pub fn path(index_dir: &Path, source_id: &str) -> PathBuf {
        index_dir.join("follow").join(format!("{source_id}.json"))
    }

    /// The stored state of a source, or an empty one when there is none or it belongs to an
    /// earlier url or follow mode.
    pub fn load(
        index_dir: &Path,
        source_id: &str,
        source: &Source,
    ) -> Result<FollowState, FollowError> {
        let path = FollowState::path(index_dir, source_id);
        let io = |source| FollowError::Io {
            path: path.display().to_string(),
            source,
        };
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(FollowState::new(source));
            }
            Err(e) => return Err(io(e)),
        };
        let state: FollowState = serde_json::from_slice(&bytes)
            .map_err(|e| io(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))?;
        if state.url == source.url && state.follow == source.follow {
            Ok(state)
        } else {
            Ok(FollowState::new(source))
        }
    }

    pub(crate) fn save(&self, index_dir: &Path, source_id: &str) -> Result<(), FollowError> {
        let path = FollowState::path(index_dir, source_id);
        crate::fsutil::write_json_atomic(&path, self).map_err(|source| FollowError::Io {
            path: path.display().to_string(),
            source,
        })
    }
}
