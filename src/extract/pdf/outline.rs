//! Outline (bookmarks) reader with cycle and size guards (lopdf's own walker follows /Next
//! without a visited set).

use std::collections::{HashMap, HashSet};

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::encoding::decode_text_string;
use super::structure::OutlineEntry;

const MAX_ENTRIES: usize = 10_000;

fn deref<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    match o {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(o),
        _ => o,
    }
}

struct Ctx<'a> {
    doc: &'a Document,
    pages: HashMap<ObjectId, u32>,
    named: HashMap<Vec<u8>, Dest>,
    seen: HashSet<ObjectId>,
    out: Vec<OutlineEntry>,
}

/// Read the document outline; empty when there is none or it cannot be read.
pub fn read_outline(doc: &Document) -> Vec<OutlineEntry> {
    let Ok(catalog) = doc.catalog() else {
        return Vec::new();
    };
    let Some(Object::Dictionary(root)) = catalog.get(b"Outlines").ok().map(|o| deref(doc, o))
    else {
        return Vec::new();
    };
    let pages: HashMap<ObjectId, u32> =
        doc.get_pages().into_iter().map(|(n, id)| (id, n)).collect();
    let mut ctx = Ctx {
        doc,
        pages,
        named: HashMap::new(),
        seen: HashSet::new(),
        out: Vec::new(),
    };
    // Named destinations: old-style /Dests dictionary and the /Names /Dests name tree.
    if let Some(Object::Dictionary(d)) = catalog.get(b"Dests").ok().map(|o| deref(doc, o)) {
        for (k, v) in d.iter() {
            if let Some(p) = dest_page(doc, deref(doc, v)) {
                ctx.named.insert(k.clone(), p);
            }
        }
    }
    if let Some(Object::Dictionary(names)) = catalog.get(b"Names").ok().map(|o| deref(doc, o))
        && let Some(Object::Dictionary(tree)) = names.get(b"Dests").ok().map(|o| deref(doc, o))
    {
        let mut visited = HashSet::new();
        name_tree(doc, tree, &mut ctx.named, &mut visited, 0);
    }
    if let Ok(first) = root.get(b"First") {
        walk(&mut ctx, first, 1);
    }
    ctx.out
}

fn name_tree(
    doc: &Document,
    node: &Dictionary,
    out: &mut HashMap<Vec<u8>, Dest>,
    visited: &mut HashSet<ObjectId>,
    depth: usize,
) {
    if depth > 32 || out.len() > 100_000 {
        return;
    }
    if let Some(Object::Array(names)) = node.get(b"Names").ok().map(|o| deref(doc, o)) {
        for pair in names.chunks(2) {
            if let [Object::String(k, _), v] = pair
                && let Some(p) = dest_page(doc, deref(doc, v))
            {
                out.insert(k.clone(), p);
            }
        }
    }
    if let Some(Object::Array(kids)) = node.get(b"Kids").ok().map(|o| deref(doc, o)) {
        for k in kids {
            if let Object::Reference(id) = k
                && !visited.insert(*id)
            {
                continue;
            }
            if let Object::Dictionary(d) = deref(doc, k) {
                name_tree(doc, d, out, visited, depth + 1);
            }
        }
    }
}

/// A resolved destination: the page object and, when the view says so, the left edge and top
/// of the target (PDF 32000 §12.3.2.2: /XYZ left top zoom, /FitH top, /FitBH top, /FitR …).
#[derive(Debug, Clone, Copy)]
struct Dest {
    page: ObjectId,
    left: Option<f32>,
    top: Option<f32>,
}

fn num(o: Option<&Object>) -> Option<f32> {
    match o? {
        Object::Integer(i) => Some(*i as f32),
        Object::Real(r) => Some(*r),
        _ => None,
    }
    .filter(|v| v.is_finite())
}

/// The page object of a destination: an array [page view …] or a dictionary with /D.
fn dest_page(doc: &Document, o: &Object) -> Option<Dest> {
    match o {
        Object::Array(a) => match a.first() {
            Some(Object::Reference(id)) => {
                let view = match a.get(1) {
                    Some(Object::Name(n)) => n.as_slice(),
                    _ => b"".as_slice(),
                };
                let (left, top) = match view {
                    b"XYZ" => (num(a.get(2)), num(a.get(3))),
                    b"FitH" | b"FitBH" => (None, num(a.get(2))),
                    b"FitR" => (num(a.get(2)), num(a.get(5))),
                    _ => (None, None),
                };
                Some(Dest {
                    page: *id,
                    left,
                    top,
                })
            }
            _ => None,
        },
        Object::Dictionary(d) => d.get(b"D").ok().and_then(|x| dest_page(doc, deref(doc, x))),
        _ => None,
    }
}

fn item_dest(ctx: &Ctx, item: &Dictionary) -> Option<(u32, Dest)> {
    let doc = ctx.doc;
    let dest = match item.get(b"Dest").ok().map(|o| deref(doc, o)) {
        Some(d) => Some(d),
        None => match item.get(b"A").ok().map(|o| deref(doc, o)) {
            Some(Object::Dictionary(a)) => a.get(b"D").ok().map(|o| deref(doc, o)),
            _ => None,
        },
    }?;
    let dest = match dest {
        Object::Name(n) | Object::String(n, _) => ctx.named.get(n).copied(),
        o => dest_page(doc, o),
    }?;
    Some((*ctx.pages.get(&dest.page)?, dest))
}

/// A bookmark title on one line: line breaks and tabs (FrameMaker keeps the heading's own line
/// breaks in its bookmarks) become spaces, runs of spaces one space, and a line-end hyphen
/// inside a word is joined ("lidel-⏎ser" → "lidelser"; "helse-⏎og" keeps its hyphen).
pub fn clean_title(raw: &str) -> String {
    let parts: Vec<&str> = raw
        .split(|c: char| c.is_control() || c == '\u{2028}' || c == '\u{2029}')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let joined = super::dehyphen::join_lines(&parts, &super::dehyphen::Vocab::default());
    joined.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn walk(ctx: &mut Ctx, first: &Object, level: usize) {
    if level > 16 {
        return;
    }
    let mut cur = first.clone();
    loop {
        if ctx.out.len() >= MAX_ENTRIES {
            return;
        }
        let id = match cur {
            Object::Reference(id) => id,
            _ => return,
        };
        if !ctx.seen.insert(id) {
            return;
        }
        let Ok(item) = ctx.doc.get_dictionary(id) else {
            return;
        };
        let title = match item.get(b"Title").ok().map(|o| deref(ctx.doc, o)) {
            Some(Object::String(s, _)) => decode_text_string(s),
            _ => String::new(),
        };
        let dest = item_dest(ctx, item);
        ctx.out.push(OutlineEntry {
            level,
            title: clean_title(&title),
            page: dest.map(|d| d.0),
            left: dest.and_then(|d| d.1.left),
            top: dest.and_then(|d| d.1.top),
        });
        if let Ok(child) = item.get(b"First") {
            let child = child.clone();
            walk(ctx, &child, level + 1);
        }
        match item.get(b"Next") {
            Ok(n) => cur = n.clone(),
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::dictionary;

    #[test]
    fn cyclic_outline_terminates() {
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let page_id = doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages_id });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(
                dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 },
            ),
        );
        let a = doc.new_object_id();
        let b = doc.new_object_id();
        let c = doc.new_object_id();
        let dest = vec![Object::Reference(page_id), "Fit".into()];
        doc.objects.insert(
            a,
            Object::Dictionary(dictionary! { "Title" => Object::string_literal("1 Innledning"), "Dest" => dest.clone(), "Next" => b, "First" => c }),
        );
        doc.objects.insert(
            b,
            Object::Dictionary(dictionary! { "Title" => Object::string_literal("2 Bakgrunn"), "Dest" => dest.clone(), "Next" => a }),
        );
        doc.objects.insert(
            c,
            Object::Dictionary(dictionary! { "Title" => Object::string_literal("1.1 Mandat"), "A" => dictionary! { "S" => "GoTo", "D" => dest }, "First" => a }),
        );
        let outlines = doc.add_object(dictionary! { "Type" => "Outlines", "First" => a });
        let catalog = doc.add_object(
            dictionary! { "Type" => "Catalog", "Pages" => pages_id, "Outlines" => outlines },
        );
        doc.trailer.set("Root", catalog);
        let o = read_outline(&doc);
        let got: Vec<(usize, &str, Option<u32>)> = o
            .iter()
            .map(|e| (e.level, e.title.as_str(), e.page))
            .collect();
        assert_eq!(
            got,
            vec![
                (1, "1 Innledning", Some(1)),
                (2, "1.1 Mandat", Some(1)),
                (1, "2 Bakgrunn", Some(1))
            ]
        );
    }
}
