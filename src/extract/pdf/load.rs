//! Loading a document: lopdf under the decompression limit, the cross-reference table rebuilt
//! for a damaged file, encryption refused; the visible page box.

use lopdf::{Document, LoadOptions, Object, ObjectId};

use super::{PdfError, PdfLimits, content, font};

/// The document, or why it cannot be read.
pub(super) fn load(bytes: &[u8], limits: &PdfLimits) -> Result<Document, PdfError> {
    let head = &bytes[..bytes.len().min(1024)];
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return Err(PdfError::NotPdf);
    }
    let opts = LoadOptions {
        max_decompressed_size: Some(limits.max_decompressed_bytes),
        ..LoadOptions::default()
    };
    let mut doc = match Document::load_mem_with_options(bytes, opts) {
        Ok(d) => d,
        Err(lopdf::Error::InvalidPassword) | Err(lopdf::Error::Decryption(_)) => {
            return Err(PdfError::Encrypted);
        }
        Err(e) => {
            // A damaged or truncated file: rebuild the cross-reference table by scanning.
            let opts = LoadOptions {
                max_decompressed_size: Some(limits.max_decompressed_bytes),
                force_reconstruct: true,
                ..LoadOptions::default()
            };
            match Document::load_mem_with_options(bytes, opts) {
                Ok(d) if !d.get_pages().is_empty() => d,
                _ => return Err(PdfError::Corrupt(one_line(&e.to_string()))),
            }
        }
    };
    if doc.trailer.get(b"Encrypt").is_ok() && !doc.was_encrypted() {
        return Err(PdfError::Encrypted);
    }
    if doc.get_pages().is_empty() {
        // A page tree that does not resolve: rebuild the cross-reference table by scanning.
        let opts = LoadOptions {
            max_decompressed_size: Some(limits.max_decompressed_bytes),
            force_reconstruct: true,
            ..LoadOptions::default()
        };
        if let Ok(d) = Document::load_mem_with_options(bytes, opts)
            && !d.get_pages().is_empty()
        {
            doc = d;
        }
    }
    Ok(doc)
}

pub(super) fn one_line(s: &str) -> String {
    let s = s.lines().next().unwrap_or("").trim().trim_end_matches('.');
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The visible page area [x0, y0, x1, y1] (CropBox, else MediaBox, inherited).
pub(super) fn page_box(doc: &Document, page_id: ObjectId) -> [f32; 4] {
    for d in content::page_and_ancestors(doc, page_id) {
        for key in [b"CropBox".as_slice(), b"MediaBox".as_slice()] {
            if let Some(Object::Array(a)) = font::dict_get(doc, d, key)
                && a.len() == 4
            {
                let v: Vec<f32> = a.iter().map(|o| font::obj_num(o).unwrap_or(0.0)).collect();
                let r = [
                    v[0].min(v[2]),
                    v[1].min(v[3]),
                    v[0].max(v[2]),
                    v[1].max(v[3]),
                ];
                if r[3] - r[1] > 1.0 && r[2] - r[0] > 1.0 {
                    return r;
                }
            }
        }
    }
    [0.0, 0.0, 612.0, 792.0]
}
