//! What the server shares between requests: the configuration, the index reader (refreshed in
//! the background), the pool of blocking work and caches of derived data.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

use tokio::sync::Semaphore;

use super::error::PageError;
use crate::config::Config;
use crate::index::{IndexError, SectionIndex};
use crate::track::changes::DocumentChange;

/// A citation and the position of the section it stands in (for links to that section); the
/// state caches them.
#[derive(Debug, Clone)]
pub struct Citation {
    pub record: crate::refs::links::CitationRecord,
    pub ordinal: u64,
}

/// How long a request waits for a free worker plus its own work before the page says so.
const WORK_TIMEOUT: Duration = Duration::from_secs(15);

/// The index as the server currently sees it.
enum IndexSlot {
    Ready(Arc<SectionIndex>),
    /// No index yet, or one that cannot be read; the message says why.
    Unavailable(String),
}

struct Shared {
    config_path: PathBuf,
    index_dir: PathBuf,
    config: RwLock<Arc<Config>>,
    config_modified: Mutex<Option<SystemTime>>,
    index: RwLock<IndexSlot>,
    /// Bounds the searches and page builds that run at once on the blocking pool.
    workers: Arc<Semaphore>,
    /// Only these Host headers are answered (DNS-rebinding guard) when serving on loopback.
    loopback_only: bool,
    citations: Mutex<Option<(u64, Arc<Vec<Citation>>)>>,
    changes: Mutex<Option<(u64, Arc<Vec<DocumentChange>>)>>,
    /// Search by meaning: the model and the section vectors, reloaded when they change.
    semantic: crate::embed::hybrid::SemanticCache,
}

/// Cheap to clone: every clone shares the same state.
#[derive(Clone)]
pub struct AppState {
    shared: Arc<Shared>,
}

impl AppState {
    /// Reads the configuration (an error here stops the server from starting) and opens the
    /// index if there is one (a missing index is shown on the pages and retried).
    pub fn load(
        config_path: PathBuf,
        index_dir: PathBuf,
        loopback_only: bool,
    ) -> Result<AppState, crate::config::ConfigError> {
        let config = crate::follow::load_config(&config_path, &index_dir)?;
        let modified = modified(&config_path);
        let embeddings = config.embeddings.clone();
        let workers = std::thread::available_parallelism()
            .map(|n| n.get() * 2)
            .unwrap_or(4)
            .max(4);
        let state = AppState {
            shared: Arc::new(Shared {
                config: RwLock::new(Arc::new(config)),
                config_modified: Mutex::new(modified),
                index: RwLock::new(open_index(&index_dir)),
                semantic: crate::embed::hybrid::SemanticCache::new(&index_dir, embeddings),
                config_path,
                index_dir,
                workers: Arc::new(Semaphore::new(workers)),
                loopback_only,
                citations: Mutex::new(None),
                changes: Mutex::new(None),
            }),
        };
        Ok(state)
    }

    /// The model and vectors for search by meaning, if installed and built.
    pub fn semantic(&self) -> Option<Arc<crate::embed::Semantic>> {
        self.shared.semantic.get()
    }

    pub fn index_dir(&self) -> &Path {
        &self.shared.index_dir
    }

    pub(crate) fn loopback_only(&self) -> bool {
        self.shared.loopback_only
    }

    /// The configuration as of the last refresh.
    pub fn config(&self) -> Arc<Config> {
        self.shared
            .config
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The index, or the page to show when there is none.
    pub fn index(&self) -> Result<Arc<SectionIndex>, PageError> {
        match &*self.shared.index.read().unwrap_or_else(|e| e.into_inner()) {
            IndexSlot::Ready(index) => Ok(index.clone()),
            IndexSlot::Unavailable(message) => Err(PageError::no_index(message)),
        }
    }

    /// Picks up a new index commit and a changed configuration. Never fails: problems are
    /// logged and the previous state is kept (or the index is marked unavailable).
    pub(crate) fn refresh(&self) {
        let current = match &*self.shared.index.read().unwrap_or_else(|e| e.into_inner()) {
            IndexSlot::Ready(index) => Some(index.clone()),
            IndexSlot::Unavailable(_) => None,
        };
        let next = match current {
            Some(index) => match index.reload() {
                Ok(()) => None,
                Err(e) => {
                    // A rebuilt index (new schema) or a removed directory: open it afresh.
                    tracing::warn!("index reload failed, reopening: {e}");
                    Some(open_index(&self.shared.index_dir))
                }
            },
            None => Some(open_index(&self.shared.index_dir)),
        };
        if let Some(slot) = next {
            if let IndexSlot::Ready(_) = slot {
                tracing::info!(dir = %self.shared.index_dir.display(), "index opened");
            }
            *self.shared.index.write().unwrap_or_else(|e| e.into_inner()) = slot;
        }
        self.refresh_config();
    }

    fn refresh_config(&self) {
        let now = modified(&self.shared.config_path);
        let mut seen = self
            .shared
            .config_modified
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if now == *seen {
            return;
        }
        *seen = now;
        match crate::follow::load_config(&self.shared.config_path, &self.shared.index_dir) {
            Ok(config) => {
                tracing::info!(file = %self.shared.config_path.display(), "configuration reloaded");
                *self
                    .shared
                    .config
                    .write()
                    .unwrap_or_else(|e| e.into_inner()) = Arc::new(config);
            }
            // Keep serving with the last good configuration.
            Err(e) => tracing::warn!("configuration not reloaded: {e}"),
        }
    }

    /// Refreshes on an interval until the task is aborted.
    pub(crate) async fn refresh_forever(self, every: Duration) {
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        interval.tick().await;
        loop {
            interval.tick().await;
            let state = self.clone();
            if let Err(e) = tokio::task::spawn_blocking(move || state.refresh()).await {
                tracing::warn!("index refresh task failed: {e}");
            }
        }
    }

    /// Runs blocking work (tantivy, file reads) on the blocking pool, at most a few at a time,
    /// within a time limit.
    pub async fn blocking<T, F>(&self, work: F) -> Result<T, PageError>
    where
        F: FnOnce(&AppState) -> Result<T, PageError> + Send + 'static,
        T: Send + 'static,
    {
        let deadline = tokio::time::Instant::now() + WORK_TIMEOUT;
        let permit = tokio::time::timeout_at(deadline, self.shared.workers.clone().acquire_owned())
            .await
            .map_err(|_| PageError::busy())?
            .map_err(|_| PageError::busy())?;
        let state = self.clone();
        let task = tokio::task::spawn_blocking(move || {
            // Held until the work is done, even if the request gave up waiting.
            let _permit = permit;
            work(&state)
        });
        match tokio::time::timeout_at(deadline, task).await {
            Err(_) => Err(PageError::busy()),
            Ok(Err(join)) => {
                tracing::error!("page work panicked: {join}");
                Err(PageError::internal("uventet feil i tjeneren"))
            }
            Ok(Ok(result)) => result,
        }
    }

    /// Derived data cached until its inputs change (`key` is a fingerprint of the inputs).
    pub(crate) fn cached_citations(
        &self,
        key: u64,
        build: impl FnOnce() -> Result<Vec<Citation>, PageError>,
    ) -> Result<Arc<Vec<Citation>>, PageError> {
        cached(&self.shared.citations, key, build)
    }

    pub(crate) fn cached_changes(
        &self,
        key: u64,
        build: impl FnOnce() -> Result<Vec<DocumentChange>, PageError>,
    ) -> Result<Arc<Vec<DocumentChange>>, PageError> {
        cached(&self.shared.changes, key, build)
    }
}

fn cached<T>(
    slot: &Mutex<Option<(u64, Arc<T>)>>,
    key: u64,
    build: impl FnOnce() -> Result<T, PageError>,
) -> Result<Arc<T>, PageError> {
    if let Some((k, value)) = &*slot.lock().unwrap_or_else(|e| e.into_inner())
        && *k == key
    {
        return Ok(value.clone());
    }
    // Built outside the lock: a slow build does not hold up pages that need the old value.
    let value = Arc::new(build()?);
    *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some((key, value.clone()));
    Ok(value)
}

/// A fingerprint of anything hashable, for cache keys.
pub(crate) fn fingerprint(value: &impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn open_index(index_dir: &Path) -> IndexSlot {
    match SectionIndex::open(index_dir) {
        Ok(index) => IndexSlot::Ready(Arc::new(index)),
        Err(e) => {
            if !matches!(e, IndexError::Missing(_)) {
                tracing::warn!("cannot open the index: {e}");
            }
            IndexSlot::Unavailable(e.to_string())
        }
    }
}
