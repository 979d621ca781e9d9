//! ToUnicode (and embedded encoding) CMap parsing: codespace ranges, bfchar, bfrange (offset
//! and array form), cidchar/cidrange. Tolerant: malformed input yields a partial map, never a
//! panic.

use std::collections::HashMap;

/// Upper bound on entries expanded from one range (guards against `<0000> <FFFFFFFF>` bombs).
const MAX_RANGE_EXPAND: u32 = 0x1_0000;

#[derive(Debug, Clone)]
struct CodespaceRange {
    len: usize,
    lo: Vec<u8>,
    hi: Vec<u8>,
}

#[derive(Debug, Clone)]
struct OffsetRange {
    len: usize,
    lo: u32,
    hi: u32,
    /// Destination for `lo`, as UTF-16 code units; the last unit is incremented.
    base: Vec<u16>,
}

/// A parsed CMap. Codes are keyed by (byte length, value).
#[derive(Debug, Clone, Default)]
pub struct CMap {
    codespace: Vec<CodespaceRange>,
    uni: HashMap<(u8, u32), String>,
    ranges: Vec<OffsetRange>,
    cid: HashMap<(u8, u32), u32>,
    cid_ranges: Vec<(usize, u32, u32, u32)>,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Hex(Vec<u8>),
    Str(Vec<u8>),
    Name(String),
    Int(i64),
    Kw(String),
    ArrOpen,
    ArrClose,
}

fn tokenize(src: &[u8]) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut i = 0;
    let n = src.len();
    while i < n {
        let c = src[i];
        match c {
            b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0' => i += 1,
            b'%' => {
                while i < n && src[i] != b'\n' && src[i] != b'\r' {
                    i += 1;
                }
            }
            b'<' if i + 1 < n && src[i + 1] == b'<' => i += 2,
            b'>' if i + 1 < n && src[i + 1] == b'>' => i += 2,
            b'<' => {
                i += 1;
                let mut digits = Vec::new();
                while i < n && src[i] != b'>' {
                    if src[i].is_ascii_hexdigit() {
                        digits.push(src[i]);
                    }
                    i += 1;
                }
                i += 1;
                if digits.len() % 2 == 1 {
                    digits.push(b'0');
                }
                let bytes = digits
                    .chunks(2)
                    .map(|p| (hexval(p[0]) << 4) | hexval(p[1]))
                    .collect();
                out.push(Tok::Hex(bytes));
            }
            b'(' => {
                i += 1;
                let mut depth = 1;
                let mut s = Vec::new();
                while i < n {
                    let b = src[i];
                    if b == b'\\' && i + 1 < n {
                        s.push(src[i + 1]);
                        i += 2;
                        continue;
                    }
                    if b == b'(' {
                        depth += 1;
                    } else if b == b')' {
                        depth -= 1;
                        if depth == 0 {
                            i += 1;
                            break;
                        }
                    }
                    s.push(b);
                    i += 1;
                }
                out.push(Tok::Str(s));
            }
            b'[' => {
                out.push(Tok::ArrOpen);
                i += 1;
            }
            b']' => {
                out.push(Tok::ArrClose);
                i += 1;
            }
            b'{' | b'}' | b')' | b'>' => i += 1,
            b'/' => {
                i += 1;
                let st = i;
                while i < n && !is_delim(src[i]) {
                    i += 1;
                }
                out.push(Tok::Name(String::from_utf8_lossy(&src[st..i]).into_owned()));
            }
            _ => {
                let st = i;
                while i < n && !is_delim(src[i]) {
                    i += 1;
                }
                if i == st {
                    i += 1;
                    continue;
                }
                let word = &src[st..i];
                match std::str::from_utf8(word)
                    .ok()
                    .and_then(|w| w.parse::<i64>().ok())
                {
                    Some(v) => out.push(Tok::Int(v)),
                    None => out.push(Tok::Kw(String::from_utf8_lossy(word).into_owned())),
                }
            }
        }
    }
    out
}

fn is_delim(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t'
            | b'\r'
            | b'\n'
            | b'\x0c'
            | b'\0'
            | b'('
            | b')'
            | b'<'
            | b'>'
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'/'
            | b'%'
    )
}

fn hexval(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        b'A'..=b'F' => b - b'A' + 10,
        _ => 0,
    }
}

fn code_value(bytes: &[u8]) -> Option<(usize, u32)> {
    if bytes.is_empty() || bytes.len() > 4 {
        return None;
    }
    Some((
        bytes.len(),
        bytes.iter().fold(0u32, |a, &b| (a << 8) | b as u32),
    ))
}

fn utf16_units(bytes: &[u8]) -> Vec<u16> {
    if bytes.len() == 1 {
        return vec![bytes[0] as u16];
    }
    bytes
        .chunks(2)
        .map(|c| {
            if c.len() == 2 {
                ((c[0] as u16) << 8) | c[1] as u16
            } else {
                c[0] as u16
            }
        })
        .collect()
}

fn units_to_string(units: &[u16]) -> String {
    char::decode_utf16(units.iter().copied())
        .map(|r| r.unwrap_or('\u{FFFD}'))
        .collect()
}

impl CMap {
    /// Parse a CMap program. Never panics; unknown constructs are skipped.
    pub fn parse(src: &[u8]) -> CMap {
        let toks = tokenize(src);
        let mut cm = CMap::default();
        let mut i = 0;
        while i < toks.len() {
            if let Tok::Kw(k) = &toks[i] {
                match k.as_str() {
                    "begincodespacerange" => {
                        i += 1;
                        while i + 1 < toks.len() {
                            match (&toks[i], &toks[i + 1]) {
                                (Tok::Hex(lo), Tok::Hex(hi)) => {
                                    if !lo.is_empty() && lo.len() == hi.len() && lo.len() <= 4 {
                                        cm.codespace.push(CodespaceRange {
                                            len: lo.len(),
                                            lo: lo.clone(),
                                            hi: hi.clone(),
                                        });
                                    }
                                    i += 2;
                                }
                                _ => break,
                            }
                        }
                        continue;
                    }
                    "beginbfchar" => {
                        i += 1;
                        while i + 1 < toks.len() {
                            match (&toks[i], &toks[i + 1]) {
                                (Tok::Hex(src), dst) => {
                                    let s = match dst {
                                        Tok::Hex(d) => Some(units_to_string(&utf16_units(d))),
                                        Tok::Name(n) => super::encoding::glyph_name_to_unicode(n),
                                        _ => None,
                                    };
                                    if let (Some((l, v)), Some(s)) = (code_value(src), s) {
                                        cm.uni.insert((l as u8, v), s);
                                    }
                                    i += 2;
                                }
                                _ => break,
                            }
                        }
                        continue;
                    }
                    "beginbfrange" => {
                        i += 1;
                        while i + 2 < toks.len() {
                            let (Tok::Hex(lo), Tok::Hex(hi)) = (&toks[i], &toks[i + 1]) else {
                                break;
                            };
                            let range = match (code_value(lo), code_value(hi)) {
                                (Some((l, a)), Some((_, b))) if a <= b => Some((l, a, b)),
                                _ => None,
                            };
                            match &toks[i + 2] {
                                Tok::Hex(d) => {
                                    if let Some((l, a, b)) = range {
                                        let base = utf16_units(d);
                                        if !base.is_empty() {
                                            cm.ranges.push(OffsetRange {
                                                len: l,
                                                lo: a,
                                                hi: b,
                                                base,
                                            });
                                        }
                                    }
                                    i += 3;
                                }
                                Tok::ArrOpen => {
                                    let mut j = i + 3;
                                    let mut k = 0u32;
                                    while j < toks.len() && toks[j] != Tok::ArrClose {
                                        if let (Some((l, a, b)), Tok::Hex(d)) = (range, &toks[j])
                                            && k <= b - a
                                            && k < MAX_RANGE_EXPAND
                                        {
                                            cm.uni.insert(
                                                (l as u8, a + k),
                                                units_to_string(&utf16_units(d)),
                                            );
                                        }
                                        k = k.saturating_add(1);
                                        j += 1;
                                    }
                                    i = j + 1;
                                }
                                _ => break,
                            }
                        }
                        continue;
                    }
                    "begincidchar" => {
                        i += 1;
                        while i + 1 < toks.len() {
                            match (&toks[i], &toks[i + 1]) {
                                (Tok::Hex(src), Tok::Int(cid)) => {
                                    if let Some((l, v)) = code_value(src) {
                                        cm.cid.insert(
                                            (l as u8, v),
                                            (*cid).clamp(0, u32::MAX as i64) as u32,
                                        );
                                    }
                                    i += 2;
                                }
                                _ => break,
                            }
                        }
                        continue;
                    }
                    "begincidrange" => {
                        i += 1;
                        while i + 2 < toks.len() {
                            match (&toks[i], &toks[i + 1], &toks[i + 2]) {
                                (Tok::Hex(lo), Tok::Hex(hi), Tok::Int(cid)) => {
                                    if let (Some((l, a)), Some((_, b))) =
                                        (code_value(lo), code_value(hi))
                                        && a <= b
                                    {
                                        cm.cid_ranges.push((
                                            l,
                                            a,
                                            b,
                                            (*cid).clamp(0, u32::MAX as i64) as u32,
                                        ));
                                    }
                                    i += 3;
                                }
                                _ => break,
                            }
                        }
                        continue;
                    }
                    _ => {}
                }
            }
            i += 1;
        }
        cm
    }

    /// True when the map defines no Unicode mappings at all.
    pub fn is_empty(&self) -> bool {
        self.uni.is_empty() && self.ranges.is_empty()
    }

    pub fn has_codespace(&self) -> bool {
        !self.codespace.is_empty()
    }

    pub fn has_cids(&self) -> bool {
        !self.cid.is_empty() || !self.cid_ranges.is_empty()
    }

    /// Length in bytes of the next code at the start of `bytes`, by the codespace ranges.
    /// Returns `None` when the CMap has no codespace ranges.
    pub fn code_len(&self, bytes: &[u8]) -> Option<usize> {
        if self.codespace.is_empty() || bytes.is_empty() {
            return None;
        }
        for len in 1..=4.min(bytes.len()) {
            let prefix = &bytes[..len];
            if self.codespace.iter().any(|r| {
                r.len == len
                    && prefix
                        .iter()
                        .zip(r.lo.iter().zip(r.hi.iter()))
                        .all(|(b, (l, h))| b >= l && b <= h)
            }) {
                return Some(len);
            }
        }
        // Not in any range: consume the shortest codespace length (PDF 32000 9.7.6.3).
        let shortest = self.codespace.iter().map(|r| r.len).min().unwrap_or(1);
        Some(shortest.min(bytes.len()))
    }

    /// Unicode for a code of `len` bytes.
    pub fn lookup(&self, len: usize, code: u32) -> Option<String> {
        if let Some(s) = self.uni.get(&(len as u8, code)) {
            return Some(s.clone());
        }
        for r in self.ranges.iter().rev() {
            if r.len == len && code >= r.lo && code <= r.hi {
                let off = code - r.lo;
                let mut units = r.base.clone();
                if let Some(last) = units.last_mut() {
                    *last = last.wrapping_add(off as u16);
                }
                return Some(units_to_string(&units));
            }
        }
        // Some producers write 1-byte source codes in 2-byte maps and vice versa.
        None
    }

    /// CID for a code (embedded encoding CMaps).
    pub fn cid(&self, len: usize, code: u32) -> Option<u32> {
        if let Some(c) = self.cid.get(&(len as u8, code)) {
            return Some(*c);
        }
        self.cid_ranges
            .iter()
            .rev()
            .find(|r| r.0 == len && code >= r.1 && code <= r.2)
            .map(|r| r.3 + (code - r.1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &[u8] = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CMapName /Adobe-Identity-UCS def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
3 beginbfchar
<0003> <0020>
<0044> <00E6>
<0045> <D835DC00>
endbfchar
2 beginbfrange
<0010> <0012> <0061>
<0020> <0022> [<00F8> <00E5> <0066006C>]
endbfrange
endcmap";

    #[test]
    fn bfchar_and_ranges() {
        let cm = CMap::parse(SAMPLE);
        assert_eq!(cm.lookup(2, 0x0003).as_deref(), Some(" "));
        assert_eq!(cm.lookup(2, 0x0044).as_deref(), Some("æ"));
        assert_eq!(cm.lookup(2, 0x0045).as_deref(), Some("\u{1D400}"));
        assert_eq!(cm.lookup(2, 0x0010).as_deref(), Some("a"));
        assert_eq!(cm.lookup(2, 0x0012).as_deref(), Some("c"));
        assert_eq!(cm.lookup(2, 0x0013), None);
        assert_eq!(cm.lookup(2, 0x0020).as_deref(), Some("ø"));
        assert_eq!(cm.lookup(2, 0x0021).as_deref(), Some("å"));
        assert_eq!(cm.lookup(2, 0x0022).as_deref(), Some("fl"));
        assert_eq!(cm.lookup(1, 0x44), None);
    }

    #[test]
    fn codespace_splits_mixed_lengths() {
        let cm = CMap::parse(
            b"2 begincodespacerange <00> <80> <8140> <9FFC> endcodespacerange
              1 beginbfchar <41> <0041> endbfchar 1 beginbfchar <8142> <00C5> endbfchar",
        );
        assert_eq!(cm.code_len(&[0x41, 0x81, 0x42]), Some(1));
        assert_eq!(cm.code_len(&[0x81, 0x42]), Some(2));
        assert_eq!(cm.lookup(2, 0x8142).as_deref(), Some("Å"));
        // Byte outside every range: shortest length is consumed.
        assert_eq!(cm.code_len(&[0xF0, 0x00]), Some(1));
    }

    #[test]
    fn no_codespace_means_none() {
        let cm = CMap::parse(b"1 beginbfchar <01> <00F8> endbfchar");
        assert_eq!(cm.code_len(&[1]), None);
        assert_eq!(cm.lookup(1, 1).as_deref(), Some("ø"));
    }

    #[test]
    fn cid_ranges() {
        let cm = CMap::parse(
            b"1 begincidrange <0000> <00FF> 100 endcidrange 1 begincidchar <0100> 7 endcidchar",
        );
        assert_eq!(cm.cid(2, 5), Some(105));
        assert_eq!(cm.cid(2, 0x100), Some(7));
        assert!(cm.has_cids());
    }

    #[test]
    fn garbage_is_tolerated() {
        let cm = CMap::parse(b"beginbfrange <00> <FF> [ <41> endbfrange beginbfchar <");
        assert_eq!(cm.lookup(1, 0).as_deref(), Some("A"));
        let _ = CMap::parse(b"beginbfrange <FFFFFFFF> <00000000> <41> endbfrange");
    }

    proptest::proptest! {
        #[test]
        fn never_panics(data in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            let cm = CMap::parse(&data);
            let _ = cm.code_len(&data);
            for l in 1..=4 { let _ = cm.lookup(l, 0x41); }
        }

        #[test]
        fn never_panics_on_cmap_like_text(s in "(begin(codespacerange|bfchar|bfrange|cidrange)|<[0-9A-F]{0,9}>|\\[|\\]| |[0-9]{1,3}|end\\w+)*") {
            let cm = CMap::parse(s.as_bytes());
            let _ = cm.code_len(b"\x00\x41\xff\x10");
            for l in 1..=4 { let _ = cm.lookup(l, 0x41); let _ = cm.cid(l, 3); }
        }
    }
}
