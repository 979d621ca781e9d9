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

mod annots;
mod streams;

use streams::{LIMIT_HIT, page_content_into, page_resources};
pub(super) use streams::{limit_mib, page_and_ancestors};

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
