//! Content-addressed storage of every fetched version: `INDEX_DIR/store/SOURCE/SHA256.EXT`.
//! A version is never deleted by a failed fetch; identical bytes are stored once.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::extract::model::Format;
use crate::fsutil::write_atomic;

#[derive(Debug, Clone)]
pub struct VersionStore {
    root: PathBuf,
}

/// Hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl VersionStore {
    pub fn new(index_dir: &Path) -> VersionStore {
        VersionStore {
            root: index_dir.join("store"),
        }
    }

    pub(crate) fn path_of(&self, source_id: &str, sha256: &str, format: Format) -> PathBuf {
        self.root
            .join(source_id)
            .join(format!("{sha256}.{}", format.as_str()))
    }

    pub fn contains(&self, source_id: &str, sha256: &str, format: Format) -> bool {
        self.path_of(source_id, sha256, format).is_file()
    }

    /// Stores bytes under their hash; returns the hash and whether the version was new.
    pub(crate) fn put(
        &self,
        source_id: &str,
        bytes: &[u8],
        format: Format,
    ) -> std::io::Result<(String, bool)> {
        let sha = sha256_hex(bytes);
        let path = self.path_of(source_id, &sha, format);
        if path.is_file() {
            return Ok((sha, false));
        }
        write_atomic(&path, bytes)?;
        Ok((sha, true))
    }

    pub fn read(&self, source_id: &str, sha256: &str, format: Format) -> std::io::Result<Vec<u8>> {
        std::fs::read(self.path_of(source_id, sha256, format))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_bytes_are_stored_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = VersionStore::new(dir.path());
        let (a, new_a) = store.put("nou", b"%PDF-1.7 x", Format::Pdf).unwrap();
        let (b, new_b) = store.put("nou", b"%PDF-1.7 x", Format::Pdf).unwrap();
        assert_eq!(a, b);
        assert!(new_a && !new_b);
        assert_eq!(store.read("nou", &a, Format::Pdf).unwrap(), b"%PDF-1.7 x");
        assert_eq!(a.len(), 64);
    }
}
