//! Minimal TrueType `cmap` reader: glyph id → Unicode, for CID fonts that have no ToUnicode.

use std::collections::HashMap;

fn u16_at(b: &[u8], o: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(o)?, *b.get(o + 1)?]))
}

fn u32_at(b: &[u8], o: usize) -> Option<u32> {
    Some(u32::from_be_bytes([
        *b.get(o)?,
        *b.get(o + 1)?,
        *b.get(o + 2)?,
        *b.get(o + 3)?,
    ]))
}

/// Reverse Unicode cmap of a TrueType/OpenType font program (glyph id → char). Empty when the
/// font has no usable Unicode cmap. Never panics.
pub fn glyph_to_unicode(font: &[u8]) -> HashMap<u16, char> {
    let mut out = HashMap::new();
    let Some(cmap) = find_table(font, b"cmap") else {
        return out;
    };
    let n = u16_at(cmap, 2).unwrap_or(0) as usize;
    let mut best: Option<(u8, usize)> = None;
    for i in 0..n.min(64) {
        let rec = 4 + i * 8;
        let (Some(pid), Some(eid), Some(off)) = (
            u16_at(cmap, rec),
            u16_at(cmap, rec + 2),
            u32_at(cmap, rec + 4),
        ) else {
            break;
        };
        let rank = match (pid, eid) {
            (3, 10) => 4,
            (0, 4) | (0, 6) => 3,
            (3, 1) => 2,
            (0, _) => 1,
            _ => 0,
        };
        if rank > 0 && best.is_none_or(|b| rank > b.0) {
            best = Some((rank, off as usize));
        }
    }
    let Some((_, off)) = best else { return out };
    let Some(sub) = cmap.get(off..) else {
        return out;
    };
    match u16_at(sub, 0) {
        Some(4) => format4(sub, &mut out),
        Some(12) => format12(sub, &mut out),
        _ => {}
    }
    out
}

fn find_table<'a>(font: &'a [u8], tag: &[u8; 4]) -> Option<&'a [u8]> {
    let n = u16_at(font, 4)? as usize;
    for i in 0..n.min(256) {
        let rec = 12 + i * 16;
        if font.get(rec..rec + 4)? == tag {
            let off = u32_at(font, rec + 8)? as usize;
            let len = u32_at(font, rec + 12)? as usize;
            return font.get(off..off.checked_add(len)?.min(font.len()));
        }
    }
    None
}

fn insert(out: &mut HashMap<u16, char>, gid: u32, code: u32) {
    if gid == 0 || gid > 0xFFFF {
        return;
    }
    if let Some(c) = char::from_u32(code)
        && !c.is_control()
    {
        out.entry(gid as u16).or_insert(c);
    }
}

fn format4(t: &[u8], out: &mut HashMap<u16, char>) {
    let Some(segx2) = u16_at(t, 6) else { return };
    let seg = segx2 as usize / 2;
    let ends = 14;
    let starts = ends + segx2 as usize + 2;
    let deltas = starts + segx2 as usize;
    let ranges = deltas + segx2 as usize;
    for s in 0..seg {
        let (Some(end), Some(start), Some(delta), Some(ro)) = (
            u16_at(t, ends + 2 * s),
            u16_at(t, starts + 2 * s),
            u16_at(t, deltas + 2 * s),
            u16_at(t, ranges + 2 * s),
        ) else {
            return;
        };
        if start > end || start == 0xFFFF {
            continue;
        }
        for c in start..=end {
            let gid = if ro == 0 {
                c.wrapping_add(delta)
            } else {
                let addr = ranges + 2 * s + ro as usize + 2 * (c - start) as usize;
                match u16_at(t, addr) {
                    Some(0) | None => continue,
                    Some(g) => g.wrapping_add(delta),
                }
            };
            insert(out, gid as u32, c as u32);
            if c == 0xFFFF {
                break;
            }
        }
    }
}

fn format12(t: &[u8], out: &mut HashMap<u16, char>) {
    let Some(n) = u32_at(t, 12) else { return };
    for i in 0..(n as usize).min(100_000) {
        let g = 16 + i * 12;
        let (Some(start), Some(end), Some(gid0)) =
            (u32_at(t, g), u32_at(t, g + 4), u32_at(t, g + 8))
        else {
            return;
        };
        if start > end || end - start > 0x1_0000 {
            continue;
        }
        for c in start..=end {
            insert(out, gid0 + (c - start), c);
        }
    }
}

#[cfg(test)]
mod tests {
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
    }

    #[test]
    fn format4_segment() {
        // One segment 0x41..0x43 with delta so that 'A' → gid 3, plus the 0xFFFF end segment.
        let mut sub = vec![0u8, 4, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0];
        sub.extend_from_slice(&[0x00, 0x43, 0xFF, 0xFF]); // endCode
        sub.extend_from_slice(&[0, 0]); // pad
        sub.extend_from_slice(&[0x00, 0x41, 0xFF, 0xFF]); // startCode
        sub.extend_from_slice(&[0xFF, 0xC2, 0x00, 0x01]); // idDelta: 3 - 0x41
        sub.extend_from_slice(&[0, 0, 0, 0]); // idRangeOffset
        let mut out = HashMap::new();
        format4(&sub, &mut out);
        assert_eq!(out.get(&3), Some(&'A'));
        assert_eq!(out.get(&5), Some(&'C'));
    }
}
