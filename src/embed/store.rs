//! The section vectors beside the tantivy index: `INDEX_DIR/embeddings.bin`.
//!
//! One entry per section: its key (`source#ordinal`), the sha256 of the text that was embedded
//! ([`super::passage_text`]) and the vector. The header names the model and the index commit
//! (opstamp) the file is complete for. [`sync`] brings the file up to the index's latest commit
//! after each index stage: a section whose text (by hash) already has a vector of the same model
//! (in this file or a cache file) is not embedded again, so a nightly run embeds only new and
//! changed sections. Search checks each vector's hash against the section it loads, so a file
//! that lags the index (a crash between the commit and the file) never attaches a vector to the
//! wrong text.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{EmbedError, Embedder, io, passage_text};
use crate::index::{IndexedSection, SectionIndex};

pub const FILE: &str = "embeddings.bin";
const MAGIC: &[u8] = b"SAMSPOR-VECTORS-1\n";
/// Sections embedded per call (the model runs a batch in parallel).
const BATCH: usize = 32;
/// A long embedding run saves what it has this often, so an interrupted run loses little.
const CHECKPOINT: Duration = Duration::from_secs(60);

pub fn path_in(index_dir: &Path) -> PathBuf {
    index_dir.join(FILE)
}

pub type TextHash = [u8; 32];

pub fn text_hash(text: &str) -> TextHash {
    Sha256::digest(text.as_bytes()).into()
}

/// The hash of what is embedded for a section.
pub fn section_hash(section: &IndexedSection) -> TextHash {
    text_hash(&passage_text(section.heading.as_deref(), &section.text))
}

#[derive(Serialize, Deserialize)]
struct Header {
    model: String,
    dim: usize,
    /// The index commit the file is complete for; `None` for a checkpoint.
    stamp: Option<u64>,
    count: usize,
}

/// Vectors of one model, in memory.
#[derive(Debug, Clone, Default)]
pub struct Vectors {
    pub model: String,
    pub dim: usize,
    pub stamp: Option<u64>,
    keys: Vec<String>,
    hashes: Vec<TextHash>,
    data: Vec<f32>,
    by_key: HashMap<String, usize>,
}

impl Vectors {
    pub fn new(model: &str, dim: usize) -> Vectors {
        Vectors {
            model: model.to_string(),
            dim,
            ..Vectors::default()
        }
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn push(&mut self, key: &str, hash: TextHash, vector: &[f32]) {
        if vector.len() != self.dim {
            return;
        }
        // A key's first entry (a passage file holds several entries per key).
        let at = self.keys.len();
        self.by_key.entry(key.to_string()).or_insert(at);
        self.keys.push(key.to_string());
        self.hashes.push(hash);
        self.data.extend_from_slice(vector);
    }

    pub fn vector(&self, i: usize) -> &[f32] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }

    pub fn key(&self, i: usize) -> &str {
        &self.keys[i]
    }

    pub fn hash(&self, i: usize) -> &TextHash {
        &self.hashes[i]
    }

    /// The entry of a section key.
    pub fn find(&self, key: &str) -> Option<usize> {
        self.by_key.get(key).copied()
    }

    /// Cosine similarity of `query` with every vector, in entry order.
    pub fn similarities(&self, query: &[f32]) -> Vec<f32> {
        if query.len() != self.dim || self.dim == 0 {
            return Vec::new();
        }
        self.data
            .chunks_exact(self.dim)
            .map(|v| super::dot(query, v))
            .collect()
    }

    /// The file, or `None` when there is none.
    pub fn read(path: &Path) -> Result<Option<Vectors>, EmbedError> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(path)(e)),
        };
        Vectors::parse(&bytes)
            .map(Some)
            .map_err(|message| EmbedError::Format {
                path: path.display().to_string(),
                message,
            })
    }

    fn parse(bytes: &[u8]) -> Result<Vectors, String> {
        let mut at = bytes
            .strip_prefix(MAGIC)
            .ok_or_else(|| "wrong magic".to_string())?;
        let mut take = |n: usize| -> Result<&[u8], String> {
            if at.len() < n {
                return Err("truncated".into());
            }
            let (head, rest) = at.split_at(n);
            at = rest;
            Ok(head)
        };
        let header_len = u32::from_le_bytes(take(4)?.try_into().map_err(|_| "header")?) as usize;
        let header: Header =
            serde_json::from_slice(take(header_len)?).map_err(|e| format!("header: {e}"))?;
        if header.dim == 0 || header.dim > 4096 {
            return Err(format!("dimension {}", header.dim));
        }
        let mut vectors = Vectors::new(&header.model, header.dim);
        vectors.stamp = header.stamp;
        for _ in 0..header.count {
            let key_len = u16::from_le_bytes(take(2)?.try_into().map_err(|_| "key")?) as usize;
            let key = std::str::from_utf8(take(key_len)?)
                .map_err(|_| "key is not UTF-8")?
                .to_string();
            let hash: TextHash = take(32)?.try_into().map_err(|_| "hash")?;
            let raw = take(header.dim * 4)?;
            let vector: Vec<f32> = raw
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            vectors.push(&key, hash, &vector);
        }
        Ok(vectors)
    }

    fn to_bytes(&self) -> Vec<u8> {
        let header = serde_json::to_vec(&Header {
            model: self.model.clone(),
            dim: self.dim,
            stamp: self.stamp,
            count: self.len(),
        })
        .unwrap_or_default();
        let mut out = Vec::with_capacity(
            MAGIC.len() + 4 + header.len() + self.len() * (2 + 40 + 32 + self.dim * 4),
        );
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(header.len() as u32).to_le_bytes());
        out.extend_from_slice(&header);
        for i in 0..self.len() {
            let key = self.keys[i].as_bytes();
            let key = &key[..key.len().min(u16::MAX as usize)];
            out.extend_from_slice(&(key.len() as u16).to_le_bytes());
            out.extend_from_slice(key);
            out.extend_from_slice(&self.hashes[i]);
            for x in self.vector(i) {
                out.extend_from_slice(&x.to_le_bytes());
            }
        }
        out
    }

    /// Writes the file atomically.
    pub fn write(&self, path: &Path) -> Result<(), EmbedError> {
        crate::fsutil::write_atomic(path, &self.to_bytes()).map_err(io(path))
    }
}

/// What [`sync`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub sections: usize,
    /// Sections embedded now.
    pub embedded: usize,
    /// Sections whose vector was already known (same text, same model).
    pub reused: usize,
    pub millis: u64,
    /// The file was already complete for the index's commit.
    pub up_to_date: bool,
}

/// Brings the vector file at `path` up to the index's latest commit: every section with text
/// gets the vector of its current text, embedding only texts no vector is known for (in the
/// file itself or in `cache`, a vector file of any keys, which is extended with what was
/// embedded).
pub fn sync(
    index: &SectionIndex,
    embedder: &dyn Embedder,
    path: &Path,
    cache: Option<&Path>,
) -> Result<SyncReport, EmbedError> {
    let stamp = index.commit_stamp()?;
    if let Some(report) = up_to_date(embedder, path, stamp) {
        return Ok(report);
    }
    let units = index
        .all_sections()?
        .iter()
        .map(|s| (s.key(), passage_text(s.heading.as_deref(), &s.text)))
        .collect();
    sync_units(units, stamp, embedder, path, cache)
}

/// The file at `path` when it is of this model and complete for the index commit `stamp`.
fn up_to_date(embedder: &dyn Embedder, path: &Path, stamp: u64) -> Option<SyncReport> {
    // Only the header decides; a broken file is embedded again by the caller.
    let old = Vectors::read(path).ok().flatten()?;
    (old.model == embedder.model_id() && old.dim == embedder.dim() && old.stamp == Some(stamp))
        .then(|| SyncReport {
            sections: old.len(),
            up_to_date: true,
            ..SyncReport::default()
        })
}

/// Writes the vector file at `path` for `units` (key, text; a key may have several texts, kept
/// together in order), complete for the index commit `stamp`: every text gets a vector, embedded
/// only when no vector of that text (by hash) and model is known in the file itself or in
/// `cache` (a vector file of any keys, extended with what was embedded). Empty texts are left
/// out. `sections` in the report counts the texts.
pub(crate) fn sync_units(
    units: Vec<(String, String)>,
    stamp: u64,
    embedder: &dyn Embedder,
    path: &Path,
    cache: Option<&Path>,
) -> Result<SyncReport, EmbedError> {
    let started = Instant::now();
    if let Some(report) = up_to_date(embedder, path, stamp) {
        return Ok(report);
    }
    let same_model = |v: &Vectors| v.model == embedder.model_id() && v.dim == embedder.dim();
    let read_or_warn = |p: &Path| match Vectors::read(p) {
        Ok(v) => v.filter(same_model),
        Err(e) => {
            tracing::warn!("{e}; embedding again");
            None
        }
    };
    let old = read_or_warn(path);
    let mut known: HashMap<TextHash, Vec<f32>> = HashMap::new();
    let cached = cache.and_then(read_or_warn);
    for v in old.iter().chain(cached.iter()) {
        for i in 0..v.len() {
            known
                .entry(v.hashes[i])
                .or_insert_with(|| v.vector(i).to_vec());
        }
    }
    let texts: Vec<(String, TextHash, String)> = units
        .into_iter()
        .filter(|(_, text)| !text.is_empty())
        .map(|(key, text)| (key, text_hash(&text), text))
        .collect();
    let mut todo: Vec<usize> = Vec::new();
    let mut queued = std::collections::HashSet::new();
    for (i, (_, hash, _)) in texts.iter().enumerate() {
        if !known.contains_key(hash) && queued.insert(*hash) {
            todo.push(i);
        }
    }
    let mut report = SyncReport {
        sections: texts.len(),
        embedded: todo.len(),
        reused: texts.len().saturating_sub(todo.len()),
        ..SyncReport::default()
    };
    if !todo.is_empty() {
        tracing::info!(
            sections = todo.len(),
            reused = report.reused,
            model = embedder.model_id(),
            "embedding sections"
        );
    }
    let assemble = |known: &HashMap<TextHash, Vec<f32>>, stamp: Option<u64>| {
        let mut out = Vectors::new(embedder.model_id(), embedder.dim());
        out.stamp = stamp;
        for (key, hash, _) in &texts {
            if let Some(vector) = known.get(hash) {
                out.push(key, *hash, vector);
            }
        }
        out
    };
    let mut last_save = Instant::now();
    for chunk in todo.chunks(BATCH) {
        let batch: Vec<&str> = chunk.iter().map(|&i| texts[i].2.as_str()).collect();
        let vectors = embedder.embed_passages(&batch)?;
        for (&i, vector) in chunk.iter().zip(vectors) {
            if vector.len() == embedder.dim() && vector.iter().all(|x| x.is_finite()) {
                known.insert(texts[i].1, vector);
            }
        }
        if last_save.elapsed() > CHECKPOINT {
            assemble(&known, None).write(path)?;
            last_save = Instant::now();
            tracing::info!(
                done = known.len(),
                total = texts.len(),
                "embedding checkpoint saved"
            );
        }
    }
    assemble(&known, Some(stamp)).write(path)?;
    if let Some(cache) = cache
        && report.embedded > 0
    {
        let mut all = Vectors::new(embedder.model_id(), embedder.dim());
        for (hash, vector) in &known {
            all.push("", *hash, vector);
        }
        all.write(cache)?;
    }
    report.millis = started.elapsed().as_millis() as u64;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::super::fake::{FakeEmbedder, section};
    use super::*;

    #[test]
    fn file_round_trips_and_rejects_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        let mut v = Vectors::new("m", 3);
        v.stamp = Some(7);
        v.push("a#0", text_hash("x"), &[1.0, 0.0, 0.0]);
        v.push("b#1", text_hash("y"), &[0.0, 0.6, 0.8]);
        v.push("bad", text_hash("z"), &[1.0]); // wrong dimension: ignored
        v.write(&path).unwrap();
        let back = Vectors::read(&path).unwrap().unwrap();
        assert_eq!((back.len(), back.stamp, back.dim), (2, Some(7), 3));
        assert_eq!(back.find("b#1"), Some(1));
        assert_eq!(back.vector(1), &[0.0, 0.6, 0.8]);
        assert_eq!(back.similarities(&[0.0, 1.0, 0.0]), vec![0.0, 0.6]);
        let bytes = std::fs::read(&path).unwrap();
        for cut in [0, 5, MAGIC.len() + 3, bytes.len() - 1] {
            std::fs::write(&path, &bytes[..cut]).unwrap();
            assert!(Vectors::read(&path).is_err(), "cut at {cut}");
        }
        assert!(Vectors::read(&dir.path().join("none")).unwrap().is_none());
    }

    #[test]
    fn sync_embeds_each_text_once() {
        let dir = tempfile::tempdir().unwrap();
        let index = SectionIndex::open_or_create(dir.path()).unwrap();
        let mut batch = index.begin().unwrap();
        batch
            .replace_source(
                "a",
                &[
                    section("a", 0, "Fastleger", "Fastlegene har lange lister."),
                    section("a", 1, "Personell", "Kommunen må skaffe sykepleiere."),
                    section("a", 2, "Tom", ""),
                ],
            )
            .unwrap();
        batch.commit().unwrap();
        let fake = FakeEmbedder::new();
        let path = path_in(dir.path());
        let report = sync(&index, &fake, &path, None).unwrap();
        assert_eq!((report.sections, report.embedded), (3, 3), "{report:?}");
        // Nothing changed: nothing to do.
        assert!(sync(&index, &fake, &path, None).unwrap().up_to_date);
        // One section changes: only it is embedded.
        let mut batch = index.begin().unwrap();
        batch
            .replace_source(
                "a",
                &[
                    section("a", 0, "Fastleger", "Fastlegene har lange lister."),
                    section("a", 1, "Personell", "Kommunen må skaffe og beholde folk."),
                ],
            )
            .unwrap();
        batch.commit().unwrap();
        let before = fake.calls.load(std::sync::atomic::Ordering::Relaxed);
        let report = sync(&index, &fake, &path, None).unwrap();
        assert_eq!((report.embedded, report.reused), (1, 1), "{report:?}");
        assert_eq!(
            fake.calls.load(std::sync::atomic::Ordering::Relaxed),
            before + 1
        );
        let vectors = Vectors::read(&path).unwrap().unwrap();
        assert_eq!(vectors.len(), 2);
        assert_eq!(vectors.stamp, Some(index.commit_stamp().unwrap()));
        // A corrupt file is embedded again, not trusted.
        std::fs::write(&path, b"garbage").unwrap();
        assert_eq!(sync(&index, &fake, &path, None).unwrap().embedded, 2);
    }
}
