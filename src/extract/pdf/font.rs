//! Fonts: code splitting, Unicode (ToUnicode first, then encoding / Differences / AGL) and
//! glyph widths (/Widths, /W + /DW, MissingWidth, base-14 fallbacks).

use std::collections::HashMap;

use lopdf::{Dictionary, Document, Object};

use super::cmap::CMap;
use super::encoding::{BaseEncoding, glyph_name_to_unicode};

/// One glyph decoded from a string operand.
#[derive(Debug, Clone)]
pub struct DecodedGlyph {
    /// Unicode text; empty when the glyph has no known Unicode.
    pub text: String,
    /// Horizontal advance in text space for font size 1 (glyph width × FontMatrix).
    pub width: f32,
    /// True for the single-byte code 32, to which word spacing (Tw) applies.
    pub word_space: bool,
    /// True when the glyph had no Unicode mapping at all.
    pub unmapped: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Simple,
    Type3,
    Cid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Base14 {
    Helvetica,
    Times,
    Courier,
    Other,
}

#[derive(Debug)]
pub struct Font {
    pub name: String,
    kind: Kind,
    pub bold: bool,
    to_unicode: Option<CMap>,
    /// Simple fonts: Unicode per code.
    enc: Vec<Option<String>>,
    first_char: u32,
    widths: Vec<f32>,
    missing_width: f32,
    cid_widths: HashMap<u32, f32>,
    cid_default: f32,
    /// Type0: embedded encoding CMap (codes → CIDs); None means Identity (2-byte codes).
    enc_cmap: Option<CMap>,
    /// Type0 whose encoding is a predefined UCS-2 CMap: the code is Unicode.
    ucs2_codes: bool,
    /// Type0 without ToUnicode: glyph id → text from the embedded TrueType/OpenType program
    /// (cmap reversed, post names, GSUB forms).
    gid_unicode: HashMap<u16, String>,
    /// CIDToGIDMap stream (2 bytes per CID); empty means Identity.
    cid_to_gid: Vec<u8>,
    pub vertical: bool,
    /// FontMatrix a and d (0.001 for everything but Type3).
    pub fm_x: f32,
    pub fm_y: f32,
    /// The em height in text space per unit font size: 1 for every font but Type 3, whose
    /// glyph space is its own (TeX bitmap fonts: FontMatrix 0.01 over a 100-unit em): there the
    /// FontBBox height through the FontMatrix, when it is plausible.
    pub em_scale: f32,
    base14: Option<Base14>,
    symbolic: bool,
}

fn deref<'a>(doc: &'a Document, obj: &'a Object) -> &'a Object {
    match obj {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(obj),
        _ => obj,
    }
}

pub fn dict_get<'a>(doc: &'a Document, d: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    d.get(key).ok().map(|o| deref(doc, o))
}

pub fn obj_num(o: &Object) -> Option<f32> {
    match o {
        Object::Integer(i) => Some(*i as f32),
        Object::Real(r) => Some(*r),
        _ => None,
    }
}

fn stream_bytes(doc: &Document, obj: &Object, limit: usize) -> Option<Vec<u8>> {
    match deref(doc, obj) {
        Object::Stream(s) => s.get_plain_content_with_limit(limit).ok(),
        _ => None,
    }
}

fn strip_subset(name: &str) -> &str {
    match name.find('+') {
        Some(6) => &name[7..],
        _ => name,
    }
}

fn is_bold_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("bold")
        || n.contains("black")
        || n.contains("heavy")
        || n.contains("semibd")
        || n.contains("demi")
        || n.contains(",bd")
        || n.contains("-bd")
        || n.starts_with("cmbx")
        || n.starts_with("sfbx")
        || n.contains("lmroman10-bold")
}

impl Font {
    /// Build a font from its dictionary. Never fails: unknown parts fall back to defaults.
    pub fn load(doc: &Document, fd: &Dictionary, limit: usize) -> Font {
        let subtype = dict_get(doc, fd, b"Subtype")
            .and_then(|o| o.as_name().ok())
            .unwrap_or(b"Type1");
        let base_name = dict_get(doc, fd, b"BaseFont")
            .and_then(|o| o.as_name().ok())
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .unwrap_or_default();
        let kind = match subtype {
            b"Type0" => Kind::Cid,
            b"Type3" => Kind::Type3,
            _ => Kind::Simple,
        };
        let to_unicode = dict_get(doc, fd, b"ToUnicode")
            .and_then(|o| stream_bytes(doc, o, limit))
            .map(|b| CMap::parse(&b))
            .filter(|c| !c.is_empty());
        let mut font = Font {
            name: strip_subset(&base_name).to_string(),
            kind,
            bold: is_bold_name(&base_name),
            to_unicode,
            enc: Vec::new(),
            first_char: 0,
            widths: Vec::new(),
            missing_width: 0.0,
            cid_widths: HashMap::new(),
            cid_default: 1000.0,
            enc_cmap: None,
            ucs2_codes: false,
            gid_unicode: HashMap::new(),
            cid_to_gid: Vec::new(),
            vertical: false,
            fm_x: 0.001,
            fm_y: 0.001,
            em_scale: 1.0,
            base14: None,
            symbolic: false,
        };
        match kind {
            Kind::Cid => font.load_cid(doc, fd, limit),
            _ => font.load_simple(doc, fd, limit),
        }
        font
    }

    fn descriptor_flags(&mut self, doc: &Document, desc: &Dictionary) {
        let flags = dict_get(doc, desc, b"Flags")
            .and_then(obj_num)
            .unwrap_or(0.0) as i64;
        self.symbolic = flags & 4 != 0;
        if flags & (1 << 18) != 0 {
            self.bold = true;
        }
        if let Some(w) = dict_get(doc, desc, b"FontWeight").and_then(obj_num)
            && w >= 600.0
        {
            self.bold = true;
        }
        self.missing_width = dict_get(doc, desc, b"MissingWidth")
            .and_then(obj_num)
            .unwrap_or(0.0);
    }

    fn load_simple(&mut self, doc: &Document, fd: &Dictionary, limit: usize) {
        let is_tt = matches!(
            dict_get(doc, fd, b"Subtype").and_then(|o| o.as_name().ok()),
            Some(b"TrueType")
        );
        let mut builtin: Option<Vec<Option<String>>> = None;
        if let Some(Object::Dictionary(desc)) = dict_get(doc, fd, b"FontDescriptor") {
            self.descriptor_flags(doc, desc);
            if let Some(ff) = dict_get(doc, desc, b"FontFile")
                && let Some(bytes) = stream_bytes(doc, ff, limit)
            {
                builtin = type1_builtin_encoding(&bytes);
            } else if let Some(ff @ Object::Stream(st)) = dict_get(doc, desc, b"FontFile3")
                && matches!(
                    st.dict.get(b"Subtype").and_then(|o| o.as_name()),
                    Ok(b"Type1C")
                )
                && let Some(bytes) = stream_bytes(doc, ff, limit)
            {
                builtin = super::cff::builtin_encoding(&bytes);
            }
        }
        if self.kind == Kind::Type3 {
            if let Some(Object::Array(m)) = dict_get(doc, fd, b"FontMatrix")
                && m.len() == 6
            {
                let v: Vec<f32> = m
                    .iter()
                    .map(|o| obj_num(deref(doc, o)).unwrap_or(0.0))
                    .collect();
                if v[0].abs() > 1e-9 {
                    self.fm_x = v[0];
                }
                if v[3].abs() > 1e-9 {
                    self.fm_y = v[3];
                }
            }
            self.fm_x = self.fm_x.abs();
            self.fm_y = self.fm_y.abs();
            if let Some(Object::Array(b)) = dict_get(doc, fd, b"FontBBox")
                && b.len() == 4
            {
                let v: Vec<f32> = b
                    .iter()
                    .map(|o| obj_num(deref(doc, o)).unwrap_or(0.0))
                    .collect();
                let h = (v[3] - v[1]).abs() * self.fm_y;
                if h.is_finite() && (0.3..=3.0).contains(&h) {
                    self.em_scale = h;
                }
            }
        }
        let lname = self.name.to_ascii_lowercase();
        let base14 = if lname.contains("courier") || lname.contains("mono") {
            Base14::Courier
        } else if lname.contains("times") || lname.contains("serif") && !lname.contains("sans") {
            Base14::Times
        } else if lname.contains("helvetica") || lname.contains("arial") || lname.contains("sans") {
            Base14::Helvetica
        } else if lname.contains("symbol") || lname.contains("dingbat") {
            Base14::Other
        } else {
            Base14::Times
        };
        self.base14 = Some(base14);

        // Base encoding and differences.
        let mut base = if lname.starts_with("symbol") {
            Some(BaseEncoding::Symbol)
        } else if builtin.is_some() {
            None
        } else if is_tt {
            Some(BaseEncoding::WinAnsi)
        } else {
            Some(BaseEncoding::Standard)
        };
        let mut diffs: Vec<(u32, String)> = Vec::new();
        match dict_get(doc, fd, b"Encoding") {
            Some(Object::Name(n)) => {
                if let Some(b) = BaseEncoding::from_name(n) {
                    base = Some(b);
                }
            }
            Some(Object::Dictionary(ed)) => {
                if let Some(b) = dict_get(doc, ed, b"BaseEncoding")
                    .and_then(|o| o.as_name().ok())
                    .and_then(BaseEncoding::from_name)
                {
                    base = Some(b);
                }
                if let Some(Object::Array(arr)) = dict_get(doc, ed, b"Differences") {
                    let mut code: i64 = 0;
                    for item in arr {
                        match deref(doc, item) {
                            Object::Integer(i) => code = *i,
                            Object::Name(n) => {
                                if (0..256).contains(&code) {
                                    diffs.push((
                                        code as u32,
                                        String::from_utf8_lossy(n).into_owned(),
                                    ));
                                }
                                code += 1;
                            }
                            _ => {}
                        }
                    }
                }
            }
            _ => {}
        }
        let mut enc: Vec<Option<String>> = match (base, builtin) {
            (Some(b), _) => (0..=255u8)
                .map(|c| b.decode(c).map(|ch| ch.to_string()))
                .collect(),
            (None, Some(t)) => t,
            (None, None) => vec![None; 256],
        };
        for (code, name) in diffs {
            enc[code as usize] = glyph_name_to_unicode(&name);
        }
        self.enc = enc;

        self.first_char = dict_get(doc, fd, b"FirstChar")
            .and_then(obj_num)
            .unwrap_or(0.0)
            .max(0.0) as u32;
        if let Some(Object::Array(w)) = dict_get(doc, fd, b"Widths") {
            self.widths = w
                .iter()
                .take(65536)
                .map(|o| obj_num(deref(doc, o)).unwrap_or(0.0))
                .collect();
        }
    }

    fn load_cid(&mut self, doc: &Document, fd: &Dictionary, limit: usize) {
        match dict_get(doc, fd, b"Encoding") {
            Some(Object::Name(n)) => {
                let n = String::from_utf8_lossy(n);
                self.vertical = n.ends_with("-V");
                // UniJIS-UCS2-H, UniGB-UTF16-H, …: the 2-byte code is the Unicode value.
                if n.starts_with("Uni") && (n.contains("UCS2") || n.contains("UTF16")) {
                    self.ucs2_codes = true;
                }
            }
            Some(o @ Object::Stream(_)) => {
                if let Some(b) = stream_bytes(doc, o, limit) {
                    let cm = CMap::parse(&b);
                    if cm.has_codespace() || cm.has_cids() {
                        self.enc_cmap = Some(cm);
                    }
                }
            }
            _ => {}
        }
        let desc_font = match dict_get(doc, fd, b"DescendantFonts") {
            Some(Object::Array(a)) => a.first().map(|o| deref(doc, o)),
            Some(o @ Object::Dictionary(_)) => Some(o),
            _ => None,
        };
        if let Some(Object::Dictionary(df)) = desc_font {
            if let Some(Object::Dictionary(desc)) = dict_get(doc, df, b"FontDescriptor") {
                self.descriptor_flags(doc, desc);
                // The embedded program: TrueType (FontFile2) or an OpenType wrapper (FontFile3
                // /OpenType); a bare CFF has no cmap to reverse.
                let program = dict_get(doc, desc, b"FontFile2").or_else(|| {
                    dict_get(doc, desc, b"FontFile3").filter(|o| {
                        matches!(o, Object::Stream(st) if matches!(
                            st.dict.get(b"Subtype").and_then(|o| o.as_name()),
                            Ok(b"OpenType")
                        ))
                    })
                });
                if self.to_unicode.is_none()
                    && let Some(ff) = program
                    && let Some(bytes) = stream_bytes(doc, ff, limit)
                {
                    self.gid_unicode = super::truetype::glyph_to_unicode(&bytes);
                    if let Some(m @ Object::Stream(_)) = dict_get(doc, df, b"CIDToGIDMap")
                        && let Some(map) = stream_bytes(doc, m, limit)
                    {
                        self.cid_to_gid = map;
                    }
                }
            }
            if let Some(dw) = dict_get(doc, df, b"DW").and_then(obj_num) {
                self.cid_default = dw;
            }
            if let Some(Object::Array(w)) = dict_get(doc, df, b"W") {
                parse_w_array(doc, w, &mut self.cid_widths);
            }
            if let Some(n) = dict_get(doc, df, b"BaseFont").and_then(|o| o.as_name().ok())
                && is_bold_name(&String::from_utf8_lossy(n))
            {
                self.bold = true;
            }
        }
    }

    fn simple_width(&self, code: u32, text: &str) -> f32 {
        if code >= self.first_char {
            let i = (code - self.first_char) as usize;
            if let Some(&w) = self.widths.get(i) {
                return w;
            }
        }
        if !self.widths.is_empty() && self.missing_width > 0.0 {
            return self.missing_width;
        }
        if self.kind == Kind::Type3 {
            return self.missing_width;
        }
        base14_width(self.base14.unwrap_or(Base14::Times), text)
    }

    /// Width in text space per unit font size of the font's space glyph, if known.
    pub fn space_width(&self) -> Option<f32> {
        match self.kind {
            Kind::Cid => None,
            _ => {
                let code = self
                    .enc
                    .iter()
                    .position(|e| e.as_deref() == Some(" "))
                    .unwrap_or(32) as u32;
                let w = self.simple_width(code, " ") * self.fm_x;
                if w > 0.0 { Some(w) } else { None }
            }
        }
    }

    fn unicode_simple(&self, code: u32) -> Option<String> {
        if let Some(tu) = &self.to_unicode
            && let Some(s) = tu.lookup(1, code)
            && usable(&s)
        {
            return Some(s);
        }
        if let Some(Some(s)) = self.enc.get(code as usize) {
            return Some(s.clone());
        }
        if (32..127).contains(&code) {
            return Some((code as u8 as char).to_string());
        }
        None
    }

    /// Decode a string operand into glyphs.
    pub fn decode(&self, bytes: &[u8], out: &mut Vec<DecodedGlyph>) {
        match self.kind {
            Kind::Simple | Kind::Type3 => {
                for &b in bytes {
                    let code = b as u32;
                    let text = self.unicode_simple(code);
                    let unmapped = text.is_none();
                    let text = text.unwrap_or_default();
                    let width = self.simple_width(code, &text) * self.fm_x;
                    out.push(DecodedGlyph {
                        text,
                        width,
                        word_space: b == 32,
                        unmapped,
                    });
                }
            }
            Kind::Cid => {
                let mut i = 0;
                while i < bytes.len() {
                    let len = self
                        .enc_cmap
                        .as_ref()
                        .and_then(|c| c.code_len(&bytes[i..]))
                        .or_else(|| {
                            self.to_unicode
                                .as_ref()
                                .and_then(|c| c.code_len(&bytes[i..]))
                        })
                        .unwrap_or(2)
                        .clamp(1, 4)
                        .min(bytes.len() - i);
                    let code = bytes[i..i + len]
                        .iter()
                        .fold(0u32, |a, &b| (a << 8) | b as u32);
                    i += len;
                    let cid = match &self.enc_cmap {
                        Some(cm) => cm.cid(len, code).unwrap_or(code),
                        None => code,
                    };
                    // An explicit empty mapping is a glyph that is part of a cluster mapped
                    // elsewhere: it is mapped, to nothing.
                    let mut text = self
                        .to_unicode
                        .as_ref()
                        .and_then(|tu| tu.lookup(len, code))
                        .filter(|s| s.is_empty() || usable(s));
                    if text.is_none() && self.ucs2_codes {
                        text = char::from_u32(code).map(|c| c.to_string());
                    }
                    if text.is_none() && !self.gid_unicode.is_empty() {
                        let gid = if self.cid_to_gid.is_empty() {
                            Some(cid as u16)
                        } else {
                            let k = cid as usize * 2;
                            self.cid_to_gid
                                .get(k..k + 2)
                                .map(|b| u16::from_be_bytes([b[0], b[1]]))
                        };
                        text = gid.and_then(|g| self.gid_unicode.get(&g)).cloned();
                    }
                    let unmapped = text.is_none();
                    let w = self
                        .cid_widths
                        .get(&cid)
                        .copied()
                        .unwrap_or(self.cid_default);
                    out.push(DecodedGlyph {
                        text: text.unwrap_or_default(),
                        width: w * 0.001,
                        word_space: len == 1 && code == 32,
                        unmapped,
                    });
                }
            }
        }
    }
}

fn usable(s: &str) -> bool {
    !s.is_empty()
        && !s
            .chars()
            .all(|c| c == '\u{FFFD}' || (c.is_control() && c != '\t'))
}

fn parse_w_array(doc: &Document, w: &[Object], out: &mut HashMap<u32, f32>) {
    let mut i = 0;
    while i < w.len() && out.len() < 200_000 {
        let first = obj_num(deref(doc, &w[i]));
        let Some(first) = first else {
            i += 1;
            continue;
        };
        let first = first.max(0.0) as u32;
        match w.get(i + 1).map(|o| deref(doc, o)) {
            Some(Object::Array(ws)) => {
                for (k, o) in ws.iter().enumerate().take(65536) {
                    if let Some(v) = obj_num(deref(doc, o)) {
                        out.insert(first + k as u32, v);
                    }
                }
                i += 2;
            }
            Some(o) => {
                let last = obj_num(o).unwrap_or(0.0).max(0.0) as u32;
                let v = w
                    .get(i + 2)
                    .and_then(|o| obj_num(deref(doc, o)))
                    .unwrap_or(1000.0);
                if last >= first {
                    for c in first..=last.min(first + 65535) {
                        out.insert(c, v);
                    }
                }
                i += 3;
            }
            None => break,
        }
    }
}

/// Built-in encoding of an embedded Type 1 font program ("dup 65 /A put" in the clear text).
fn type1_builtin_encoding(bytes: &[u8]) -> Option<Vec<Option<String>>> {
    let end = bytes
        .windows(5)
        .position(|w| w == b"eexec")
        .unwrap_or(bytes.len().min(65536));
    let clear = &bytes[..end];
    let pos = clear.windows(9).position(|w| w == b"/Encoding")?;
    let rest = &clear[pos + 9..];
    if String::from_utf8_lossy(&rest[..rest.len().min(40)]).contains("StandardEncoding") {
        return None;
    }
    // Tokens split at white space and before names ("dup 32/space put" from some writers).
    let text = String::from_utf8_lossy(&rest[..rest.len().min(64 * 1024)]).replace('/', " /");
    let mut table: Vec<Option<String>> = vec![None; 256];
    let mut found = false;
    let toks: Vec<&str> = text.split_ascii_whitespace().take(4000).collect();
    let mut i = 0;
    while i + 3 < toks.len() {
        if toks[i] == "dup"
            && let Ok(code) = toks[i + 1].parse::<usize>()
            && let Some(name) = toks[i + 2].strip_prefix('/')
            && code < 256
        {
            table[code] = glyph_name_to_unicode(name);
            found = true;
            i += 4;
            continue;
        }
        if toks[i] == "readonly" || toks[i] == "def" && found {
            break;
        }
        i += 1;
    }
    if found { Some(table) } else { None }
}

const HELV: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 222, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 222, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];
const TIMES: [u16; 95] = [
    250, 333, 408, 500, 500, 833, 778, 333, 333, 333, 500, 564, 250, 333, 250, 278, 500, 500, 500,
    500, 500, 500, 500, 500, 500, 500, 278, 278, 564, 564, 564, 444, 921, 722, 667, 667, 722, 611,
    556, 722, 722, 333, 389, 722, 611, 889, 722, 722, 556, 722, 667, 556, 611, 722, 722, 944, 722,
    722, 611, 333, 278, 333, 469, 500, 333, 444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500,
    278, 778, 500, 500, 500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444, 480, 200, 480, 541,
];

/// Approximate base-14 widths (Helvetica / Times-Roman / Courier AFM) for unembedded fonts.
fn base14_width(b: Base14, text: &str) -> f32 {
    if b == Base14::Courier {
        return 600.0;
    }
    let table = if b == Base14::Helvetica {
        &HELV
    } else {
        &TIMES
    };
    let c = text.chars().next().unwrap_or('x');
    let base = match c {
        'æ' => return if b == Base14::Helvetica { 889.0 } else { 667.0 },
        'Æ' => {
            return if b == Base14::Helvetica {
                1000.0
            } else {
                889.0
            };
        }
        'ø' | 'ö' | 'ó' | 'ò' | 'ô' => 'o',
        'å' | 'ä' | 'á' | 'à' | 'â' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'ü' | 'ú' | 'ù' => 'u',
        'Ø' | 'Ö' => 'O',
        'Å' | 'Ä' => 'A',
        '–' => return 500.0,
        '—' => return 1000.0,
        '«' | '»' => return 500.0,
        '§' => return 500.0,
        '’' | '‘' => return 250.0,
        '“' | '”' => return 444.0,
        c => c,
    };
    let code = base as u32;
    if (32..127).contains(&code) {
        table[(code - 32) as usize] as f32
    } else {
        500.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::dictionary;

    #[test]
    fn differences_through_agl() {
        let doc = Document::new();
        let fd = dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "ABCDEF+SFRM1000",
            "Encoding" => dictionary! {
                "Type" => "Encoding",
                "Differences" => vec![Object::Integer(27), "ff".into(), "fi".into(), Object::Integer(190), "aring".into(), "oslash".into(), "ae".into(), "section".into(), "endash".into(), "uni00AB".into()],
            },
        };
        let f = Font::load(&doc, &fd, 1 << 20);
        let mut g = Vec::new();
        f.decode(&[27, 28, 190, 191, 192, 193, 194, 195, b'A'], &mut g);
        let s: Vec<&str> = g.iter().map(|d| d.text.as_str()).collect();
        assert_eq!(
            s,
            vec!["\u{FB00}", "\u{FB01}", "å", "ø", "æ", "§", "–", "«", "A"]
        );
    }

    #[test]
    fn winansi_and_widths() {
        let doc = Document::new();
        let fd = dictionary! {
            "Subtype" => "TrueType", "BaseFont" => "Arial-BoldMT", "Encoding" => "WinAnsiEncoding",
            "FirstChar" => 32, "Widths" => vec![Object::Integer(278), Object::Integer(333)],
        };
        let f = Font::load(&doc, &fd, 1 << 20);
        assert!(f.bold);
        let mut g = Vec::new();
        f.decode(&[32, 33, 0xE6, 0xF8, 0xE5], &mut g);
        assert_eq!(
            g.iter().map(|d| d.text.as_str()).collect::<String>(),
            " !æøå"
        );
        assert!((g[0].width - 0.278).abs() < 1e-6);
        assert!(g[0].word_space);
        assert!((f.space_width().unwrap() - 0.278).abs() < 1e-6);
    }

    #[test]
    fn w_array() {
        let doc = Document::new();
        let mut m = HashMap::new();
        let w = vec![
            Object::Integer(1),
            Object::Array(vec![Object::Integer(500), Object::Integer(600)]),
            Object::Integer(10),
            Object::Integer(12),
            Object::Integer(700),
        ];
        parse_w_array(&doc, &w, &mut m);
        assert_eq!(m.get(&1), Some(&500.0));
        assert_eq!(m.get(&2), Some(&600.0));
        assert_eq!(m.get(&11), Some(&700.0));
        assert_eq!(m.get(&13), None);
    }

    /// A document holding one stream object; returns it with the stream's reference.
    fn doc_with_stream(bytes: Vec<u8>) -> (Document, Object) {
        let mut doc = Document::with_version("1.5");
        let id = doc.add_object(lopdf::Stream::new(dictionary! {}, bytes));
        (doc, Object::Reference(id))
    }

    #[test]
    fn cid_truetype_without_tounicode_reads_the_embedded_cmap() {
        let (doc, ff) = doc_with_stream(super::super::truetype::tests::tiny_font());
        let fd = dictionary! {
            "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "ABCDEF+Fritt",
            "Encoding" => "Identity-H",
            "DescendantFonts" => vec![Object::Dictionary(dictionary! {
                "Type" => "Font", "Subtype" => "CIDFontType2", "BaseFont" => "ABCDEF+Fritt",
                "CIDToGIDMap" => "Identity", "DW" => 600,
                "FontDescriptor" => dictionary! { "Type" => "FontDescriptor", "Flags" => 4, "FontFile2" => ff },
            })],
        };
        let f = Font::load(&doc, &fd, 1 << 20);
        let mut g = Vec::new();
        f.decode(&[0, 3, 0, 5, 0, 6, 0, 7, 0, 9], &mut g);
        let s: Vec<&str> = g.iter().map(|d| d.text.as_str()).collect();
        assert_eq!(s, vec!["A", "C", "ø", "æ", ""]);
        assert!(g[4].unmapped && !g[0].unmapped);
        assert!((g[0].width - 0.6).abs() < 1e-6);
    }

    #[test]
    fn utf16_cmap_codes_are_unicode() {
        let doc = Document::new();
        let fd = dictionary! {
            "Subtype" => "Type0", "BaseFont" => "ArialUnicodeMS", "Encoding" => "UniJIS-UTF16-H",
        };
        let f = Font::load(&doc, &fd, 1 << 20);
        let mut g = Vec::new();
        f.decode(&[0x00, 0xE6, 0x30, 0x42], &mut g);
        assert_eq!(g.iter().map(|d| d.text.as_str()).collect::<String>(), "æあ");
    }

    #[test]
    fn type3_em_and_widths_follow_the_font_matrix() {
        // A TeX bitmap font: glyph space of about 100 units per em.
        let doc = Document::new();
        let fd = dictionary! {
            "Subtype" => "Type3",
            "FontMatrix" => vec![0.01.into(), 0.into(), 0.into(), 0.01.into(), 0.into(), 0.into()],
            "FontBBox" => vec![0.into(), (-20).into(), 90.into(), 80.into()],
            "FirstChar" => 97, "Widths" => vec![Object::Real(50.0), Object::Real(55.0)],
            "Encoding" => dictionary! { "Differences" => vec![Object::Integer(97), "a".into(), "b".into()] },
        };
        let f = Font::load(&doc, &fd, 1 << 20);
        assert!((f.em_scale - 1.0).abs() < 1e-6, "{}", f.em_scale);
        let mut g = Vec::new();
        f.decode(b"ab", &mut g);
        assert_eq!(g[0].text, "a");
        assert!((g[0].width - 0.5).abs() < 1e-6);
        assert!((g[1].width - 0.55).abs() < 1e-6);
        // A bounding box that says nothing sensible leaves the em at the font size.
        let fd = dictionary! {
            "Subtype" => "Type3",
            "FontMatrix" => vec![0.0042.into(), 0.into(), 0.into(), 0.0042.into(), 0.into(), 0.into()],
            "FontBBox" => vec![0.into(), 0.into(), 0.into(), 0.into()],
        };
        assert_eq!(Font::load(&doc, &fd, 1 << 20).em_scale, 1.0);
    }

    #[test]
    fn type1_builtin_encoding_from_the_font_program() {
        // A Ghostscript-style embedded Type 1 font (names glued to codes), no /Encoding in the
        // font dictionary: the program's encoding decides.
        let program = b"%!PS-AdobeFont-1.0: NimbusRomNo9L-Regu 1.05\n/FontName /NimbusRomNo9L-Regu def\n/Encoding 256 array\n0 1 255 {1 index exch /.notdef put} for\ndup 1/oslash put\ndup 2/aring put\ndup 3 /ae put\ndup 4 /fi put\ndup 72 /H put\nreadonly def\ncurrentdict end\ncurrentfile eexec\n\x80\x81".to_vec();
        let (doc, ff) = doc_with_stream(program);
        let fd = dictionary! {
            "Subtype" => "Type1", "BaseFont" => "ABCDEF+NimbusRomNo9L-Regu",
            "FontDescriptor" => dictionary! { "Flags" => 4, "FontFile" => ff },
        };
        let f = Font::load(&doc, &fd, 1 << 20);
        let mut g = Vec::new();
        f.decode(&[72, 1, 2, 3, 4], &mut g);
        assert_eq!(
            g.iter().map(|d| d.text.as_str()).collect::<String>(),
            "Høå\u{e6}\u{FB01}"
        );
    }

    #[test]
    fn builtin_type1() {
        let t = type1_builtin_encoding(b"/Encoding 256 array\n0 1 255 {1 index exch /.notdef put} for\ndup 65 /aring put\ndup 66 /oslash put\nreadonly def\ncurrentfile eexec").unwrap();
        assert_eq!(t[65].as_deref(), Some("å"));
        assert_eq!(t[66].as_deref(), Some("ø"));
    }
}
