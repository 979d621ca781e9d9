//! The lock that keeps two runs off one index directory.
//!
//! An OS file lock (released by the kernel when the holder dies, so a crashed run never leaves a
//! stale lock behind) on `INDEX_DIR/samspor.lock`, whose content names the holder. The file
//! itself is never the lock: a killed run leaves its name in it, and the next run takes the
//! lock over and writes its own. Between taking the lock and writing its name a new holder is
//! briefly anonymous; a refused run that reads a dead holder's name waits for the real one
//! rather than naming a process that is gone.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The lock file inside an index dir.
pub fn path_in(index_dir: &Path) -> PathBuf {
    index_dir.join("samspor.lock")
}

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
        let path = path_in(index_dir);
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
                // The holder names itself right after locking: give it a moment when the file
                // is empty or still names a process that is gone.
                let mut holder = read_holder(&mut file);
                for _ in 0..25 {
                    if holder_alive(&holder) == Some(true) {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(20));
                    holder = read_holder(&mut file);
                }
                return Err(LockError::Busy {
                    dir: index_dir.display().to_string(),
                    holder: match holder_alive(&holder) {
                        Some(true) | None if !holder.is_empty() => holder,
                        _ => "holder starting up, not yet named".to_string(),
                    },
                });
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        let previous = read_holder(&mut file);
        if !previous.is_empty() {
            tracing::warn!(
                previous = %previous,
                "took over the index lock from a run that ended without releasing it (killed or crashed)"
            );
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

fn read_holder(file: &mut File) -> String {
    let mut holder = String::new();
    let _ = file.seek(SeekFrom::Start(0));
    let _ = file.read_to_string(&mut holder);
    holder.trim().to_string()
}

/// Whether the process a holder text names is running: `None` when that cannot be told (no
/// pid in the text, or no `/proc` on this system).
fn holder_alive(holder: &str) -> Option<bool> {
    let pid: u32 = holder
        .strip_prefix("pid ")?
        .split(' ')
        .next()?
        .parse()
        .ok()?;
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return None;
    }
    Some(proc.join(pid.to_string()).exists())
}

/// Who is writing to the index dir right now, if anyone: the holder's own text. Reads the
/// lock file without locking it, so it never gets in a starting run's way. A name left by a
/// killed run is not a holder.
pub(crate) fn current_holder(index_dir: &Path) -> Option<String> {
    let mut file = File::open(path_in(index_dir)).ok()?;
    let holder = read_holder(&mut file);
    if holder.is_empty() || holder_alive(&holder) == Some(false) {
        return None;
    }
    Some(holder)
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
        assert_eq!(
            current_holder(dir.path())
                .map(|h| h.starts_with(&format!("pid {} ", std::process::id()))),
            Some(true)
        );
        drop(first);
        assert_eq!(current_holder(dir.path()), None, "released and unnamed");
        IndexLock::acquire(dir.path(), "run").expect("free again after drop");
    }

    #[test]
    fn a_dead_holders_name_neither_blocks_nor_shows() {
        let dir = tempfile::tempdir().unwrap();
        // What a SIGKILLed run leaves: its name in the file, no lock held. u32::MAX is never a
        // live pid on Linux (pid_max is at most 2^22).
        let stale = format!("pid {} `samspor run` since 2025-01-01T02:00:00Z", u32::MAX);
        std::fs::write(path_in(dir.path()), &stale).unwrap();
        if Path::new("/proc/self").exists() {
            assert_eq!(current_holder(dir.path()), None);
        }
        let lock = IndexLock::acquire(dir.path(), "run").expect("taken over");
        let text = std::fs::read_to_string(lock.path()).unwrap();
        assert!(
            text.starts_with(&format!("pid {} `samspor run`", std::process::id())),
            "{text}"
        );
        assert!(
            !text.contains(&u32::MAX.to_string()),
            "old name replaced: {text}"
        );
    }
}
