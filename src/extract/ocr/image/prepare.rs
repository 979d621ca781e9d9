//! Straightening skewed low-resolution scans before Tesseract reads them.
//!
//! Measured with `examples/ocr_eval.rs` on the dev texts: at 150 dpi a skew of 1–2° makes
//! Tesseract's layout analysis drop whole lines now and then (every word of them lost, æøå
//! words too), and straightening the page first brings them back; at 300 dpi Tesseract reads
//! the skewed pages as well as straight ones. Straightening (ImageMagick's `-deskew`, the
//! Debian package imagemagick) costs about as much CPU as the OCR of a 150 dpi page, so it runs
//! only below `OcrSettings::deskew_below_dpi`, only on grey pages (not black-and-white: there
//! it cost an æøå word on the dev texts), and only where `convert` is installed: without
//! it the page goes to Tesseract as it is. The straightened page keeps its size in pixels (the
//! rotation is cut back to the original canvas around its centre), so word positions still map
//! onto the page the same way.

use std::process::{Command, Stdio};

use super::PageImage;
use super::render::pnm_size;
use crate::extract::ocr::{OcrSettings, process::run_bounded};

/// `image` straightened, or `None` when it needs no straightening or it cannot be done (then
/// the caller uses the image as it is; the reason is logged).
pub(crate) fn straighten(image: &PageImage, settings: &OcrSettings) -> Option<PageImage> {
    if image.dpi >= settings.deskew_below_dpi || image.width == 0 || image.height == 0 {
        return None;
    }
    // Black-and-white pages are left as they are: turning a 1-bit page blurs its edges into
    // grey that Tesseract thresholds again, and on the dev texts that cost an æøå word at 150
    // dpi (F1 the same) where the grey pages gained whole lines.
    if is_bilevel(image) {
        return None;
    }
    let failed = |why: String| {
        tracing::debug!(kind = image.kind, "page not straightened: {why}");
        None
    };
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => return failed(e.to_string()),
    };
    let input = dir.path().join(format!("page.{}", image.ext));
    if let Err(e) = std::fs::write(&input, &image.bytes) {
        return failed(e.to_string());
    }
    let output = dir.path().join("straight.pgm");
    let size = format!("{}x{}", image.width, image.height);
    let mut cmd = Command::new(&settings.convert);
    cmd.arg(&input)
        .args(["-background", "white", "-deskew", "40%", "+repage"])
        .args(["-gravity", "center", "-extent", &size])
        // 8-bit grey: a bilevel page would otherwise come out as a PGM of maxval 1, which
        // Tesseract refuses ("Error during processing").
        .args(["-depth", "8"])
        .arg(format!("pgm:{}", output.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    match run_bounded(cmd, settings.page_timeout) {
        Err(e) => failed(format!(
            "{} cannot be started: {e}",
            settings.convert.display()
        )),
        Ok(Err(t)) => failed(format!("no result within {} s", t.as_secs())),
        Ok(Ok(false)) => failed(format!("{} failed", settings.convert.display())),
        Ok(Ok(true)) => {
            let bytes = match std::fs::read(&output) {
                Ok(b) => b,
                Err(e) => return failed(e.to_string()),
            };
            if pnm_size(&bytes) != Some((image.width, image.height))
                || !bytes
                    .starts_with(format!("P5\n{} {}\n255\n", image.width, image.height).as_bytes())
            {
                return failed("the straightened page changed size".into());
            }
            Some(PageImage {
                bytes,
                ext: "pgm",
                kind: image.kind,
                ..*image
            })
        }
    }
}

/// A 1-bit page: fax data, or the PBM made from 1-bit samples.
fn is_bilevel(image: &PageImage) -> bool {
    image.kind == "ccitt" || image.bytes.starts_with(b"P4")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same page as a PBM (1 bit per pixel), as bilevel scans are handed over.
    fn skewed_bilevel(dpi: u32) -> PageImage {
        let grey = skewed(dpi);
        let (w, h) = (grey.width as usize, grey.height as usize);
        let pixels = &grey.bytes[grey.bytes.len() - w * h..];
        let mut bytes = format!("P4\n{w} {h}\n").into_bytes();
        for row in pixels.chunks(w) {
            for eight in row.chunks(8) {
                let mut b = 0u8;
                for (i, &p) in eight.iter().enumerate() {
                    if p == 0 {
                        b |= 0x80 >> i;
                    }
                }
                bytes.push(b);
            }
        }
        PageImage {
            bytes,
            ext: "pnm",
            ..grey
        }
    }

    /// A 300×200 grey page at `dpi` with dark bars sloping 2° (rows of "text").
    fn skewed(dpi: u32) -> PageImage {
        let (w, h) = (300u32, 200u32);
        let mut bytes = format!("P5\n{w} {h}\n255\n").into_bytes();
        for y in 0..h {
            for x in 0..w {
                let yy = y as f32 - x as f32 * 0.035;
                let ink = (yy as i32).rem_euclid(20) < 6 && (20..280).contains(&x);
                bytes.push(if ink { 0 } else { 255 });
            }
        }
        PageImage {
            bytes,
            ext: "pgm",
            width: w,
            height: h,
            dpi,
            kind: "flate",
        }
    }

    #[test]
    fn only_low_resolution_pages_are_straightened_and_keep_their_size() {
        let settings = OcrSettings::default();
        assert!(straighten(&skewed(300), &settings).is_none());
        let missing = OcrSettings {
            convert: "/finst/ikkje/convert".into(),
            ..OcrSettings::default()
        };
        assert!(straighten(&skewed(150), &missing).is_none());
        let has_convert = Command::new(&settings.convert)
            .arg("-version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !has_convert {
            eprintln!("SKIP: convert (imagemagick) absent: straightening not tested");
            return;
        }
        let s = straighten(&skewed(150), &settings).expect("straightened");
        assert_eq!((s.width, s.height, s.dpi, s.ext), (300, 200, 150, "pgm"));
        assert_eq!(pnm_size(&s.bytes), Some((300, 200)));
        assert_ne!(s.bytes, skewed(150).bytes);
        // Black-and-white pages go as they are.
        assert!(straighten(&skewed_bilevel(150), &settings).is_none());
    }
}
