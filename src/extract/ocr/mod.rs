//! OCR for pages without a text layer: Tesseract (with its Norwegian data) driven as a process.
//!
//! Why a process and not a library: the default build stays pure Rust (no leptonica/tesseract C
//! build or system library to link), OCR is optional at run time (a machine without Tesseract
//! still extracts every text PDF and names the packages to install for scans), and each page
//! runs in a child we can bound by a timeout and kill, so a pathological image costs one page,
//! never the run.
//!
//! `image` takes the page's image out of the PDF as a file Tesseract reads (JPEG as is, Flate
//! samples as PNM, CCITT wrapped in a TIFF; JBIG2 and anything else rendered by `pdftoppm` when
//! it is installed), `process` runs Tesseract with hOCR output under a timeout, and `hocr` reads
//! the lines, baselines, sizes and words back. Turning them into positioned words for the
//! layout code is `extract::pdf::scan`.

pub mod hocr;
pub mod image;
mod process;

use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

pub use hocr::{OcrLine, OcrPage, OcrWord};
pub use image::PageImage;

/// The Debian packages that provide OCR: named by every "install …" message.
pub const PACKAGES: &str = "tesseract-ocr tesseract-ocr-nor";

/// How OCR runs. `Default` reads the environment:
///
/// * `SAMSPOR_OCR=off` turns OCR off (scanned pages keep the "OCR needed" error);
/// * `SAMSPOR_TESSERACT` is the Tesseract program (default `tesseract` on `PATH`);
/// * `SAMSPOR_OCR_LANG` the Tesseract languages (default `nor`);
/// * `SAMSPOR_OCR_MAX_PAGES` the pages OCR'd per document (default 300);
/// * `SAMSPOR_OCR_PAGE_TIMEOUT_SECS` the time one page may take (default 120);
/// * `SAMSPOR_CONVERT` ImageMagick's `convert`, which straightens skewed grey pages scanned below
///   250 dpi (default `convert` on `PATH`; optional: without it pages are read as they are).
#[derive(Debug, Clone)]
pub struct OcrSettings {
    pub enabled: bool,
    pub tesseract: PathBuf,
    /// Program used to render pages whose image we cannot hand over (JBIG2, JPX, several
    /// images): `pdftoppm` from poppler-utils. Optional.
    pub pdftoppm: PathBuf,
    pub languages: String,
    /// Pages OCR'd per document; the rest get a warning.
    pub max_pages: usize,
    /// Wall-clock limit per page; the Tesseract process is killed after it.
    pub page_timeout: Duration,
    /// Largest image (width × height) handed to Tesseract: bounds its memory (about 10 bytes
    /// per pixel at peak for a grey page).
    pub max_pixels: u64,
    /// Resolution pages are rendered at when they have to be rendered.
    pub render_dpi: u32,
    /// ImageMagick's `convert`, used to straighten skewed low-resolution pages. Optional.
    pub convert: PathBuf,
    /// Pages scanned below this resolution are straightened before OCR (see `image::prepare`).
    pub deskew_below_dpi: u32,
}

impl Default for OcrSettings {
    fn default() -> Self {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let num = |k: &str, d: u64| env(k).and_then(|v| v.trim().parse().ok()).unwrap_or(d);
        OcrSettings {
            enabled: !env("SAMSPOR_OCR").is_some_and(|v| {
                matches!(
                    v.trim().to_lowercase().as_str(),
                    "off" | "0" | "false" | "no"
                )
            }),
            tesseract: env("SAMSPOR_TESSERACT").map_or_else(|| "tesseract".into(), PathBuf::from),
            pdftoppm: env("SAMSPOR_PDFTOPPM").map_or_else(|| "pdftoppm".into(), PathBuf::from),
            languages: env("SAMSPOR_OCR_LANG").unwrap_or_else(|| "nor".into()),
            max_pages: num("SAMSPOR_OCR_MAX_PAGES", 300) as usize,
            page_timeout: Duration::from_secs(num("SAMSPOR_OCR_PAGE_TIMEOUT_SECS", 120).max(1)),
            max_pixels: 60_000_000,
            render_dpi: 300,
            convert: env("SAMSPOR_CONVERT").map_or_else(|| "convert".into(), PathBuf::from),
            deskew_below_dpi: 250,
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OcrError {
    /// Tesseract or its language data is missing: the message names the packages.
    #[error("{0}")]
    Unavailable(String),
    #[error("ocr timed out after {secs} s")]
    Timeout { secs: u64 },
    #[error("image of {width}×{height} pixels exceeds the ocr limit of {max} megapixels")]
    TooLarge { width: u64, height: u64, max: u64 },
    #[error("page image: {0}")]
    Image(String),
    #[error("tesseract failed: {0}")]
    Failed(String),
}

/// Tesseract's version line when it runs and has every language asked for, else why not
/// (naming the Debian packages). Asked once per program and languages per process.
pub fn available(settings: &OcrSettings) -> Result<String, OcrError> {
    type Cache = Mutex<Vec<((PathBuf, String), Result<String, OcrError>)>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let key = (settings.tesseract.clone(), settings.languages.clone());
    let cache = CACHE.get_or_init(|| Mutex::new(Vec::new()));
    if let Ok(c) = cache.lock()
        && let Some((_, r)) = c.iter().find(|(k, _)| *k == key)
    {
        return r.clone();
    }
    let r = probe(settings);
    if let Ok(mut c) = cache.lock() {
        c.push((key, r.clone()));
    }
    r
}

fn probe(settings: &OcrSettings) -> Result<String, OcrError> {
    let prog = settings.tesseract.display().to_string();
    let missing = |what: String| {
        OcrError::Unavailable(format!(
            "{what}: install the Debian packages {} (apt-get install {})",
            PACKAGES.replace(' ', " and "),
            PACKAGES
        ))
    };
    let timeout = Duration::from_secs(20);
    let version = process::run_capture(&settings.tesseract, &["--version"], timeout)
        .map_err(|e| missing(format!("tesseract not found ({prog}: {e})")))?;
    let version = String::from_utf8_lossy(&version)
        .lines()
        .next()
        .unwrap_or("tesseract")
        .trim()
        .to_string();
    let langs = process::run_capture(&settings.tesseract, &["--list-langs"], timeout)
        .map_err(|e| missing(format!("tesseract cannot list its languages ({e})")))?;
    let langs = String::from_utf8_lossy(&langs);
    let have: Vec<&str> = langs.lines().map(str::trim).collect();
    for want in settings.languages.split('+') {
        if !have.contains(&want) {
            return Err(missing(format!("tesseract has no '{want}' language data")));
        }
    }
    Ok(version)
}

/// What the search page says under a hit whose text was read by OCR.
pub const NOTICE_NB: &str = "OCR-tekst – kontroller mot originalen";

/// How every "a scan and no OCR" extraction error starts (`PdfError::NoTextLayer` and
/// `PdfError::OcrUnavailable`): the catalog keeps the error text, and this tells it apart.
pub const OCR_NEEDED: &str = "no text layer: OCR needed";

/// Whether a stored version whose extraction failed with `error` is worth extracting again:
/// it failed only for want of OCR, and OCR is now on and available (Tesseract installed since,
/// or `SAMSPOR_OCR` no longer off). Other errors do not change between runs.
pub fn retry_failed(error: &str, settings: &OcrSettings) -> bool {
    error.starts_with(OCR_NEEDED) && settings.enabled && available(settings).is_ok()
}

/// OCR one page image: its text lines with words, boxes and confidences, in pixels.
pub fn recognise(image: &PageImage, settings: &OcrSettings) -> Result<OcrPage, OcrError> {
    let (w, h) = (u64::from(image.width), u64::from(image.height));
    if w.saturating_mul(h) > settings.max_pixels {
        return Err(OcrError::TooLarge {
            width: w,
            height: h,
            max: settings.max_pixels / 1_000_000,
        });
    }
    let straight = image::prepare::straighten(image, settings);
    let hocr = process::tesseract_hocr(straight.as_ref().unwrap_or(image), settings)?;
    let mut page = hocr::parse(&hocr);
    if page.width == 0 || page.height == 0 {
        page.width = image.width;
        page.height = image.height;
    }
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ocr_needed_errors_are_retried_and_only_when_ocr_runs() {
        let missing = OcrSettings {
            tesseract: "/finst/ikkje/tesseract".into(),
            ..OcrSettings::default()
        };
        let e = "no text layer: OCR needed (2 pages); tesseract not found";
        assert!(!retry_failed(e, &missing));
        let off = OcrSettings {
            enabled: false,
            ..OcrSettings::default()
        };
        assert!(!retry_failed(e, &off));
        let on = OcrSettings::default();
        assert!(!retry_failed("corrupt pdf: no page could be read", &on));
        if available(&on).is_ok() {
            assert!(retry_failed(e, &on));
            assert!(retry_failed("no text layer: OCR needed (3 pages)", &on));
        } else {
            eprintln!("SKIP: tesseract with 'nor' absent: the positive case is not tested");
        }
    }
}
