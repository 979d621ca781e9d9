//! Where the page draws its image: the matrix from the content stream, and whether the
//! image fills the page upright.

use lopdf::{Object, ObjectId};

use super::PageRef;
use super::objects::get;

/// The matrix the page's own content stream draws image `image` with (`None` when it is drawn
/// from a form, or the content cannot be read).
pub(super) fn placement(page: &PageRef, image: ObjectId) -> Option<[f32; 6]> {
    let doc = page.doc;
    let (own, inherited) = doc.get_page_resources(page.id).ok()?;
    let mut names: Vec<Vec<u8>> = Vec::new();
    for r in own.into_iter().chain(
        inherited
            .iter()
            .filter_map(|id| doc.get_dictionary(*id).ok()),
    ) {
        if let Some(Object::Dictionary(x)) = get(doc, r, b"XObject") {
            for (name, o) in x.iter() {
                if matches!(o, Object::Reference(id) if *id == image) {
                    names.push(name.clone());
                }
            }
        }
    }
    if names.is_empty() {
        return None;
    }
    let bytes = doc
        .get_page_content_with_limit(page.id, page.max_decoded)
        .ok()?;
    let content = lopdf::content::Content::decode(&bytes).ok()?;
    let num = |o: &Object| o.as_float().ok();
    let mut ctm = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];
    let mut stack: Vec<[f32; 6]> = Vec::new();
    for op in &content.operations {
        match op.operator.as_str() {
            "q" if stack.len() < 64 => stack.push(ctm),
            "Q" => ctm = stack.pop().unwrap_or(ctm),
            "cm" if op.operands.len() == 6 => {
                let v: Vec<f32> = op.operands.iter().filter_map(num).collect();
                if v.len() == 6 {
                    ctm = multiply([v[0], v[1], v[2], v[3], v[4], v[5]], ctm);
                }
            }
            "Do" => {
                if let Some(Ok(n)) = op.operands.first().map(Object::as_name)
                    && names.iter().any(|x| x == n)
                {
                    return Some(ctm);
                }
            }
            _ => {}
        }
    }
    None
}

/// `m` then `n` (PDF's row-vector convention: `m × n`).
fn multiply(m: [f32; 6], n: [f32; 6]) -> [f32; 6] {
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

/// Whether an image drawn with matrix `m` stands upright (not turned, mirrored or sheared)
/// and fills the page box: at least 90% of the page is image and at most 10% of the image
/// lies off the page.
pub(super) fn covers_page(m: [f32; 6], page: &PageRef) -> bool {
    let upright =
        m[0] > 0.0 && m[3] > 0.0 && m[1].abs() <= 0.01 * m[0] && m[2].abs() <= 0.01 * m[3];
    if !upright {
        return false;
    }
    let (px0, py0) = page.origin;
    let (px1, py1) = (px0 + page.size.0, py0 + page.size.1);
    let (ix0, iy0, ix1, iy1) = (m[4], m[5], m[4] + m[0], m[5] + m[3]);
    let overlap = (ix1.min(px1) - ix0.max(px0)).max(0.0) * (iy1.min(py1) - iy0.max(py0)).max(0.0);
    let page_area = (page.size.0 * page.size.1).max(1.0);
    let image_area = (m[0] * m[3]).max(1.0);
    overlap >= 0.9 * page_area && overlap >= 0.9 * image_area
}
