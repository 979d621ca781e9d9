//! The lock that keeps two runs off one index directory.
//!
//! An OS file lock (released by the kernel when the holder dies, so a crashed run never leaves a
//! stale lock behind) on `INDEX_DIR/samspor.lock`, whose content names the holder.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "index dir {dir} is in use by another samspor run ({holder}); try again when it has finished"
    )]
    Busy { dir: String, holder: String },
    #[error("cannot lock index dir {dir}: {source}")]
    Io {
        dir: String,
        #[source]
        source: std::io::Error,
    },
}

/// Held for the lifetime of a run; dropping it releases the lock.
#[derive(Debug)]
pub struct IndexLock {
    file: File,
    path: PathBuf,
}

impl IndexLock {
    /// Takes the lock or fails at once (never waits) naming the current holder.
    pub fn acquire(index_dir: &Path, command: &str) -> Result<IndexLock, LockError> {
        let io = |source| LockError::Io {
            dir: index_dir.display().to_string(),
            source,
        };
        std::fs::create_dir_all(index_dir).map_err(io)?;
        let path = index_dir.join("samspor.lock");
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                return Err(LockError::Busy {
                    dir: index_dir.display().to_string(),
                    holder: if holder.is_empty() {
                        "holder unknown".to_string()
                    } else {
                        holder.to_string()
                    },
                });
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        let holder = format!(
            "pid {} `samspor {}` since {}",
            std::process::id(),
            command,
            chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ")
        );
        file.set_len(0).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        file.write_all(holder.as_bytes()).map_err(io)?;
        let _ = file.sync_all();
        Ok(IndexLock { file, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for IndexLock {
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_is_refused_with_the_first_named() {
        let dir = tempfile::tempdir().unwrap();
        let first = IndexLock::acquire(dir.path(), "run").unwrap();
        let err = IndexLock::acquire(dir.path(), "run")
            .unwrap_err()
            .to_string();
        assert!(err.contains("in use by another samspor run"), "{err}");
        assert!(
            err.contains(&format!("pid {}", std::process::id())),
            "{err}"
        );
        drop(first);
        IndexLock::acquire(dir.path(), "run").expect("free again after drop");
    }
}
