//! Whole pages rendered by pdftoppm (grey, within the pixel limit).

use std::process::Command;

use super::{PageImage, PageRef};
use crate::extract::ocr::{OcrError, OcrSettings};

/// Renders the page with pdftoppm (grey, within the pixel limit).
pub(super) fn render(
    page: &PageRef,
    settings: &OcrSettings,
    why: &str,
) -> Result<PageImage, OcrError> {
    render_at(page, settings, why, settings.render_dpi)
}

/// Renders the page at `dpi` or less (grey, within the pixel limit).
pub(super) fn render_at(
    page: &PageRef,
    settings: &OcrSettings,
    why: &str,
    dpi: u32,
) -> Result<PageImage, OcrError> {
    let (wpt, hpt) = (page.size.0.max(1.0), page.size.1.max(1.0));
    let square_inches = f64::from(wpt / 72.0) * f64::from(hpt / 72.0);
    let fit = (settings.max_pixels as f64 / square_inches).sqrt().floor() as u32;
    let dpi = dpi.min(fit).max(1);
    let dir = tempfile::tempdir().map_err(|e| OcrError::Image(e.to_string()))?;
    let input = dir.path().join("doc.pdf");
    std::fs::write(&input, page.pdf).map_err(|e| OcrError::Image(e.to_string()))?;
    let out = dir.path().join("page");
    let n = page.number.to_string();
    let mut cmd = Command::new(&settings.pdftoppm);
    cmd.args([
        "-f",
        &n,
        "-l",
        &n,
        "-r",
        &dpi.to_string(),
        "-gray",
        "-singlefile",
    ])
    .arg(&input)
    .arg(&out)
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::null());
    let unavailable = || {
        OcrError::Image(format!(
            "{why}: rendering the page needs pdftoppm (install the Debian package poppler-utils)"
        ))
    };
    match crate::extract::ocr::process::run_bounded(cmd, settings.page_timeout) {
        Err(_) => Err(unavailable()),
        Ok(Err(t)) => Err(OcrError::Timeout { secs: t.as_secs() }),
        Ok(Ok(_)) => {
            let path = out.with_extension("pgm");
            let bytes = std::fs::read(&path).map_err(|_| {
                OcrError::Image(format!("{why}: pdftoppm could not render the page"))
            })?;
            let (width, height) = pnm_size(&bytes).unwrap_or((0, 0));
            Ok(PageImage {
                bytes,
                ext: "pgm",
                width,
                height,
                dpi,
                kind: "render",
            })
        }
    }
}

pub(crate) fn pnm_size(b: &[u8]) -> Option<(u32, u32)> {
    let head = String::from_utf8_lossy(&b[..b.len().min(64)]);
    let mut it = head.split_ascii_whitespace().skip(1);
    Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
}
