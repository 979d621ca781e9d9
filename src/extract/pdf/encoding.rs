//! Simple-font encodings: base tables, /Differences, glyph names through the Adobe Glyph List,
//! and normalisation of decoded text (ligatures, soft hyphens, private-use junk).

use super::enc_tables;
use super::glyphlist::AGL;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaseEncoding {
    Standard,
    WinAnsi,
    MacRoman,
    PdfDoc,
    Symbol,
}

impl BaseEncoding {
    pub fn from_name(name: &[u8]) -> Option<BaseEncoding> {
        match name {
            b"WinAnsiEncoding" => Some(BaseEncoding::WinAnsi),
            b"MacRomanEncoding" => Some(BaseEncoding::MacRoman),
            b"StandardEncoding" => Some(BaseEncoding::Standard),
            b"PDFDocEncoding" => Some(BaseEncoding::PdfDoc),
            // MacExpert is rare (small caps, old-style figures); Standard is a fair fallback.
            b"MacExpertEncoding" => Some(BaseEncoding::Standard),
            _ => None,
        }
    }

    fn table(self) -> &'static [u16; 256] {
        match self {
            BaseEncoding::Standard => &enc_tables::STANDARD,
            BaseEncoding::WinAnsi => &enc_tables::WIN_ANSI,
            BaseEncoding::MacRoman => &enc_tables::MAC_ROMAN,
            BaseEncoding::PdfDoc => &enc_tables::PDF_DOC,
            BaseEncoding::Symbol => &enc_tables::SYMBOL,
        }
    }

    /// Unicode for a code in this base encoding.
    pub fn decode(self, code: u8) -> Option<char> {
        let v = self.table()[code as usize];
        if v == 0 {
            None
        } else {
            char::from_u32(v as u32)
        }
    }
}

/// Decode a PDF text string (PDFDocEncoding or UTF-16BE with BOM, or UTF-8 with BOM).
pub fn decode_text_string(bytes: &[u8]) -> String {
    if bytes.len() >= 2 && bytes[0] == 0xFE && bytes[1] == 0xFF {
        let units: Vec<u16> = bytes[2..]
            .chunks(2)
            .filter(|c| c.len() == 2)
            .map(|c| ((c[0] as u16) << 8) | c[1] as u16)
            .collect();
        return char::decode_utf16(units)
            .map(|r| r.unwrap_or('\u{FFFD}'))
            .collect();
    }
    if bytes.len() >= 3 && bytes[..3] == [0xEF, 0xBB, 0xBF] {
        return String::from_utf8_lossy(&bytes[3..]).into_owned();
    }
    bytes
        .iter()
        .filter_map(|&b| {
            BaseEncoding::PdfDoc
                .decode(b)
                .or(if b < 0x80 { Some(b as char) } else { None })
        })
        .collect()
}

fn agl_lookup(name: &str) -> Option<char> {
    AGL.binary_search_by(|(n, _)| n.cmp(&name))
        .ok()
        .and_then(|i| char::from_u32(AGL[i].1 as u32))
}

/// Map a glyph name to Unicode: AGL, `uniXXXX[XXXX…]`, `uXXXX[XX]`, ligature names with `_`,
/// suffixed names (`a.sc`, `one.oldstyle`), and a few common TeX names.
pub fn glyph_name_to_unicode(name: &str) -> Option<String> {
    if name.is_empty() || name == ".notdef" {
        return None;
    }
    if let Some(c) = agl_lookup(name) {
        return Some(c.to_string());
    }
    // Strip suffix after the first period ("a.sc" → "a").
    if let Some(dot) = name.find('.')
        && dot > 0
    {
        return glyph_name_to_unicode(&name[..dot]);
    }
    // Ligature names: "f_f_i" → "ffi".
    if name.contains('_') {
        let parts: Option<String> = name.split('_').map(glyph_name_to_unicode).collect();
        return parts;
    }
    if let Some(hex) = name.strip_prefix("uni")
        && hex.len() >= 4
        && hex.len() % 4 == 0
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
    {
        let units: Vec<u16> = (0..hex.len() / 4)
            .filter_map(|i| u16::from_str_radix(&hex[i * 4..i * 4 + 4], 16).ok())
            .collect();
        let s: String = char::decode_utf16(units).filter_map(|r| r.ok()).collect();
        return if s.is_empty() { None } else { Some(s) };
    }
    if let Some(hex) = name.strip_prefix('u')
        && (4..=6).contains(&hex.len())
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return u32::from_str_radix(hex, 16)
            .ok()
            .and_then(char::from_u32)
            .map(|c| c.to_string());
    }
    // TeX-specific names not in the AGL.
    let tex = match name {
        "ff" => "ff",
        "ffi" => "ffi",
        "ffl" => "ffl",
        "dotlessj" => "ȷ",
        "visiblespace" => "␣",
        "cwm" | "compwordmark" => "",
        "perthousandzero" => "‰",
        "angbracketleft" => "⟨",
        "angbracketright" => "⟩",
        _ => "",
    };
    if !tex.is_empty() {
        return Some(tex.to_string());
    }
    // Names like "g123" / "glyph45" / "cid123" carry no meaning.
    None
}

/// Expand ligatures and drop characters that are never text: soft hyphen, zero-width marks,
/// control characters. Returns the cleaned string (possibly empty).
pub fn clean_glyph_text(s: &str, out: &mut String) {
    // The common case, printable ASCII, needs no look at each character.
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        match c {
            '\u{FB00}' => out.push_str("ff"),
            '\u{FB01}' => out.push_str("fi"),
            '\u{FB02}' => out.push_str("fl"),
            '\u{FB03}' => out.push_str("ffi"),
            '\u{FB04}' => out.push_str("ffl"),
            '\u{FB05}' | '\u{FB06}' => out.push_str("st"),
            '\u{00AD}' => out.push('\u{00AD}'), // kept here; layout drops or uses it
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{FEFF}' | '\u{2060}' => {}
            '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{3000}' | '\t' => out.push(' '),
            // Symbol/Wingdings glyphs without Unicode land in the private-use F0xx block; they
            // are bullets and dingbats in practice.
            '\u{F000}'..='\u{F0FF}' => out.push('•'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agl_names() {
        assert_eq!(glyph_name_to_unicode("aring").as_deref(), Some("å"));
        assert_eq!(glyph_name_to_unicode("Oslash").as_deref(), Some("Ø"));
        assert_eq!(glyph_name_to_unicode("ae").as_deref(), Some("æ"));
        assert_eq!(glyph_name_to_unicode("AE").as_deref(), Some("Æ"));
        assert_eq!(glyph_name_to_unicode("section").as_deref(), Some("§"));
        assert_eq!(glyph_name_to_unicode("endash").as_deref(), Some("–"));
        assert_eq!(glyph_name_to_unicode("guillemotleft").as_deref(), Some("«"));
        assert_eq!(
            glyph_name_to_unicode("guillemotright").as_deref(),
            Some("»")
        );
        assert_eq!(glyph_name_to_unicode("fi").as_deref(), Some("\u{FB01}"));
        assert_eq!(glyph_name_to_unicode("uni00E6").as_deref(), Some("æ"));
        assert_eq!(glyph_name_to_unicode("u00F8").as_deref(), Some("ø"));
        assert_eq!(glyph_name_to_unicode("u1F600").as_deref(), Some("😀"));
        assert_eq!(glyph_name_to_unicode("f_f_i").as_deref(), Some("\u{FB03}"));
        assert_eq!(glyph_name_to_unicode("f_j").as_deref(), Some("fj"));
        assert_eq!(glyph_name_to_unicode("a.sc").as_deref(), Some("a"));
        assert_eq!(glyph_name_to_unicode("g123"), None);
        assert_eq!(glyph_name_to_unicode(".notdef"), None);
    }

    #[test]
    fn base_tables() {
        assert_eq!(BaseEncoding::WinAnsi.decode(0xE6), Some('æ'));
        assert_eq!(BaseEncoding::WinAnsi.decode(0xF8), Some('ø'));
        assert_eq!(BaseEncoding::WinAnsi.decode(0xC5), Some('Å'));
        assert_eq!(BaseEncoding::WinAnsi.decode(0x96), Some('–'));
        assert_eq!(BaseEncoding::WinAnsi.decode(0xA7), Some('§'));
        assert_eq!(BaseEncoding::MacRoman.decode(0xBF), Some('ø'));
        assert_eq!(BaseEncoding::MacRoman.decode(0x8C), Some('å'));
        assert_eq!(BaseEncoding::Standard.decode(0xF9), Some('ø'));
        assert_eq!(BaseEncoding::Standard.decode(0xF1), Some('æ'));
    }

    #[test]
    fn cleaning() {
        let mut s = String::new();
        clean_glyph_text("\u{FB01}n\u{200B}e\u{FB03}", &mut s);
        assert_eq!(s, "fineffi");
    }

    #[test]
    fn text_strings() {
        assert_eq!(decode_text_string(b"\xfe\xff\x00\xe6\x00\xf8"), "æø");
        assert_eq!(decode_text_string(b"NOU 2099"), "NOU 2099");
    }
}
