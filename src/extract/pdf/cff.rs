//! Minimal CFF (Type1C) reader: the built-in encoding of a bare CFF font program (code → glyph
//! name → Unicode), for simple fonts without /Encoding or ToUnicode (e.g. TeX math fonts
//! converted to CFF). Never panics on malformed input.

use super::encoding::glyph_name_to_unicode;

/// The 391 standard strings of the CFF specification (Adobe TN 5176, Appendix A).
static STANDARD_STRINGS: [&str; 391] = [
    ".notdef",
    "space",
    "exclam",
    "quotedbl",
    "numbersign",
    "dollar",
    "percent",
    "ampersand",
    "quoteright",
    "parenleft",
    "parenright",
    "asterisk",
    "plus",
    "comma",
    "hyphen",
    "period",
    "slash",
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "colon",
    "semicolon",
    "less",
    "equal",
    "greater",
    "question",
    "at",
    "A",
    "B",
    "C",
    "D",
    "E",
    "F",
    "G",
    "H",
    "I",
    "J",
    "K",
    "L",
    "M",
    "N",
    "O",
    "P",
    "Q",
    "R",
    "S",
    "T",
    "U",
    "V",
    "W",
    "X",
    "Y",
    "Z",
    "bracketleft",
    "backslash",
    "bracketright",
    "asciicircum",
    "underscore",
    "quoteleft",
    "a",
    "b",
    "c",
    "d",
    "e",
    "f",
    "g",
    "h",
    "i",
    "j",
    "k",
    "l",
    "m",
    "n",
    "o",
    "p",
    "q",
    "r",
    "s",
    "t",
    "u",
    "v",
    "w",
    "x",
    "y",
    "z",
    "braceleft",
    "bar",
    "braceright",
    "asciitilde",
    "exclamdown",
    "cent",
    "sterling",
    "fraction",
    "yen",
    "florin",
    "section",
    "currency",
    "quotesingle",
    "quotedblleft",
    "guillemotleft",
    "guilsinglleft",
    "guilsinglright",
    "fi",
    "fl",
    "endash",
    "dagger",
    "daggerdbl",
    "periodcentered",
    "paragraph",
    "bullet",
    "quotesinglbase",
    "quotedblbase",
    "quotedblright",
    "guillemotright",
    "ellipsis",
    "perthousand",
    "questiondown",
    "grave",
    "acute",
    "circumflex",
    "tilde",
    "macron",
    "breve",
    "dotaccent",
    "dieresis",
    "ring",
    "cedilla",
    "hungarumlaut",
    "ogonek",
    "caron",
    "emdash",
    "AE",
    "ordfeminine",
    "Lslash",
    "Oslash",
    "OE",
    "ordmasculine",
    "ae",
    "dotlessi",
    "lslash",
    "oslash",
    "oe",
    "germandbls",
    "onesuperior",
    "logicalnot",
    "mu",
    "trademark",
    "Eth",
    "onehalf",
    "plusminus",
    "Thorn",
    "onequarter",
    "divide",
    "brokenbar",
    "degree",
    "thorn",
    "threequarters",
    "twosuperior",
    "registered",
    "minus",
    "eth",
    "multiply",
    "threesuperior",
    "copyright",
    "Aacute",
    "Acircumflex",
    "Adieresis",
    "Agrave",
    "Aring",
    "Atilde",
    "Ccedilla",
    "Eacute",
    "Ecircumflex",
    "Edieresis",
    "Egrave",
    "Iacute",
    "Icircumflex",
    "Idieresis",
    "Igrave",
    "Ntilde",
    "Oacute",
    "Ocircumflex",
    "Odieresis",
    "Ograve",
    "Otilde",
    "Scaron",
    "Uacute",
    "Ucircumflex",
    "Udieresis",
    "Ugrave",
    "Yacute",
    "Ydieresis",
    "Zcaron",
    "aacute",
    "acircumflex",
    "adieresis",
    "agrave",
    "aring",
    "atilde",
    "ccedilla",
    "eacute",
    "ecircumflex",
    "edieresis",
    "egrave",
    "iacute",
    "icircumflex",
    "idieresis",
    "igrave",
    "ntilde",
    "oacute",
    "ocircumflex",
    "odieresis",
    "ograve",
    "otilde",
    "scaron",
    "uacute",
    "ucircumflex",
    "udieresis",
    "ugrave",
    "yacute",
    "ydieresis",
    "zcaron",
    "exclamsmall",
    "Hungarumlautsmall",
    "dollaroldstyle",
    "dollarsuperior",
    "ampersandsmall",
    "Acutesmall",
    "parenleftsuperior",
    "parenrightsuperior",
    "twodotenleader",
    "onedotenleader",
    "zerooldstyle",
    "oneoldstyle",
    "twooldstyle",
    "threeoldstyle",
    "fouroldstyle",
    "fiveoldstyle",
    "sixoldstyle",
    "sevenoldstyle",
    "eightoldstyle",
    "nineoldstyle",
    "commasuperior",
    "threequartersemdash",
    "periodsuperior",
    "questionsmall",
    "asuperior",
    "bsuperior",
    "centsuperior",
    "dsuperior",
    "esuperior",
    "isuperior",
    "lsuperior",
    "msuperior",
    "nsuperior",
    "osuperior",
    "rsuperior",
    "ssuperior",
    "tsuperior",
    "ff",
    "ffi",
    "ffl",
    "parenleftinferior",
    "parenrightinferior",
    "Circumflexsmall",
    "hyphensuperior",
    "Gravesmall",
    "Asmall",
    "Bsmall",
    "Csmall",
    "Dsmall",
    "Esmall",
    "Fsmall",
    "Gsmall",
    "Hsmall",
    "Ismall",
    "Jsmall",
    "Ksmall",
    "Lsmall",
    "Msmall",
    "Nsmall",
    "Osmall",
    "Psmall",
    "Qsmall",
    "Rsmall",
    "Ssmall",
    "Tsmall",
    "Usmall",
    "Vsmall",
    "Wsmall",
    "Xsmall",
    "Ysmall",
    "Zsmall",
    "colonmonetary",
    "onefitted",
    "rupiah",
    "Tildesmall",
    "exclamdownsmall",
    "centoldstyle",
    "Lslashsmall",
    "Scaronsmall",
    "Zcaronsmall",
    "Dieresissmall",
    "Brevesmall",
    "Caronsmall",
    "Dotaccentsmall",
    "Macronsmall",
    "figuredash",
    "hypheninferior",
    "Ogoneksmall",
    "Ringsmall",
    "Cedillasmall",
    "questiondownsmall",
    "oneeighth",
    "threeeighths",
    "fiveeighths",
    "seveneighths",
    "onethird",
    "twothirds",
    "zerosuperior",
    "foursuperior",
    "fivesuperior",
    "sixsuperior",
    "sevensuperior",
    "eightsuperior",
    "ninesuperior",
    "zeroinferior",
    "oneinferior",
    "twoinferior",
    "threeinferior",
    "fourinferior",
    "fiveinferior",
    "sixinferior",
    "seveninferior",
    "eightinferior",
    "nineinferior",
    "centinferior",
    "dollarinferior",
    "periodinferior",
    "commainferior",
    "Agravesmall",
    "Aacutesmall",
    "Acircumflexsmall",
    "Atildesmall",
    "Adieresissmall",
    "Aringsmall",
    "AEsmall",
    "Ccedillasmall",
    "Egravesmall",
    "Eacutesmall",
    "Ecircumflexsmall",
    "Edieresissmall",
    "Igravesmall",
    "Iacutesmall",
    "Icircumflexsmall",
    "Idieresissmall",
    "Ethsmall",
    "Ntildesmall",
    "Ogravesmall",
    "Oacutesmall",
    "Ocircumflexsmall",
    "Otildesmall",
    "Odieresissmall",
    "OEsmall",
    "Oslashsmall",
    "Ugravesmall",
    "Uacutesmall",
    "Ucircumflexsmall",
    "Udieresissmall",
    "Yacutesmall",
    "Thornsmall",
    "Ydieresissmall",
    "001.000",
    "001.001",
    "001.002",
    "001.003",
    "Black",
    "Bold",
    "Book",
    "Light",
    "Medium",
    "Regular",
    "Roman",
    "Semibold",
];

fn u16_at(b: &[u8], o: usize) -> Option<usize> {
    Some(u16::from_be_bytes([*b.get(o)?, *b.get(o + 1)?]) as usize)
}

/// An INDEX: returns the item ranges and the end offset.
fn index(b: &[u8], pos: usize) -> Option<(Vec<(usize, usize)>, usize)> {
    let count = u16_at(b, pos)?;
    if count == 0 {
        return Some((Vec::new(), pos + 2));
    }
    let off_size = *b.get(pos + 2)? as usize;
    if !(1..=4).contains(&off_size) || count > 65535 {
        return None;
    }
    let offs_start = pos + 3;
    let data_start = offs_start + (count + 1) * off_size - 1;
    let read = |i: usize| -> Option<usize> {
        let mut v = 0usize;
        for k in 0..off_size {
            v = (v << 8) | *b.get(offs_start + i * off_size + k)? as usize;
        }
        Some(v)
    };
    let mut items = Vec::with_capacity(count);
    for i in 0..count {
        let (a, e) = (read(i)?, read(i + 1)?);
        if a > e {
            return None;
        }
        items.push((data_start + a, data_start + e));
    }
    let end = data_start + read(count)?;
    if end > b.len() {
        return None;
    }
    Some((items, end))
}

/// Top DICT operators we need: (charset, encoding, charstrings, is_cid).
fn top_dict(d: &[u8]) -> (usize, usize, Option<usize>, bool) {
    let (mut charset, mut encoding, mut charstrings, mut cid) = (0usize, 0usize, None, false);
    let mut ops: Vec<f64> = Vec::new();
    let mut i = 0;
    while i < d.len() {
        let b = d[i];
        match b {
            0..=21 => {
                let op = if b == 12 {
                    i += 1;
                    1200 + *d.get(i).unwrap_or(&0) as u32
                } else {
                    b as u32
                };
                let last = ops.last().copied().unwrap_or(0.0).max(0.0) as usize;
                match op {
                    15 => charset = last,
                    16 => encoding = last,
                    17 => charstrings = Some(last),
                    1230 => cid = true,
                    _ => {}
                }
                ops.clear();
                i += 1;
            }
            28 => {
                let v =
                    i16::from_be_bytes([*d.get(i + 1).unwrap_or(&0), *d.get(i + 2).unwrap_or(&0)]);
                ops.push(v as f64);
                i += 3;
            }
            29 => {
                let v = i32::from_be_bytes([
                    *d.get(i + 1).unwrap_or(&0),
                    *d.get(i + 2).unwrap_or(&0),
                    *d.get(i + 3).unwrap_or(&0),
                    *d.get(i + 4).unwrap_or(&0),
                ]);
                ops.push(v as f64);
                i += 5;
            }
            30 => {
                // Real number: skip nibbles up to the 0xF terminator.
                i += 1;
                while i < d.len() {
                    let n = d[i];
                    i += 1;
                    if n >> 4 == 0xF || n & 0xF == 0xF {
                        break;
                    }
                }
                ops.push(0.0);
            }
            32..=246 => {
                ops.push(b as f64 - 139.0);
                i += 1;
            }
            247..=250 => {
                ops.push(((b as f64 - 247.0) * 256.0) + *d.get(i + 1).unwrap_or(&0) as f64 + 108.0);
                i += 2;
            }
            251..=254 => {
                ops.push(
                    -((b as f64 - 251.0) * 256.0) - *d.get(i + 1).unwrap_or(&0) as f64 - 108.0,
                );
                i += 2;
            }
            _ => i += 1,
        }
    }
    (charset, encoding, charstrings, cid)
}

/// Built-in encoding of a CFF font: Unicode per code, or None when the font uses the Standard
/// or Expert encoding, is a CID font, or cannot be read.
pub fn builtin_encoding(b: &[u8]) -> Option<Vec<Option<String>>> {
    let hdr = *b.get(2)? as usize;
    let (_names, after_names) = index(b, hdr)?;
    let (tops, after_tops) = index(b, after_names)?;
    let (strings, _) = index(b, after_tops)?;
    let &(ts, te) = tops.first()?;
    let (charset_off, enc_off, cs_off, cid) = top_dict(b.get(ts..te)?);
    if cid || enc_off <= 1 {
        return None;
    }
    let (charstrings, _) = index(b, cs_off?)?;
    let n_glyphs = charstrings.len();
    let name = |sid: usize| -> Option<String> {
        if sid < 391 {
            Some(STANDARD_STRINGS[sid].to_string())
        } else {
            let &(a, e) = strings.get(sid - 391)?;
            Some(String::from_utf8_lossy(b.get(a..e)?).into_owned())
        }
    };
    // Charset: glyph id → SID.
    let mut sids: Vec<usize> = vec![0; n_glyphs];
    match charset_off {
        0 => {
            for (g, s) in sids.iter_mut().enumerate() {
                *s = if g < 229 { g } else { 0 };
            }
        }
        1 | 2 => return None,
        off => {
            let fmt = *b.get(off)?;
            let mut p = off + 1;
            let mut g = 1;
            match fmt {
                0 => {
                    while g < n_glyphs {
                        sids[g] = u16_at(b, p)?;
                        p += 2;
                        g += 1;
                    }
                }
                1 | 2 => {
                    while g < n_glyphs {
                        let first = u16_at(b, p)?;
                        let left = if fmt == 1 {
                            *b.get(p + 2)? as usize
                        } else {
                            u16_at(b, p + 2)?
                        };
                        p += if fmt == 1 { 3 } else { 4 };
                        for k in 0..=left {
                            if g >= n_glyphs {
                                break;
                            }
                            sids[g] = first + k;
                            g += 1;
                        }
                    }
                }
                _ => return None,
            }
        }
    }
    // Encoding: code → glyph id, plus supplements code → SID.
    let mut table: Vec<Option<String>> = vec![None; 256];
    let fmt = *b.get(enc_off)?;
    let mut p = enc_off + 1;
    match fmt & 0x7F {
        0 => {
            let n = *b.get(p)? as usize;
            p += 1;
            for g in 1..=n {
                let code = *b.get(p)? as usize;
                p += 1;
                if let Some(&sid) = sids.get(g) {
                    table[code] = name(sid).and_then(|n| glyph_name_to_unicode(&n));
                }
            }
        }
        1 => {
            let n = *b.get(p)? as usize;
            p += 1;
            let mut g = 1;
            for _ in 0..n {
                let first = *b.get(p)? as usize;
                let left = *b.get(p + 1)? as usize;
                p += 2;
                for k in 0..=left {
                    let code = first + k;
                    if code < 256
                        && let Some(&sid) = sids.get(g)
                    {
                        table[code] = name(sid).and_then(|n| glyph_name_to_unicode(&n));
                    }
                    g += 1;
                }
            }
        }
        _ => return None,
    }
    if fmt & 0x80 != 0 {
        let n = *b.get(p)? as usize;
        p += 1;
        for _ in 0..n {
            let code = *b.get(p)? as usize;
            let sid = u16_at(b, p + 1)?;
            p += 3;
            table[code] = name(sid).and_then(|n| glyph_name_to_unicode(&n));
        }
    }
    Some(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_strings() {
        assert_eq!(STANDARD_STRINGS[0], ".notdef");
        assert_eq!(STANDARD_STRINGS[147], "oslash");
        assert_eq!(STANDARD_STRINGS[204], "aring");
        assert_eq!(STANDARD_STRINGS[390], "Semibold");
    }

    #[test]
    fn garbage_does_not_panic() {
        assert!(builtin_encoding(b"").is_none());
        assert!(
            builtin_encoding(&[1, 0, 4, 1, 0, 1, 1, 1, 2, 0, 1, 1, 1, 5, 16, 17, 0xFF]).is_none()
        );
        for n in 0..64u8 {
            let data: Vec<u8> = (0..200u32)
                .map(|i| (i as u8).wrapping_mul(n).wrapping_add(n))
                .collect();
            let _ = builtin_encoding(&data);
        }
    }
}
