//! A page's content streams (decoded, up to the decompression limit) and its inherited
//! resources.

use lopdf::{Dictionary, Document, Object, ObjectId};

use crate::extract::pdf::font::dict_get;

/// A byte limit in MiB, rounded up (for messages).
pub(in crate::extract::pdf) fn limit_mib(bytes: usize) -> usize {
    bytes.div_ceil(1024 * 1024)
}

/// The marker error of a content stream cut at the decompression limit.
pub(super) const LIMIT_HIT: &str = "decompression limit";

/// The first `limit` bytes of a stream whose only filter is FlateDecode (None for other
/// filters or when nothing can be inflated).
fn inflate_prefix(s: &lopdf::Stream, limit: usize) -> Option<Vec<u8>> {
    use std::io::Read;
    let flate = match s.dict.get(b"Filter").ok()? {
        Object::Name(n) => n.as_slice() == b"FlateDecode",
        Object::Array(a) => {
            a.len() == 1 && matches!(&a[0], Object::Name(n) if n.as_slice() == b"FlateDecode")
        }
        _ => false,
    };
    if !flate || s.dict.get(b"DecodeParms").is_ok() {
        return None;
    }
    let mut out = Vec::new();
    let mut dec = flate2::read::ZlibDecoder::new(s.content.as_slice()).take(limit as u64);
    // A read error part-way (a damaged tail) still leaves what was inflated before it.
    let _ = dec.read_to_end(&mut out);
    (!out.is_empty()).then_some(out)
}

/// A page's content streams, concatenated into `out`. On the decompression limit: Err(LIMIT_HIT)
/// with the content read before it left in `out`.
pub(super) fn page_content_into(
    doc: &Document,
    page_id: ObjectId,
    limit: usize,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    let page = doc
        .get_dictionary(page_id)
        .map_err(|e| format!("page object unreadable: {e}"))?;
    let contents = match page.get(b"Contents") {
        Ok(o) => o,
        Err(_) => return Ok(()),
    };
    let mut ids: Vec<&Object> = Vec::new();
    match contents {
        Object::Array(a) => ids.extend(a.iter()),
        o => match doc.dereference(o) {
            Ok((_, Object::Array(a))) => ids.extend(a.iter()),
            _ => ids.push(o),
        },
    }
    for o in ids {
        let s = match doc.dereference(o) {
            Ok((_, Object::Stream(s))) => s,
            _ => continue,
        };
        match s.get_plain_content_with_limit(limit.saturating_sub(out.len())) {
            Ok(d) => {
                out.extend_from_slice(&d);
                out.push(b'\n');
            }
            Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded {
                ..
            })) => {
                // Keep what the stream holds before the limit (a Flate stream is inflated up to
                // it); the caller reports the limit.
                if let Some(d) = inflate_prefix(s, limit.saturating_sub(out.len())) {
                    out.extend_from_slice(&d);
                }
                return Err(LIMIT_HIT.to_string());
            }
            Err(e) => return Err(format!("content stream could not be decoded: {e}")),
        }
    }
    Ok(())
}

/// A page's dictionary, then its ancestors in the page tree (for inherited attributes). The
/// walk stops after 65 dictionaries, so a `/Parent` cycle cannot loop.
pub(in crate::extract::pdf) fn page_and_ancestors(
    doc: &Document,
    page_id: ObjectId,
) -> impl Iterator<Item = &Dictionary> {
    std::iter::successors(doc.get_dictionary(page_id).ok(), |d| {
        match d.get(b"Parent") {
            Ok(Object::Reference(id)) => doc.get_dictionary(*id).ok(),
            _ => None,
        }
    })
    .take(65)
}

pub(super) fn deref_obj<'d>(doc: &'d Document, o: &'d Object) -> &'d Object {
    match o {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(o),
        o => o,
    }
}

/// Page resources with inheritance from the page tree (nearest first).
pub(super) fn page_resources(doc: &Document, page_id: ObjectId) -> Vec<Dictionary> {
    page_and_ancestors(doc, page_id)
        .filter_map(|d| match dict_get(doc, d, b"Resources") {
            Some(Object::Dictionary(r)) => Some(r.clone()),
            _ => None,
        })
        .collect()
}
