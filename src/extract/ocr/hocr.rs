//! Reads Tesseract's hOCR: text lines with their box, baseline and size, and their words with
//! boxes and confidences (pixels, y down).

use scraper::{ElementRef, Html, Selector};

#[derive(Debug, Clone, PartialEq)]
pub struct OcrWord {
    pub text: String,
    /// Tesseract's word confidence, 0–100.
    pub conf: f32,
    /// [x0, y0, x1, y1], pixels, y down.
    pub bbox: [f32; 4],
}

#[derive(Debug, Clone, PartialEq)]
pub struct OcrLine {
    pub bbox: [f32; 4],
    /// Baseline as (slope, offset): y = bbox.y1 + offset + slope · (x − bbox.x0).
    pub baseline: (f32, f32),
    /// Tesseract's estimate of the line's text size in pixels (x_size).
    pub size: f32,
    pub words: Vec<OcrWord>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct OcrPage {
    pub width: u32,
    pub height: u32,
    pub lines: Vec<OcrLine>,
}

impl OcrLine {
    /// The baseline's y at `x`.
    pub fn baseline_at(&self, x: f32) -> f32 {
        self.bbox[3] + self.baseline.1 + self.baseline.0 * (x - self.bbox[0])
    }
}

/// The `key v1 v2 …` numbers of an hOCR `title` attribute.
fn prop(title: &str, key: &str) -> Option<Vec<f32>> {
    title.split(';').find_map(|part| {
        let mut it = part.split_whitespace();
        (it.next()? == key).then(|| it.filter_map(|v| v.parse::<f32>().ok()).collect())
    })
}

fn bbox(title: &str) -> Option<[f32; 4]> {
    match prop(title, "bbox")?.as_slice() {
        &[a, b, c, d] if c >= a && d >= b => Some([a, b, c, d]),
        _ => None,
    }
}

/// Parses hOCR. Unknown or malformed parts are skipped; never fails.
pub fn parse(hocr: &str) -> OcrPage {
    let doc = Html::parse_document(hocr);
    let sel = |s: &str| Selector::parse(s).expect("valid selector");
    let page_sel = sel(".ocr_page");
    let line_sel = sel(".ocr_line, .ocr_header, .ocr_caption, .ocr_textfloat");
    let word_sel = sel(".ocrx_word");
    let mut page = OcrPage::default();
    if let Some(p) = doc.select(&page_sel).next()
        && let Some(b) = p.attr("title").and_then(bbox)
    {
        page.width = (b[2] - b[0]).max(0.0) as u32;
        page.height = (b[3] - b[1]).max(0.0) as u32;
    }
    for line in doc.select(&line_sel) {
        let title = line.attr("title").unwrap_or("");
        let Some(lb) = bbox(title) else { continue };
        let baseline = match prop(title, "baseline").as_deref() {
            Some(&[slope, offset]) if slope.is_finite() && offset.is_finite() => (slope, offset),
            _ => (0.0, 0.0),
        };
        let size = prop(title, "x_size")
            .and_then(|v| v.first().copied())
            .filter(|s| s.is_finite() && *s > 0.0)
            .unwrap_or(lb[3] - lb[1]);
        let words: Vec<OcrWord> = line
            .select(&word_sel)
            .filter_map(|w: ElementRef| {
                let t = w.attr("title").unwrap_or("");
                let text: String = w.text().collect::<String>().trim().to_string();
                if text.is_empty() {
                    return None;
                }
                Some(OcrWord {
                    text,
                    conf: prop(t, "x_wconf")
                        .and_then(|v| v.first().copied())
                        .unwrap_or(0.0),
                    bbox: bbox(t)?,
                })
            })
            .collect();
        if words.is_empty() {
            continue;
        }
        page.lines.push(OcrLine {
            bbox: lb,
            baseline,
            size,
            words,
        });
    }
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en"><head><title></title></head>
<body>
  <div class='ocr_page' id='page_1' title='image "page.pgm"; bbox 0 0 1275 1650; ppageno 0; scan_res 150 150'>
   <div class='ocr_carea' id='block_1_1' title="bbox 150 140 900 200">
    <p class='ocr_par' id='par_1_1' lang='nor' title="bbox 150 140 900 200">
     <span class='ocr_header' id='line_1_1' title="bbox 150 140 600 170; baseline 0.002 -6; x_size 30; x_descenders 6; x_ascenders 8">
      <span class='ocrx_word' id='word_1_1' title='bbox 150 140 170 165; x_wconf 95'>1</span>
      <span class='ocrx_word' id='word_1_2' title='bbox 185 140 400 170; x_wconf 91'>Innledning</span>
     </span>
     <span class='ocr_line' id='line_1_2' title="bbox 150 180 900 200; baseline 0 -4; x_size 22">
      <span class='ocrx_word' id='word_1_3' title='bbox 150 180 300 200; x_wconf 88'>Kommunen</span>
      <span class='ocrx_word' id='word_1_4' title='bbox 310 180 400 200; x_wconf 90'>støtter</span>
      <span class='ocrx_word' id='word_1_5' title='bbox 410 180 420 200; x_wconf 90'> </span>
     </span>
    </p>
   </div>
  </div>
</body></html>"#;

    #[test]
    fn lines_words_and_geometry_are_read() {
        let p = parse(SAMPLE);
        assert_eq!((p.width, p.height), (1275, 1650));
        assert_eq!(p.lines.len(), 2);
        let l = &p.lines[0];
        assert_eq!(l.size, 30.0);
        assert_eq!(l.baseline, (0.002, -6.0));
        assert_eq!(l.baseline_at(150.0), 164.0);
        let words: Vec<&str> = p.lines[1].words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(words, ["Kommunen", "støtter"]);
        assert_eq!(p.lines[1].words[1].conf, 90.0);
        assert_eq!(p.lines[1].words[1].bbox, [310.0, 180.0, 400.0, 200.0]);
    }

    #[test]
    fn garbage_gives_an_empty_page() {
        assert_eq!(parse(""), OcrPage::default());
        assert_eq!(
            parse("<html><span class='ocr_line' title='bbox x'>a</span>"),
            OcrPage::default()
        );
        let p = parse(
            "<span class='ocr_line' title='bbox 1 2 3 4; baseline nan 1'><span class='ocrx_word' title='bbox 1 2 3 4'>ord</span></span>",
        );
        assert_eq!(p.lines.len(), 1);
        assert_eq!(p.lines[0].baseline, (0.0, 0.0));
    }
}
