//! Reading PDF dictionaries: references followed, numbers and flags with defaults.

use lopdf::{Dictionary, Document, Object};

pub(super) fn deref<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    match o {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(o),
        _ => o,
    }
}

pub(super) fn get<'a>(doc: &'a Document, d: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    d.get(key).ok().map(|o| deref(doc, o))
}

pub(super) fn int(doc: &Document, d: &Dictionary, key: &[u8]) -> Option<i64> {
    match get(doc, d, key)? {
        Object::Integer(i) => Some(*i),
        Object::Real(r) => Some(*r as i64),
        _ => None,
    }
}

pub(super) fn boolean(doc: &Document, d: &Dictionary, key: &[u8]) -> bool {
    matches!(get(doc, d, key), Some(Object::Boolean(true)))
}

pub(super) fn names(doc: &Document, o: Option<&Object>) -> Vec<Vec<u8>> {
    match o.map(|o| deref(doc, o)) {
        Some(Object::Name(n)) => vec![n.clone()],
        Some(Object::Array(a)) => a
            .iter()
            .filter_map(|o| deref(doc, o).as_name().ok().map(<[u8]>::to_vec))
            .collect(),
        _ => Vec::new(),
    }
}

/// The decode parameters of the filter at `index` of the chain.
pub(super) fn params<'a>(
    doc: &'a Document,
    d: &'a Dictionary,
    index: usize,
) -> Option<&'a Dictionary> {
    match get(doc, d, b"DecodeParms")? {
        Object::Dictionary(p) => Some(p),
        Object::Array(a) => match deref(doc, a.get(index)?) {
            Object::Dictionary(p) => Some(p),
            _ => None,
        },
        _ => None,
    }
}
