//! The document's title: the Info dictionary's, unless it is a file name or a placeholder, else
//! the largest text at the top of the first page.

use lopdf::{Document, Object};

use super::pages::PageOut;
use super::{encoding, structure};

/// The title, from the Info dictionary or the first page.
pub(super) fn title(doc: &Document, pages: &[PageOut]) -> Option<String> {
    info_title(doc).or_else(|| first_page_title(pages))
}

fn info_title(doc: &Document) -> Option<String> {
    let info = match doc.trailer.get(b"Info").ok()? {
        Object::Reference(id) => doc.get_dictionary(*id).ok()?,
        Object::Dictionary(d) => d,
        _ => return None,
    };
    let raw = match info.get(b"Title").ok()? {
        Object::String(s, _) => s.clone(),
        Object::Reference(id) => match doc.get_object(*id).ok()? {
            Object::String(s, _) => s.clone(),
            _ => return None,
        },
        _ => return None,
    };
    let t = encoding::decode_text_string(&raw);
    let t = t.trim().trim_start_matches("Microsoft Word - ").trim();
    let lower = t.to_lowercase();
    let bad_ext = [
        ".doc", ".docx", ".pdf", ".tex", ".indd", ".dvi", ".odt", ".rtf", ".xls", ".xlsx", ".ppt",
    ];
    if t.chars().filter(|c| c.is_alphabetic()).count() < 3
        || bad_ext.iter().any(|e| lower.ends_with(e))
        || [
            "untitled",
            "title",
            "uten tittel",
            "document",
            "dokument",
            "no title",
        ]
        .contains(&lower.as_str())
        || lower.starts_with("untitled")
    {
        return None;
    }
    Some(t.to_string())
}

fn first_page_title(pages: &[PageOut]) -> Option<String> {
    let p = pages.iter().find(|p| !p.lines.is_empty())?;
    let max = p
        .lines
        .iter()
        .filter(|l| {
            l.text.chars().any(|c| c.is_alphabetic())
                && !structure::is_toc_title(&l.text)
                && !structure::is_toc_line(&l.text, pages.len() as u32)
        })
        .map(|l| l.size)
        .fold(0.0f32, f32::max);
    if max <= 0.0 {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    let mut started = false;
    for l in &p.lines {
        let big = (l.size - max).abs() < 0.05 * max;
        if big
            && l.text.chars().any(|c| c.is_alphabetic())
            && !structure::is_toc_title(&l.text)
            && !structure::is_toc_line(&l.text, pages.len() as u32)
        {
            parts.push(l.text.trim());
            started = true;
            if parts.len() >= 3 {
                break;
            }
        } else if started {
            break;
        }
    }
    let t = parts.join(" ");
    if t.is_empty() || t.chars().count() > 250 {
        None
    } else {
        Some(t)
    }
}
