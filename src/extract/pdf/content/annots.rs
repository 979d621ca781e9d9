//! Form fields and free-text annotations: their appearance streams run as forms placed at their
//! rectangles, or their values set as plain lines.

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::streams::deref_obj;
use super::{GState, Glyph, Interp, M, MAX_GLYPHS_PER_PAGE, Run, matrix};
use crate::extract::pdf::encoding::{clean_glyph_text, decode_text_string};
use crate::extract::pdf::font::{dict_get, obj_num};

impl Interp<'_> {
    /// Text of the page's form fields (widgets) and free-text annotations, as viewers and
    /// pdftotext show them: each one's normal appearance stream is run as a form placed at its
    /// /Rect. Without an appearance, a field's value (/V, inherited from parent fields) or a
    /// free-text note's /Contents is set as lines at the top of the /Rect. Hidden ones are
    /// skipped.
    pub(super) fn annotations(
        &mut self,
        page_id: ObjectId,
        page_res: &[&Dictionary],
        run: &mut Run,
    ) {
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
            let t = decode_text_string(b);
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
