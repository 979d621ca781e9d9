//! Content-stream interpreter: graphics and text state, Form XObjects, producing positioned
//! glyphs in page space.

use std::collections::HashMap;
use std::rc::Rc;
use std::time::Instant;

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::PdfLimits;
use super::encoding::clean_glyph_text;
use super::font::{DecodedGlyph, Font, dict_get, obj_num};
use super::lexer::Lexer;

/// Glyphs kept per page; more than this is not a text page (and would cost memory in layout).
pub const MAX_GLYPHS_PER_PAGE: usize = 400_000;

/// A glyph placed on the page.
#[derive(Debug, Clone)]
pub struct Glyph {
    pub text: String,
    /// Baseline start and end in page space.
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
    /// Font size in user space (height of the em square).
    pub size: f32,
    #[allow(dead_code)]
    pub font: u32,
    pub bold: bool,
    /// A space glyph (only ends a word).
    pub is_space: bool,
    /// Space width of the font in user space, if known.
    pub space_w: f32,
}

#[derive(Debug, Clone, Copy)]
struct M([f32; 6]);

impl M {
    const ID: M = M([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
    fn mul(&self, o: &M) -> M {
        let a = &self.0;
        let b = &o.0;
        M([
            a[0] * b[0] + a[1] * b[2],
            a[0] * b[1] + a[1] * b[3],
            a[2] * b[0] + a[3] * b[2],
            a[2] * b[1] + a[3] * b[3],
            a[4] * b[0] + a[5] * b[2] + b[4],
            a[4] * b[1] + a[5] * b[3] + b[5],
        ])
    }
    fn apply(&self, x: f32, y: f32) -> (f32, f32) {
        let m = &self.0;
        (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
    }
    fn translate(tx: f32, ty: f32) -> M {
        M([1.0, 0.0, 0.0, 1.0, tx, ty])
    }
}

#[derive(Clone)]
struct GState {
    ctm: M,
    font: Option<(u32, Rc<Font>)>,
    size: f32,
    tc: f32,
    tw: f32,
    th: f32,
    tl: f32,
    rise: f32,
    render: i64,
}

impl GState {
    fn new(ctm: M) -> GState {
        GState {
            ctm,
            font: None,
            size: 0.0,
            tc: 0.0,
            tw: 0.0,
            th: 1.0,
            tl: 0.0,
            rise: 0.0,
            render: 0,
        }
    }
}

/// Per-document state shared across pages: font cache and counters.
pub struct Interp<'a> {
    pub doc: &'a Document,
    pub limits: &'a PdfLimits,
    pub start: Instant,
    fonts: HashMap<ObjectId, (u32, Rc<Font>)>,
    next_font_id: u32,
    pub unmapped: usize,
    pub unmapped_fonts: Vec<String>,
    pub timed_out: bool,
    /// Content bytes decompressed so far (page and form streams), bounded by
    /// `max_decompressed_bytes` for the whole document.
    pub decompressed: usize,
    pub size_limit_hit: bool,
}

pub struct PageGlyphs {
    pub glyphs: Vec<Glyph>,
    pub warnings: Vec<String>,
}

struct Run<'b> {
    ops: usize,
    gs: GState,
    stack: Vec<GState>,
    tm: M,
    tlm: M,
    out: &'b mut Vec<Glyph>,
    warnings: &'b mut Vec<String>,
    op_limit_hit: bool,
}

/// A matrix from six numeric operands (the caller checks there are six).
fn matrix(operands: &[Object]) -> M {
    M(std::array::from_fn(|i| num(&operands[i])))
}

fn num(o: &Object) -> f32 {
    obj_num(o).unwrap_or(0.0)
}

impl<'a> Interp<'a> {
    pub fn new(doc: &'a Document, limits: &'a PdfLimits, start: Instant) -> Self {
        Interp {
            doc,
            limits,
            start,
            fonts: HashMap::new(),
            next_font_id: 0,
            unmapped: 0,
            unmapped_fonts: Vec::new(),
            timed_out: false,
            decompressed: 0,
            size_limit_hit: false,
        }
    }

    fn font_for(&mut self, res: &[&Dictionary], name: &[u8]) -> Option<(u32, Rc<Font>)> {
        for r in res {
            let Some(Object::Dictionary(fonts)) = dict_get(self.doc, r, b"Font") else {
                continue;
            };
            let Ok(entry) = fonts.get(name) else {
                continue;
            };
            let key = match entry {
                Object::Reference(id) => Some(*id),
                _ => None,
            };
            if let Some(k) = key
                && let Some(f) = self.fonts.get(&k)
            {
                return Some(f.clone());
            }
            let fd = match entry {
                Object::Reference(id) => self.doc.get_dictionary(*id).ok()?,
                Object::Dictionary(d) => d,
                _ => return None,
            };
            let font = Rc::new(Font::load(self.doc, fd, self.limits.max_decompressed_bytes));
            let id = self.next_font_id;
            self.next_font_id += 1;
            if let Some(k) = key {
                self.fonts.insert(k, (id, font.clone()));
            }
            return Some((id, font));
        }
        None
    }

    /// Interpret one page.
    pub fn page(&mut self, page_id: ObjectId) -> PageGlyphs {
        let mut glyphs = Vec::new();
        let mut warnings = Vec::new();
        let doc = self.doc;
        let budget = self
            .limits
            .max_decompressed_bytes
            .saturating_sub(self.decompressed);
        let mut data = Vec::new();
        let read = page_content_into(doc, page_id, budget, &mut data);
        self.decompressed += data.len();
        if let Err(e) = read {
            if budget == 0 || e == LIMIT_HIT {
                self.size_limit_hit = true;
                warnings.push(format!(
                    "a stream exceeds the decompression limit of {} MiB; the text after it was not read",
                    limit_mib(self.limits.max_decompressed_bytes)
                ));
            } else {
                warnings.push(e);
            }
            if data.is_empty() {
                return PageGlyphs { glyphs, warnings };
            }
        }
        let res = page_resources(doc, page_id);
        let gs = GState::new(M::ID);
        let mut run = Run {
            ops: 0,
            gs,
            stack: Vec::new(),
            tm: M::ID,
            tlm: M::ID,
            out: &mut glyphs,
            warnings: &mut warnings,
            op_limit_hit: false,
        };
        let res_refs: Vec<&Dictionary> = res.iter().collect();
        self.run_stream(&data, &res_refs, &mut run, 0);
        if !self.timed_out && !run.op_limit_hit {
            self.annotations(page_id, &res_refs, &mut run);
        }
        if run.op_limit_hit {
            run.warnings.push(format!(
                "page stopped after {} operators",
                self.limits.max_ops_per_page
            ));
        }
        PageGlyphs { glyphs, warnings }
    }

    fn run_stream(&mut self, data: &[u8], res: &[&Dictionary], run: &mut Run, depth: usize) {
        let mut dec: Vec<DecodedGlyph> = Vec::new();
        let mut lex = Lexer::new(data);
        while let Some(operator) = lex.next_op() {
            run.ops += 1;
            if run.ops > self.limits.max_ops_per_page {
                run.op_limit_hit = true;
                return;
            }
            if run.ops.is_multiple_of(4096) && self.start.elapsed() > self.limits.time_budget {
                self.timed_out = true;
                return;
            }
            let a = &lex.operands;
            match operator {
                b"q" if run.stack.len() < 256 => run.stack.push(run.gs.clone()),
                b"Q" => {
                    if let Some(g) = run.stack.pop() {
                        run.gs = g;
                    }
                }
                b"cm" if a.len() == 6 => {
                    run.gs.ctm = matrix(a).mul(&run.gs.ctm);
                }
                b"BT" => {
                    run.tm = M::ID;
                    run.tlm = M::ID;
                }
                b"ET" => {}
                b"Tm" if a.len() == 6 => {
                    let m = matrix(a);
                    run.tm = m;
                    run.tlm = m;
                }
                b"Td" if a.len() == 2 => {
                    run.tlm = M::translate(num(&a[0]), num(&a[1])).mul(&run.tlm);
                    run.tm = run.tlm;
                }
                b"TD" if a.len() == 2 => {
                    run.gs.tl = -num(&a[1]);
                    run.tlm = M::translate(num(&a[0]), num(&a[1])).mul(&run.tlm);
                    run.tm = run.tlm;
                }
                b"T*" => next_line(run),
                b"TL" if a.len() == 1 => run.gs.tl = num(&a[0]),
                b"Tc" if a.len() == 1 => run.gs.tc = num(&a[0]),
                b"Tw" if a.len() == 1 => run.gs.tw = num(&a[0]),
                b"Tz" if a.len() == 1 => run.gs.th = num(&a[0]) / 100.0,
                b"Ts" if a.len() == 1 => run.gs.rise = num(&a[0]),
                b"Tr" if a.len() == 1 => run.gs.render = obj_num(&a[0]).unwrap_or(0.0) as i64,
                b"Tf" if a.len() == 2 => {
                    run.gs.size = num(&a[1]);
                    run.gs.font = a[0].as_name().ok().and_then(|n| self.font_for(res, n));
                    if run.gs.font.is_none() {
                        run.warnings.push(format!(
                            "font {} not found in resources",
                            String::from_utf8_lossy(a[0].as_name().unwrap_or(b"?"))
                        ));
                    }
                }
                b"Tj" if !a.is_empty() => {
                    if let Object::String(s, _) = &a[0] {
                        self.show(run, s, &mut dec);
                    }
                }
                b"'" if !a.is_empty() => {
                    next_line(run);
                    if let Object::String(s, _) = &a[0] {
                        self.show(run, s, &mut dec);
                    }
                }
                b"\"" if a.len() == 3 => {
                    run.gs.tw = num(&a[0]);
                    run.gs.tc = num(&a[1]);
                    next_line(run);
                    if let Object::String(s, _) = &a[2] {
                        self.show(run, s, &mut dec);
                    }
                }
                b"TJ" if !a.is_empty() => {
                    if let Object::Array(items) = &a[0] {
                        for it in items {
                            match it {
                                Object::String(s, _) => self.show(run, s, &mut dec),
                                o => {
                                    if let Some(v) = obj_num(o) {
                                        let vertical =
                                            run.gs.font.as_ref().is_some_and(|f| f.1.vertical);
                                        let adj = -v / 1000.0 * run.gs.size;
                                        run.tm = if vertical {
                                            M::translate(0.0, adj).mul(&run.tm)
                                        } else {
                                            M::translate(adj * run.gs.th, 0.0).mul(&run.tm)
                                        };
                                    }
                                }
                            }
                        }
                    }
                }
                b"Do" if !a.is_empty() => {
                    if let Ok(name) = a[0].as_name() {
                        self.do_xobject(run, res, name, depth);
                        if self.timed_out || run.op_limit_hit {
                            return;
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn do_xobject(&mut self, run: &mut Run, res: &[&Dictionary], name: &[u8], depth: usize) {
        if depth + 1 > self.limits.max_xobject_depth {
            run.warnings
                .push("form xobjects nested too deeply; inner content skipped".into());
            return;
        }
        let doc = self.doc;
        let mut stream = None;
        for r in res {
            if let Some(Object::Dictionary(xo)) = dict_get(doc, r, b"XObject")
                && let Some(Object::Stream(s)) = dict_get(doc, xo, name)
            {
                stream = Some(s);
                break;
            }
        }
        let Some(s) = stream else { return };
        if !matches!(
            s.dict.get(b"Subtype").and_then(|o| o.as_name()),
            Ok(b"Form")
        ) {
            return;
        }
        self.run_form(run, s, res, depth);
    }

    /// Run a form XObject (its /Matrix on top of the current CTM, its /Resources before
    /// `res`), restoring the graphics and text state afterwards.
    fn run_form(&mut self, run: &mut Run, s: &lopdf::Stream, res: &[&Dictionary], depth: usize) {
        let doc = self.doc;
        let budget = self
            .limits
            .max_decompressed_bytes
            .saturating_sub(self.decompressed);
        let data = match s.get_plain_content_with_limit(budget) {
            Ok(d) => {
                self.decompressed += d.len();
                d
            }
            Err(e) => {
                run.warnings
                    .push(format!("form xobject could not be decoded: {e}"));
                return;
            }
        };
        let saved = (run.gs.clone(), run.tm, run.tlm, run.stack.len());
        if let Ok(Object::Array(m)) = s.dict.get(b"Matrix")
            && m.len() == 6
        {
            run.gs.ctm = matrix(m).mul(&run.gs.ctm);
        }
        let mut inner: Vec<&Dictionary> = Vec::with_capacity(res.len() + 1);
        if let Some(Object::Dictionary(r)) = dict_get(doc, &s.dict, b"Resources") {
            inner.push(r);
        }
        inner.extend_from_slice(res);
        self.run_stream(&data, &inner, run, depth + 1);
        run.gs = saved.0;
        run.tm = saved.1;
        run.tlm = saved.2;
        run.stack.truncate(saved.3);
    }

    /// Text of the page's form fields (widgets) and free-text annotations, as viewers and
    /// pdftotext show them: each one's normal appearance stream is run as a form placed at its
    /// /Rect. Without an appearance, a field's value (/V, inherited from parent fields) or a
    /// free-text note's /Contents is set as lines at the top of the /Rect. Hidden ones are
    /// skipped.
    fn annotations(&mut self, page_id: ObjectId, page_res: &[&Dictionary], run: &mut Run) {
        let doc = self.doc;
        let Ok(page) = doc.get_dictionary(page_id) else {
            return;
        };
        let annots = match page.get(b"Annots").map(|o| deref_obj(doc, o)) {
            Ok(Object::Array(a)) => a,
            _ => return,
        };
        // The form's default resources (fonts named by widget appearances and /DA).
        let acro_dr = doc
            .catalog()
            .ok()
            .and_then(|c| dict_get(doc, c, b"AcroForm"))
            .and_then(|a| match a {
                Object::Dictionary(d) => dict_get(doc, d, b"DR"),
                _ => None,
            })
            .and_then(|o| o.as_dict().ok());
        let mut res: Vec<&Dictionary> = page_res.to_vec();
        if let Some(dr) = acro_dr {
            res.push(dr);
        }
        for a in annots.iter().take(2000) {
            let Object::Dictionary(ad) = deref_obj(doc, a) else {
                continue;
            };
            let subtype = ad.get(b"Subtype").and_then(|o| o.as_name()).unwrap_or(b"");
            if subtype != b"Widget" && subtype != b"FreeText" {
                continue;
            }
            let flags = dict_get(doc, ad, b"F").and_then(obj_num).unwrap_or(0.0) as i64;
            if flags & (2 | 32) != 0 {
                continue;
            }
            let Some(rect) = dict_get(doc, ad, b"Rect").and_then(rect_of) else {
                continue;
            };
            let saved = (run.gs.clone(), run.tm, run.tlm);
            run.gs = GState::new(M::ID);
            match appearance(doc, ad) {
                Some(ap) => {
                    let bbox = dict_get(doc, &ap.dict, b"BBox")
                        .and_then(rect_of)
                        .unwrap_or(rect);
                    let fm = match dict_get(doc, &ap.dict, b"Matrix") {
                        Some(Object::Array(m)) if m.len() == 6 => matrix(m),
                        _ => M::ID,
                    };
                    // Per the spec: the BBox through the form matrix, fitted onto the Rect.
                    let (x0, y0, x1, y1) = transformed_box(&fm, bbox);
                    let (sx, sy) = (
                        (rect[2] - rect[0]) / (x1 - x0),
                        (rect[3] - rect[1]) / (y1 - y0),
                    );
                    if sx.is_finite() && sy.is_finite() && sx != 0.0 && sy != 0.0 {
                        run.gs.ctm = M([sx, 0.0, 0.0, sy, rect[0] - sx * x0, rect[1] - sy * y0]);
                        self.run_form(run, ap, &res, 0);
                    }
                }
                None => {
                    let text = if subtype == b"FreeText" {
                        string_of(doc, ad.get(b"Contents").ok())
                    } else {
                        field_value(doc, ad)
                    };
                    if let Some(t) = text {
                        self.plain_text(run, &t, rect);
                    }
                }
            }
            (run.gs, run.tm, run.tlm) = saved;
            if self.timed_out || run.op_limit_hit {
                return;
            }
        }
    }

    /// Lines of text at the top left of a rectangle (an annotation without appearance).
    fn plain_text(&mut self, run: &mut Run, text: &str, rect: [f32; 4]) {
        let size = ((rect[3] - rect[1]) * 0.7).clamp(4.0, 12.0);
        let mut y = rect[3] - size;
        for line in text.lines().take(200) {
            let mut x = rect[0] + 2.0;
            for w in line.split_whitespace() {
                let wlen = w.chars().count() as f32 * 0.5 * size;
                if run.out.len() < MAX_GLYPHS_PER_PAGE {
                    let mut t = String::new();
                    clean_glyph_text(w, &mut t);
                    run.out.push(Glyph {
                        text: t,
                        x0: x,
                        y0: y,
                        x1: x + wlen,
                        y1: y,
                        size,
                        font: u32::MAX,
                        bold: false,
                        is_space: false,
                        space_w: 0.25 * size,
                    });
                }
                x += wlen + 0.25 * size;
            }
            y -= 1.2 * size;
        }
    }

    fn show(&mut self, run: &mut Run, bytes: &[u8], dec: &mut Vec<DecodedGlyph>) {
        let Some((fid, font)) = run.gs.font.clone() else {
            return;
        };
        dec.clear();
        font.decode(bytes, dec);
        let gs = &run.gs;
        let size = gs.size;
        // Text space → page space, and the em height in page space.
        let space_w_text = font.space_width();
        for g in dec.iter() {
            let trm = run.tm.mul(&gs.ctm);
            let (x0, y0) = trm.apply(0.0, gs.rise);
            let glyph_w = g.width * size * gs.th;
            let (x1, y1) = if font.vertical {
                trm.apply(0.0, gs.rise - size)
            } else {
                trm.apply(glyph_w, gs.rise)
            };
            // Em height: length of the transformed (0, size) vector.
            let (hx, hy) = (trm.0[2] * size, trm.0[3] * size);
            let mut em = (hx * hx + hy * hy).sqrt();
            em *= font.em_scale;
            let scale_x = (trm.0[0] * trm.0[0] + trm.0[1] * trm.0[1]).sqrt();
            let sw = space_w_text
                .map(|w| w * size * gs.th * scale_x)
                .unwrap_or(0.0);
            if g.unmapped {
                self.unmapped += 1;
                if self.unmapped_fonts.len() < 8 && !self.unmapped_fonts.contains(&font.name) {
                    self.unmapped_fonts.push(font.name.clone());
                }
            } else if gs.render != 7 && em > 0.0 && em.is_finite() {
                let mut text = String::new();
                clean_glyph_text(&g.text, &mut text);
                if !text.is_empty() && run.out.len() < MAX_GLYPHS_PER_PAGE {
                    let is_space = text.chars().all(|c| c == ' ');
                    run.out.push(Glyph {
                        text: if is_space { " ".into() } else { text },
                        x0,
                        y0,
                        x1,
                        y1,
                        size: em,
                        font: fid,
                        bold: font.bold,
                        is_space,
                        space_w: sw,
                    });
                }
            }
            // Advance.
            let ws = if g.word_space { gs.tw } else { 0.0 };
            if font.vertical {
                let ty = -(g.width * size) + gs.tc + ws;
                run.tm = M::translate(0.0, ty).mul(&run.tm);
            } else {
                let tx = (g.width * size + gs.tc + ws) * gs.th;
                run.tm = M::translate(tx, 0.0).mul(&run.tm);
            }
        }
    }
}

fn next_line(run: &mut Run) {
    run.tlm = M::translate(0.0, -run.gs.tl).mul(&run.tlm);
    run.tm = run.tlm;
}

/// Concatenated, decoded content streams of a page.
/// A byte limit in MiB, rounded up (for messages).
pub fn limit_mib(bytes: usize) -> usize {
    bytes.div_ceil(1024 * 1024)
}

/// The marker error of a content stream cut at the decompression limit.
pub(super) const LIMIT_HIT: &str = "decompression limit";

/// The first `limit` bytes of a stream whose only filter is FlateDecode (None for other
/// filters or when nothing can be inflated).
fn inflate_prefix(s: &lopdf::Stream, limit: usize) -> Option<Vec<u8>> {
    use std::io::Read;
    let flate = match s.dict.get(b"Filter").ok()? {
        Object::Name(n) => n.as_slice() == b"FlateDecode",
        Object::Array(a) => {
            a.len() == 1 && matches!(&a[0], Object::Name(n) if n.as_slice() == b"FlateDecode")
        }
        _ => false,
    };
    if !flate || s.dict.get(b"DecodeParms").is_ok() {
        return None;
    }
    let mut out = Vec::new();
    let mut dec = flate2::read::ZlibDecoder::new(s.content.as_slice()).take(limit as u64);
    // A read error part-way (a damaged tail) still leaves what was inflated before it.
    let _ = dec.read_to_end(&mut out);
    (!out.is_empty()).then_some(out)
}

/// A page's content streams, concatenated into `out`. On the decompression limit: Err(LIMIT_HIT)
/// with the content read before it left in `out`.
fn page_content_into(
    doc: &Document,
    page_id: ObjectId,
    limit: usize,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    let page = doc
        .get_dictionary(page_id)
        .map_err(|e| format!("page object unreadable: {e}"))?;
    let contents = match page.get(b"Contents") {
        Ok(o) => o,
        Err(_) => return Ok(()),
    };
    let mut ids: Vec<&Object> = Vec::new();
    match contents {
        Object::Array(a) => ids.extend(a.iter()),
        o => match doc.dereference(o) {
            Ok((_, Object::Array(a))) => ids.extend(a.iter()),
            _ => ids.push(o),
        },
    }
    for o in ids {
        let s = match doc.dereference(o) {
            Ok((_, Object::Stream(s))) => s,
            _ => continue,
        };
        match s.get_plain_content_with_limit(limit.saturating_sub(out.len())) {
            Ok(d) => {
                out.extend_from_slice(&d);
                out.push(b'\n');
            }
            Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded {
                ..
            })) => {
                // Keep what the stream holds before the limit (a Flate stream is inflated up to
                // it); the caller reports the limit.
                if let Some(d) = inflate_prefix(s, limit.saturating_sub(out.len())) {
                    out.extend_from_slice(&d);
                }
                return Err(LIMIT_HIT.to_string());
            }
            Err(e) => return Err(format!("content stream could not be decoded: {e}")),
        }
    }
    Ok(())
}

/// A page's dictionary, then its ancestors in the page tree (for inherited attributes). The
/// walk stops after 65 dictionaries, so a `/Parent` cycle cannot loop.
pub(super) fn page_and_ancestors(
    doc: &Document,
    page_id: ObjectId,
) -> impl Iterator<Item = &Dictionary> {
    std::iter::successors(doc.get_dictionary(page_id).ok(), |d| {
        match d.get(b"Parent") {
            Ok(Object::Reference(id)) => doc.get_dictionary(*id).ok(),
            _ => None,
        }
    })
    .take(65)
}

fn deref_obj<'d>(doc: &'d Document, o: &'d Object) -> &'d Object {
    match o {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(o),
        o => o,
    }
}

/// A rectangle [x0 y0 x1 y1], normalised; None when degenerate.
fn rect_of(o: &Object) -> Option<[f32; 4]> {
    let Object::Array(a) = o else { return None };
    if a.len() != 4 {
        return None;
    }
    let v: Vec<f32> = a.iter().map(|o| obj_num(o).unwrap_or(f32::NAN)).collect();
    let r = [
        v[0].min(v[2]),
        v[1].min(v[3]),
        v[0].max(v[2]),
        v[1].max(v[3]),
    ];
    (r.iter().all(|x| x.is_finite()) && r[2] > r[0] && r[3] > r[1]).then_some(r)
}

fn transformed_box(m: &M, b: [f32; 4]) -> (f32, f32, f32, f32) {
    let pts = [
        m.apply(b[0], b[1]),
        m.apply(b[2], b[1]),
        m.apply(b[0], b[3]),
        m.apply(b[2], b[3]),
    ];
    let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for (x, y) in pts {
        x0 = x0.min(x);
        y0 = y0.min(y);
        x1 = x1.max(x);
        y1 = y1.max(y);
    }
    (x0, y0, x1, y1)
}

/// The normal appearance of an annotation: /AP /N, a stream or (checkboxes, radio buttons)
/// a dictionary of states chosen by /AS.
fn appearance<'d>(doc: &'d Document, ad: &'d Dictionary) -> Option<&'d lopdf::Stream> {
    let Object::Dictionary(ap) = dict_get(doc, ad, b"AP")? else {
        return None;
    };
    match dict_get(doc, ap, b"N")? {
        Object::Stream(s) => Some(s),
        Object::Dictionary(states) => {
            let state = ad.get(b"AS").and_then(|o| o.as_name()).ok()?;
            match dict_get(doc, states, state)? {
                Object::Stream(s) => Some(s),
                _ => None,
            }
        }
        _ => None,
    }
}

fn string_of(doc: &Document, o: Option<&Object>) -> Option<String> {
    match deref_obj(doc, o?) {
        Object::String(b, _) => {
            let t = super::encoding::decode_text_string(b);
            (!t.trim().is_empty()).then_some(t)
        }
        _ => None,
    }
}

/// A text or choice field's value, inherited through /Parent.
fn field_value(doc: &Document, ad: &Dictionary) -> Option<String> {
    let mut d = ad;
    for _ in 0..32 {
        if let Ok(v) = d.get(b"V") {
            return match deref_obj(doc, v) {
                Object::Array(items) => {
                    let parts: Vec<String> = items
                        .iter()
                        .filter_map(|o| string_of(doc, Some(o)))
                        .collect();
                    (!parts.is_empty()).then(|| parts.join("\n"))
                }
                o => string_of(doc, Some(o)),
            };
        }
        match d.get(b"Parent").map(|o| deref_obj(doc, o)) {
            Ok(Object::Dictionary(p)) => d = p,
            _ => return None,
        }
    }
    None
}

/// Page resources with inheritance from the page tree (nearest first).
fn page_resources(doc: &Document, page_id: ObjectId) -> Vec<Dictionary> {
    page_and_ancestors(doc, page_id)
        .filter_map(|d| match dict_get(doc, d, b"Resources") {
            Some(Object::Dictionary(r)) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use lopdf::{Document, Object, Stream, dictionary};

    use crate::extract::pdf::{PdfLimits, extract_pdf};

    /// A page with body text, a free-text note with an appearance stream, a filled text field
    /// without appearance (its value on the parent field), and a hidden field.
    fn annotated_pdf() -> Vec<u8> {
        let mut doc = Document::with_version("1.7");
        let pages_id = doc.new_object_id();
        let helv = doc.add_object(
            dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding" },
        );
        let body = doc.add_object(Stream::new(
            dictionary! {},
            b"BT /F1 11 Tf 72 760 Td (Br\\370dteksten p\\345 siden.) Tj ET".to_vec(),
        ));
        let ap = doc.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Form",
                "BBox" => vec![0.into(), 0.into(), 400.into(), 40.into()],
                "Resources" => dictionary! { "Font" => dictionary! { "Helv" => helv } },
            },
            b"BT /Helv 12 Tf 4 24 Td (Merknad fra saksbehandler) Tj 0 -14 Td (om fristen) Tj ET"
                .to_vec(),
        ));
        let parent = doc.add_object(dictionary! {
            "FT" => "Tx", "T" => "kommune",
            "V" => Object::string_literal("Straumsnes kommune"),
        });
        let page = doc.new_object_id();
        let free = dictionary! {
            "Type" => "Annot", "Subtype" => "FreeText", "F" => 4,
            "Rect" => vec![100.into(), 600.into(), 300.into(), 620.into()],
            "Contents" => Object::string_literal("Merknad fra saksbehandler om fristen"),
            "AP" => dictionary! { "N" => ap },
        };
        let field = dictionary! {
            "Type" => "Annot", "Subtype" => "Widget", "Parent" => parent,
            "Rect" => vec![100.into(), 500.into(), 300.into(), 520.into()],
        };
        let hidden = dictionary! {
            "Type" => "Annot", "Subtype" => "Widget", "FT" => "Tx", "F" => 2,
            "V" => Object::string_literal("Skjult verdi"),
            "Rect" => vec![100.into(), 400.into(), 300.into(), 420.into()],
        };
        doc.objects.insert(
            page,
            Object::Dictionary(dictionary! {
                "Type" => "Page", "Parent" => pages_id, "Contents" => body,
                "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
                "Resources" => dictionary! { "Font" => dictionary! { "F1" => helv } },
                "Annots" => vec![Object::Dictionary(free), Object::Dictionary(field), Object::Dictionary(hidden)],
            }),
        );
        doc.objects.insert(
            pages_id,
            Object::Dictionary(
                dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
            ),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    #[test]
    fn form_fields_and_free_text_are_page_text() {
        let d = extract_pdf(&annotated_pdf(), "annots", &PdfLimits::default()).unwrap();
        let text: String = d
            .sections
            .iter()
            .map(|s| format!("{} {}\n", s.heading.clone().unwrap_or_default(), s.text))
            .collect();
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains("Brødteksten på siden."), "{flat}");
        assert!(flat.contains("Merknad fra saksbehandler"), "{flat}");
        assert!(flat.contains("om fristen"), "{flat}");
        assert!(flat.contains("Straumsnes kommune"), "{flat}");
        assert!(!flat.contains("Skjult"), "{flat}");
    }
}
