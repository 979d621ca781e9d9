//! Content-stream interpreter: graphics and text state, Form XObjects, producing positioned
//! glyphs in page space.

use std::collections::HashMap;
use std::rc::Rc;
use std::time::Instant;

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId};

use super::PdfLimits;
use super::encoding::clean_glyph_text;
use super::font::{DecodedGlyph, Font, dict_get, obj_num};

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
        let gs = GState {
            ctm: M::ID,
            font: None,
            size: 0.0,
            tc: 0.0,
            tw: 0.0,
            th: 1.0,
            tl: 0.0,
            rise: 0.0,
            render: 0,
        };
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
        for op in Content::decode_iter(data) {
            let Ok(op) = op else {
                run.warnings
                    .push("content stream has a syntax error; rest of stream skipped".into());
                break;
            };
            run.ops += 1;
            if run.ops > self.limits.max_ops_per_page {
                run.op_limit_hit = true;
                return;
            }
            if run.ops.is_multiple_of(4096) && self.start.elapsed() > self.limits.time_budget {
                self.timed_out = true;
                return;
            }
            let a = &op.operands;
            match op.operator.as_str() {
                "q" if run.stack.len() < 256 => run.stack.push(run.gs.clone()),
                "Q" => {
                    if let Some(g) = run.stack.pop() {
                        run.gs = g;
                    }
                }
                "cm" if a.len() == 6 => {
                    run.gs.ctm = matrix(a).mul(&run.gs.ctm);
                }
                "BT" => {
                    run.tm = M::ID;
                    run.tlm = M::ID;
                }
                "ET" => {}
                "Tm" if a.len() == 6 => {
                    let m = matrix(a);
                    run.tm = m;
                    run.tlm = m;
                }
                "Td" if a.len() == 2 => {
                    run.tlm = M::translate(num(&a[0]), num(&a[1])).mul(&run.tlm);
                    run.tm = run.tlm;
                }
                "TD" if a.len() == 2 => {
                    run.gs.tl = -num(&a[1]);
                    run.tlm = M::translate(num(&a[0]), num(&a[1])).mul(&run.tlm);
                    run.tm = run.tlm;
                }
                "T*" => next_line(run),
                "TL" if a.len() == 1 => run.gs.tl = num(&a[0]),
                "Tc" if a.len() == 1 => run.gs.tc = num(&a[0]),
                "Tw" if a.len() == 1 => run.gs.tw = num(&a[0]),
                "Tz" if a.len() == 1 => run.gs.th = num(&a[0]) / 100.0,
                "Ts" if a.len() == 1 => run.gs.rise = num(&a[0]),
                "Tr" if a.len() == 1 => run.gs.render = obj_num(&a[0]).unwrap_or(0.0) as i64,
                "Tf" if a.len() == 2 => {
                    run.gs.size = num(&a[1]);
                    run.gs.font = a[0].as_name().ok().and_then(|n| self.font_for(res, n));
                    if run.gs.font.is_none() {
                        run.warnings.push(format!(
                            "font {} not found in resources",
                            String::from_utf8_lossy(a[0].as_name().unwrap_or(b"?"))
                        ));
                    }
                }
                "Tj" if !a.is_empty() => {
                    if let Object::String(s, _) = &a[0] {
                        self.show(run, s, &mut dec);
                    }
                }
                "'" if !a.is_empty() => {
                    next_line(run);
                    if let Object::String(s, _) = &a[0] {
                        self.show(run, s, &mut dec);
                    }
                }
                "\"" if a.len() == 3 => {
                    run.gs.tw = num(&a[0]);
                    run.gs.tc = num(&a[1]);
                    next_line(run);
                    if let Object::String(s, _) = &a[2] {
                        self.show(run, s, &mut dec);
                    }
                }
                "TJ" if !a.is_empty() => {
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
                "Do" if !a.is_empty() => {
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
            if font.fm_y != 0.001 {
                em *= font.fm_y * 1000.0;
            }
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

/// Page resources with inheritance from the page tree (nearest first).
fn page_resources(doc: &Document, page_id: ObjectId) -> Vec<Dictionary> {
    page_and_ancestors(doc, page_id)
        .filter_map(|d| match dict_get(doc, d, b"Resources") {
            Some(Object::Dictionary(r)) => Some(r.clone()),
            _ => None,
        })
        .collect()
}
