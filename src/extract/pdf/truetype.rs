//! Glyph id → Unicode for embedded TrueType/OpenType programs, for CID fonts without a
//! ToUnicode map (Identity-H text from Word, browsers and report generators).
//!
//! The font is read with `ttf-parser` (maintained, fuzzed, zero-copy, no panics on malformed
//! input) instead of our own table readers. In order of trust:
//! 1. the Unicode `cmap` subtables, reversed (Windows symbol and Mac Roman subtables too);
//! 2. glyph names from the `post` table (`uni00E6`, `oslash`, `f_i` through the glyph list);
//! 3. GSUB single and ligature substitutions: a positional form or a ligature gets the text of
//!    the glyphs it replaces (Arabic initial/medial/final forms, "fi", "ffl"), two rounds so
//!    chained substitutions resolve too.

use std::collections::HashMap;

use ttf_parser::{GlyphId, Tag};

use super::encoding::{BaseEncoding, glyph_name_to_unicode};

/// Glyph id → text of an embedded font program. Empty when nothing in the font tells.
pub fn glyph_to_unicode(font: &[u8]) -> HashMap<u16, String> {
    let mut out: HashMap<u16, String> = HashMap::new();
    let face = ttf_parser::Face::parse(font, 0).ok();
    let raw = ttf_parser::RawFace::parse(font, 0).ok();
    let table = |tag: &[u8; 4]| -> Option<&[u8]> {
        match (&face, &raw) {
            (Some(f), _) => f.raw_face().table(Tag::from_bytes(tag)),
            (None, Some(r)) => r.table(Tag::from_bytes(tag)),
            _ => None,
        }
    };
    if let Some(cmap) = table(b"cmap").and_then(ttf_parser::cmap::Table::parse) {
        from_cmap(&cmap, &mut out);
    }
    if let Some(data) = table(b"post") {
        from_post(data, &mut out);
    }
    if let Some(gsub) = face.as_ref().and_then(|f| f.tables().gsub) {
        for _ in 0..2 {
            from_gsub(&gsub, &mut out);
        }
    }
    out
}

/// Glyph names of a version-2 `post` table. ttf-parser's `glyph_name` walks the name list
/// for every glyph (quadratic on large fonts), so the custom names are collected once.
fn from_post(data: &[u8], out: &mut HashMap<u16, String>) {
    let Some(post) = ttf_parser::post::Table::parse(data) else {
        return;
    };
    let custom: Vec<&str> = post.names().take(65536).collect();
    let count = data
        .get(32..34)
        .map(|b| u16::from_be_bytes([b[0], b[1]]))
        .unwrap_or(0);
    for gid in 1..count {
        if out.contains_key(&gid) {
            continue;
        }
        let Some(idx) = data
            .get(34 + 2 * gid as usize..36 + 2 * gid as usize)
            .map(|b| u16::from_be_bytes([b[0], b[1]]) as usize)
        else {
            break;
        };
        let name = if idx < 258 {
            post.glyph_name(GlyphId(gid))
        } else {
            custom.get(idx - 258).copied()
        };
        if let Some(s) = name.and_then(glyph_name_to_unicode).filter(|s| usable(s)) {
            out.insert(gid, s);
        }
    }
}

fn usable(s: &str) -> bool {
    !s.is_empty() && !s.chars().any(|c| c.is_control())
}

fn insert(out: &mut HashMap<u16, String>, gid: GlyphId, c: char) {
    if gid.0 == 0 || c.is_control() {
        return;
    }
    // The first (lowest) code point wins, except that a private-use one gives way.
    let pua = |c: char| ('\u{E000}'..='\u{F8FF}').contains(&c);
    match out.get(&gid.0).and_then(|s| s.chars().next()) {
        Some(old) if !pua(old) || pua(c) => {}
        _ => {
            out.insert(gid.0, c.to_string());
        }
    }
}

fn from_cmap(cmap: &ttf_parser::cmap::Table, out: &mut HashMap<u16, String>) {
    use ttf_parser::PlatformId;
    // Unicode subtables first, then the legacy ones for glyphs still without text.
    let subtables: Vec<_> = cmap.subtables.into_iter().take(64).collect();
    for pass in 0..2 {
        for st in &subtables {
            let unicode = st.is_unicode();
            if (pass == 0) != unicode {
                continue;
            }
            let symbol = st.platform_id == PlatformId::Windows && st.encoding_id == 0;
            let mac_roman = st.platform_id == PlatformId::Macintosh && st.encoding_id == 0;
            if !unicode && !symbol && !mac_roman {
                continue;
            }
            let mut n = 0usize;
            st.codepoints(|cp| {
                n += 1;
                if n > 200_000 {
                    return;
                }
                let Some(gid) = st.glyph_index(cp) else {
                    return;
                };
                let c = if unicode {
                    char::from_u32(cp)
                } else if symbol {
                    // Symbol cmaps put single-byte codes at U+F0xx; the low byte is the code
                    // in the font's own (usually Windows) encoding.
                    let b = if (0xF000..=0xF0FF).contains(&cp) {
                        cp - 0xF000
                    } else {
                        cp
                    };
                    u8::try_from(b)
                        .ok()
                        .and_then(|b| BaseEncoding::WinAnsi.decode(b))
                } else {
                    u8::try_from(cp)
                        .ok()
                        .and_then(|b| BaseEncoding::MacRoman.decode(b))
                };
                if let Some(c) = c {
                    insert(out, gid, c);
                }
            });
        }
    }
}

/// Every (glyph, coverage index) of a coverage table.
fn covered(cov: &ttf_parser::opentype_layout::Coverage) -> Vec<(GlyphId, u16)> {
    use ttf_parser::opentype_layout::Coverage;
    let mut v = Vec::new();
    match cov {
        Coverage::Format1 { glyphs } => {
            for (i, g) in glyphs.into_iter().enumerate() {
                v.push((g, i as u16));
            }
        }
        Coverage::Format2 { records } => {
            for r in records.into_iter() {
                for g in r.start.0..=r.end.0 {
                    let Some(idx) = r.value.checked_add(g - r.start.0) else {
                        break;
                    };
                    v.push((GlyphId(g), idx));
                    if v.len() > 65536 {
                        return v;
                    }
                }
            }
        }
    }
    v
}

fn from_gsub(gsub: &ttf_parser::opentype_layout::LayoutTable, out: &mut HashMap<u16, String>) {
    use ttf_parser::gsub::{SingleSubstitution, SubstitutionSubtable};
    for lookup in gsub.lookups.into_iter().take(2000) {
        for k in 0..lookup.subtables.len().min(500) {
            let Some(st) = lookup.subtables.get::<SubstitutionSubtable>(k) else {
                continue;
            };
            match st {
                SubstitutionSubtable::Single(s) => {
                    for (g, idx) in covered(&s.coverage()) {
                        let to = match &s {
                            SingleSubstitution::Format1 { delta, .. } => {
                                GlyphId((g.0 as i32 + *delta as i32) as u16)
                            }
                            SingleSubstitution::Format2 { substitutes, .. } => {
                                match substitutes.get(idx) {
                                    Some(t) => t,
                                    None => continue,
                                }
                            }
                        };
                        if to.0 != 0
                            && !out.contains_key(&to.0)
                            && let Some(t) = out.get(&g.0).cloned()
                        {
                            out.insert(to.0, t);
                        }
                    }
                }
                SubstitutionSubtable::Ligature(l) => {
                    for (g, idx) in covered(&l.coverage) {
                        let Some(set) = l.ligature_sets.get(idx) else {
                            continue;
                        };
                        let Some(first) = out.get(&g.0).cloned() else {
                            continue;
                        };
                        for lig in set.into_iter().take(1000) {
                            if lig.glyph.0 == 0 || out.contains_key(&lig.glyph.0) {
                                continue;
                            }
                            let mut text = first.clone();
                            let mut ok = true;
                            for c in lig.components.into_iter() {
                                match out.get(&c.0) {
                                    Some(t) => text.push_str(t),
                                    None => {
                                        ok = false;
                                        break;
                                    }
                                }
                            }
                            if ok {
                                out.insert(lig.glyph.0, text);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn garbage_does_not_panic() {
        assert!(glyph_to_unicode(b"").is_empty());
        assert!(
            glyph_to_unicode(&[
                0u8, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, b'c', b'm', b'a', b'p', 0, 0, 0, 0, 0, 0, 0,
                0, 255, 255, 255, 255
            ])
            .is_empty()
        );
        // Every prefix of a real font and a font with flipped bytes: no panic.
        let font = tiny_font();
        for n in (0..font.len()).step_by(7) {
            let _ = glyph_to_unicode(&font[..n]);
        }
        let mut bad = font.clone();
        for i in (20..bad.len()).step_by(13) {
            bad[i] ^= 0xA5;
        }
        let _ = glyph_to_unicode(&bad);
    }

    /// A minimal sfnt with a format-4 Unicode cmap ('A'..'C' → glyphs 3..5) and a version-2
    /// post table naming glyph 6 "oslash" and glyph 7 "uni00E6".
    pub(crate) fn tiny_font() -> Vec<u8> {
        let mut sub = vec![0u8, 4, 0, 32, 0, 0, 0, 4, 0, 4, 0, 1, 0, 0];
        sub.extend_from_slice(&[0x00, 0x43, 0xFF, 0xFF]); // endCode
        sub.extend_from_slice(&[0, 0]); // pad
        sub.extend_from_slice(&[0x00, 0x41, 0xFF, 0xFF]); // startCode
        sub.extend_from_slice(&[0xFF, 0xC2, 0x00, 0x01]); // idDelta: 3 - 0x41
        sub.extend_from_slice(&[0, 0, 0, 0]); // idRangeOffset
        let mut cmap = vec![0u8, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 12];
        cmap.extend_from_slice(&sub);
        // post v2: 8 glyphs; 0..5 → standard index 0 (.notdef), 6 and 7 → custom names.
        let mut post = vec![0u8, 2, 0, 0];
        post.extend_from_slice(&[0u8; 28]);
        post.extend_from_slice(&[0, 8]);
        for _ in 0..6 {
            post.extend_from_slice(&[0, 0]);
        }
        post.extend_from_slice(&[1, 2, 1, 3]); // 258, 259
        for name in ["oslash", "uni00E6"] {
            post.push(name.len() as u8);
            post.extend_from_slice(name.as_bytes());
        }
        sfnt(&[(b"cmap", cmap), (b"post", post)])
    }

    pub(crate) fn sfnt(tables: &[(&[u8; 4], Vec<u8>)]) -> Vec<u8> {
        let n = tables.len();
        let mut out = vec![0u8, 1, 0, 0, 0, n as u8, 0, 0, 0, 0, 0, 0];
        let mut off = 12 + 16 * n;
        let mut body = Vec::new();
        for (tag, data) in tables {
            out.extend_from_slice(*tag);
            out.extend_from_slice(&[0, 0, 0, 0]);
            out.extend_from_slice(&(off as u32).to_be_bytes());
            out.extend_from_slice(&(data.len() as u32).to_be_bytes());
            body.extend_from_slice(data);
            while body.len() % 4 != 0 {
                body.push(0);
            }
            off = 12 + 16 * n + body.len();
        }
        out.extend_from_slice(&body);
        out
    }

    #[test]
    fn cmap_reversed_and_post_names() {
        let m = glyph_to_unicode(&tiny_font());
        assert_eq!(m.get(&3).map(String::as_str), Some("A"));
        assert_eq!(m.get(&5).map(String::as_str), Some("C"));
        assert_eq!(m.get(&6).map(String::as_str), Some("ø"));
        assert_eq!(m.get(&7).map(String::as_str), Some("æ"));
        assert_eq!(m.get(&0), None);
    }
}
