//! The image of a page, as a file Tesseract reads.
//!
//! A scanned page is one image drawn over the page. We hand it over without re-encoding where
//! Tesseract (leptonica) reads the format: DCTDecode is a JPEG file as is; CCITTFaxDecode gets
//! a TIFF header around the unchanged fax data; raw samples (FlateDecode, LZW, RunLength or
//! none, after the PDF's own filters and predictors) become a PNM (PBM for 1 bit, PGM for grey,
//! PPM for colour; palettes expanded, CMYK to grey). JBIG2 (no common reader takes its PDF
//! embedding), JPX, pages with several large images or none we can use are rendered whole by
//! `pdftoppm` when it is installed, else that page fails with an error naming poppler-utils.
//! The pixel limit is checked from the image dictionary before anything is decoded.
//!
//! Files: `objects` reads PDF dictionaries, `place` finds where the page draws its image,
//! `encode` turns PDF image data into files Tesseract reads (PNM, a TIFF around fax data),
//! `render` renders whole pages with pdftoppm, and `prepare` straightens skewed low-resolution
//! scans before Tesseract reads them.

mod encode;
mod objects;
mod place;
pub(crate) mod prepare;
mod render;

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::{OcrError, OcrSettings};
use encode::{ccitt_tiff, pnm};
use objects::{get, names, params};
use place::{covers_page, placement};
use render::{render, render_at};

/// An image file for Tesseract.
#[derive(Debug, Clone)]
pub struct PageImage {
    pub bytes: Vec<u8>,
    /// File extension Tesseract (leptonica) recognises: "jpg", "tif", "pnm".
    pub ext: &'static str,
    pub width: u32,
    pub height: u32,
    /// Pixels per inch on the page (from the page width), for Tesseract's `--dpi`.
    pub dpi: u32,
    /// How the image was obtained, for diagnostics: "jpeg", "ccitt", "flate", "render", ….
    pub kind: &'static str,
}

/// Where a page comes from: the document, its stored bytes (for rendering) and the page.
pub struct PageRef<'a> {
    pub doc: &'a Document,
    pub pdf: &'a [u8],
    pub id: ObjectId,
    /// 1-based page number.
    pub number: u32,
    /// Page width and height in points.
    pub size: (f32, f32),
    /// Lower-left corner of the page box in points (where an image covering the page starts).
    pub origin: (f32, f32),
    /// Largest size a decoded image stream may have.
    pub max_decoded: usize,
}

struct Candidate<'a> {
    id: ObjectId,
    dict: &'a Dictionary,
    content: &'a [u8],
    width: u64,
    height: u64,
}

/// The image XObjects in the page's resources.
fn page_images<'a>(doc: &'a Document, page: ObjectId) -> Vec<Candidate<'a>> {
    let mut out = Vec::new();
    let Ok(images) = doc.get_page_images(page) else {
        return out;
    };
    for im in images {
        out.push(Candidate {
            id: im.id,
            dict: im.origin_dict,
            content: im.content,
            width: im.width.max(0) as u64,
            height: im.height.max(0) as u64,
        });
    }
    out
}

/// Whether the page draws any XObject (an image, or a form that may hold one).
pub fn has_xobjects(doc: &Document, page: ObjectId) -> bool {
    !page_images(doc, page).is_empty()
        || doc.get_page_resources(page).is_ok_and(|(own, inherited)| {
            own.into_iter()
                .chain(inherited.iter().filter_map(|id| doc.get_dictionary(*id).ok()))
                .any(|r| matches!(get(doc, r, b"XObject"), Some(Object::Dictionary(x)) if !x.is_empty()))
        })
}

/// The page as an image Tesseract can read.
pub fn page_image(page: &PageRef, settings: &OcrSettings) -> Result<PageImage, OcrError> {
    let mut images = page_images(page.doc, page.id);
    images.sort_by_key(|c| std::cmp::Reverse(c.width.saturating_mul(c.height)));
    let Some(main) = images.first() else {
        return render(page, settings, "no image");
    };
    let area = main.width.saturating_mul(main.height);
    // Strips or layers (several images of similar size) only make sense drawn together.
    let several = images
        .iter()
        .skip(1)
        .any(|c| c.width.saturating_mul(c.height) * 4 >= area);
    if several {
        return render(page, settings, "several images");
    }
    // OCR'd words are placed on the page as if the image filled it: an image drawn smaller,
    // elsewhere, turned or mirrored is rendered as the page shows it instead.
    // It is rendered at the image's own resolution on the page (at least 150 dpi): a finer
    // rendering only interpolates, and interpolated scans read worse (measured in ocr_eval).
    if let Some(m) = placement(page, main.id)
        && !covers_page(m, page)
    {
        let square_inches = f64::from((m[0] * m[3] - m[1] * m[2]).abs()) / (72.0 * 72.0);
        let own = (area as f64 / square_inches.max(1e-6)).sqrt();
        let dpi = (own.round() as u32).clamp(150, settings.render_dpi.max(150));
        return render_at(page, settings, "image does not fill the page upright", dpi);
    }
    if area > settings.max_pixels {
        return Err(OcrError::TooLarge {
            width: main.width,
            height: main.height,
            max: settings.max_pixels / 1_000_000,
        });
    }
    if main.width == 0 || main.height == 0 {
        return Err(OcrError::Image("image of no pixels".into()));
    }
    let dpi = ((main.width as f32) / (page.size.0.max(1.0) / 72.0)).round() as u32;
    let filters = names(page.doc, main.dict.get(b"Filter").ok());
    let last = filters.last().map(Vec::as_slice);
    let codec = matches!(
        last,
        Some(b"DCTDecode" | b"CCITTFaxDecode" | b"JBIG2Decode" | b"JPXDecode")
    );
    // The generic filters before an image codec ([/FlateDecode /DCTDecode]) are undone first.
    let coded: Vec<u8> = if codec && filters.len() > 1 {
        let mut d = main.dict.clone();
        d.set(
            "Filter",
            Object::Array(
                filters[..filters.len() - 1]
                    .iter()
                    .map(|n| Object::Name(n.clone()))
                    .collect(),
            ),
        );
        lopdf::Stream::new(d, main.content.to_vec())
            .decompressed_content_with_limit(page.max_decoded)
            .map_err(|e| OcrError::Image(format!("cannot decode the image stream: {e}")))?
    } else {
        main.content.to_vec()
    };
    let (w, h) = (main.width as u32, main.height as u32);
    let image = |bytes, ext, kind| PageImage {
        bytes,
        ext,
        width: w,
        height: h,
        dpi,
        kind,
    };
    match last {
        Some(b"DCTDecode") => Ok(image(coded, "jpg", "jpeg")),
        Some(b"CCITTFaxDecode") => {
            let p = params(page.doc, main.dict, filters.len() - 1);
            Ok(image(
                ccitt_tiff(page.doc, main.dict, p, &coded, w, h)?,
                "tif",
                "ccitt",
            ))
        }
        Some(b"JBIG2Decode") => render(page, settings, "JBIG2 image"),
        Some(b"JPXDecode") => render(page, settings, "JPEG 2000 image"),
        _ => {
            let stream = lopdf::Stream::new(main.dict.clone(), main.content.to_vec());
            let samples = stream
                .decompressed_content_with_limit(page.max_decoded)
                .map_err(|e| match e {
                    lopdf::Error::Unimplemented(_) => OcrError::Image(format!(
                        "unsupported image filter {}",
                        filters
                            .iter()
                            .map(|f| String::from_utf8_lossy(f).into_owned())
                            .collect::<Vec<_>>()
                            .join(" ")
                    )),
                    e => OcrError::Image(format!("cannot decode the image stream: {e}")),
                });
            match samples.and_then(|s| pnm(page.doc, main.dict, &s, w, h)) {
                Ok(bytes) => Ok(image(bytes, "pnm", "flate")),
                Err(e) => render(page, settings, &e.to_string()),
            }
        }
    }
}

/// The matrix the page's own content stream draws image `image` with (`None` when it is drawn
/// from a form, or the content cannot be read).
#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{Stream, dictionary};

    /// A one-page PDF (500×700 pt) drawing one image XObject with `dict` and `data`.
    fn one_image(dict: Dictionary, data: Vec<u8>) -> Document {
        one_image_drawn(dict, data, "q 500 0 0 700 0 0 cm /Im0 Do Q")
    }

    /// The same, drawn by the content stream `ops`.
    fn one_image_drawn(dict: Dictionary, data: Vec<u8>, ops: &str) -> Document {
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let mut d = dict;
        d.set("Type", "XObject");
        d.set("Subtype", "Image");
        let image = doc.add_object(Stream::new(d, data));
        let content = doc.add_object(Stream::new(dictionary! {}, ops.as_bytes().to_vec()));
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content,
            "MediaBox" => vec![0.into(), 0.into(), 500.into(), 700.into()],
            "Resources" => dictionary! { "XObject" => dictionary! { "Im0" => image } },
        });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(
                dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
            ),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog);
        doc
    }

    fn image_of(doc: &Document, settings: &OcrSettings) -> Result<PageImage, OcrError> {
        let id = *doc.get_pages().values().next().unwrap();
        let mb: Vec<f32> = doc
            .get_dictionary(id)
            .unwrap()
            .get(b"MediaBox")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o.as_float().unwrap())
            .collect();
        let mut pdf = Vec::new();
        doc.clone().save_to(&mut pdf).unwrap();
        page_image(
            &PageRef {
                doc,
                pdf: &pdf,
                id,
                number: 1,
                size: (mb[2] - mb[0], mb[3] - mb[1]),
                origin: (mb[0], mb[1]),
                max_decoded: 64 << 20,
            },
            settings,
        )
    }

    fn no_pdftoppm() -> OcrSettings {
        OcrSettings {
            pdftoppm: "/finst/ikkje/pdftoppm".into(),
            ..OcrSettings::default()
        }
    }

    fn fixture(name: &str) -> Document {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        Document::load_mem(&std::fs::read(p).unwrap()).unwrap()
    }

    #[test]
    fn each_kind_of_scan_is_handed_over_in_a_format_tesseract_reads() {
        let s = no_pdftoppm();
        // img2pdf: 1-bit PNG → FlateDecode with PNG predictors → PBM.
        let im = image_of(&fixture("ocr/avtale-150-bw.pdf"), &s).unwrap();
        assert_eq!((im.kind, im.ext, im.dpi), ("flate", "pnm", 150));
        assert!(im.bytes.starts_with(b"P4\n1272 1779\n"));
        assert_eq!(im.bytes.len(), 13 + 1779 * 1272usize.div_ceil(8));
        // Mostly white paper: PBM 0 bits.
        let ones: u32 = im.bytes[13..].iter().map(|b| b.count_ones()).sum();
        assert!(ones * 8 < (im.bytes.len() as u32 - 13) * 8 / 4, "{ones}");
        // img2pdf: Group 4 TIFF → CCITTFaxDecode → TIFF again.
        let im = image_of(&fixture("ocr/avtale-300-g4.pdf"), &s).unwrap();
        assert_eq!((im.kind, im.ext, im.dpi), ("ccitt", "tif", 300));
        assert!(im.bytes.starts_with(b"II*\0"));
        // img2pdf: JPEG → DCTDecode, handed over unchanged.
        let im = image_of(&fixture("ocr/horing-150-jpeg.pdf"), &s).unwrap();
        assert_eq!((im.kind, im.ext), ("jpeg", "jpg"));
        assert!(im.bytes.starts_with(&[0xFF, 0xD8]));
        // Ghostscript pdfimage8: 8-bit grey Flate → PGM.
        let im = image_of(&fixture("pdf/scanned.pdf"), &s).unwrap();
        assert_eq!((im.kind, im.ext), ("flate", "pnm"));
        assert!(im.bytes.starts_with(b"P5\n1004 1417\n255\n"));
    }

    #[test]
    fn samples_become_pnm_by_colour_space_and_depth() {
        let s = no_pdftoppm();
        // 2×1 RGB, 8 bits.
        let doc = one_image(
            dictionary! { "Width" => 2, "Height" => 1, "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8 },
            vec![255, 0, 0, 0, 0, 255],
        );
        assert_eq!(
            image_of(&doc, &s).unwrap().bytes,
            b"P6\n2 1\n255\n\xff\0\0\0\0\xff"
        );
        // 4×1 grey, 2 bits, inverted by Decode.
        let doc = one_image(
            dictionary! { "Width" => 4, "Height" => 1, "ColorSpace" => "DeviceGray", "BitsPerComponent" => 2,
            "Decode" => vec![1.into(), 0.into()] },
            vec![0b00_01_10_11],
        );
        assert_eq!(
            image_of(&doc, &s).unwrap().bytes,
            b"P5\n4 1\n255\n\xff\xaa\x55\x00"
        );
        // Indexed over RGB, 1 bit per index.
        let doc = one_image(
            dictionary! { "Width" => 2, "Height" => 1, "BitsPerComponent" => 1,
            "ColorSpace" => vec!["Indexed".into(), "DeviceRGB".into(), 1.into(),
                Object::String(vec![10, 20, 30, 200, 210, 220], lopdf::StringFormat::Hexadecimal)] },
            vec![0b0100_0000],
        );
        assert_eq!(
            image_of(&doc, &s).unwrap().bytes,
            b"P6\n2 1\n255\n\x0a\x14\x1e\xc8\xd2\xdc"
        );
        // CMYK → grey.
        let doc = one_image(
            dictionary! { "Width" => 1, "Height" => 1, "ColorSpace" => "DeviceCMYK", "BitsPerComponent" => 8 },
            vec![0, 0, 0, 255],
        );
        assert_eq!(image_of(&doc, &s).unwrap().bytes, b"P5\n1 1\n255\n\0");
        // An image mask paints its 0 samples: PBM 1.
        let doc = one_image(
            dictionary! { "Width" => 8, "Height" => 1, "ImageMask" => true },
            vec![0b0000_1111],
        );
        assert_eq!(image_of(&doc, &s).unwrap().bytes, b"P4\n8 1\n\xf0");
    }

    #[test]
    fn an_image_not_filling_the_page_upright_is_rendered() {
        let grey = || {
            dictionary! { "Width" => 10, "Height" => 14, "BitsPerComponent" => 8,
            "ColorSpace" => "DeviceGray" }
        };
        let s = no_pdftoppm();
        for ops in [
            "q 500 0 0 700 0 0 cm /Im0 Do Q",
            "q 2 0 0 2 0 0 cm q 250 0 0 350 0 0 cm /Im0 Do Q Q",
            "q 510 0 0 710 -5 -5 cm /Im0 Do Q",
        ] {
            let im = image_of(&one_image_drawn(grey(), vec![0; 140], ops), &s).unwrap();
            assert_eq!(im.kind, "flate", "{ops}");
        }
        for ops in [
            // a quarter of the page, turned 90°, mirrored, drawn past the page
            "q 250 0 0 350 100 100 cm /Im0 Do Q",
            "0 700 -500 0 500 0 cm /Im0 Do",
            "q 500 0 0 -700 0 700 cm /Im0 Do Q",
            "q 1000 0 0 1400 0 -700 cm /Im0 Do Q",
        ] {
            let e = image_of(&one_image_drawn(grey(), vec![0; 140], ops), &s)
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("image does not fill the page upright"),
                "{ops}: {e}"
            );
        }
    }

    #[test]
    fn jbig2_huge_and_broken_images_fail_the_page_with_a_reason() {
        let s = no_pdftoppm();
        // JBIG2: rendered by pdftoppm; without it the page fails naming poppler-utils.
        let doc = one_image(
            dictionary! { "Width" => 100, "Height" => 100, "BitsPerComponent" => 1,
            "ColorSpace" => "DeviceGray", "Filter" => "JBIG2Decode" },
            vec![0; 16],
        );
        let e = image_of(&doc, &s).unwrap_err().to_string();
        assert!(e.contains("JBIG2 image: rendering the page needs pdftoppm (install the Debian package poppler-utils)"), "{e}");
        if std::process::Command::new("pdftoppm")
            .arg("-v")
            .output()
            .is_ok()
        {
            let im = image_of(&doc, &OcrSettings::default()).unwrap();
            assert_eq!((im.kind, im.ext), ("render", "pgm"));
            assert!(
                im.width > 1000 && im.bytes.starts_with(b"P5"),
                "{}",
                im.width
            );
        } else {
            eprintln!("SKIP: pdftoppm not found (poppler-utils): JBIG2 rendering not tested");
        }
        // Huge: refused from the dictionary, before any decoding.
        let doc = one_image(
            dictionary! { "Width" => 100_000, "Height" => 100_000, "BitsPerComponent" => 8,
            "ColorSpace" => "DeviceGray", "Filter" => "FlateDecode" },
            vec![1, 2, 3],
        );
        let e = image_of(&doc, &s).unwrap_err();
        assert!(
            matches!(e, OcrError::TooLarge { width: 100_000, .. }),
            "{e}"
        );
        // Broken: Flate that does not inflate, or too few samples.
        let doc = one_image(
            dictionary! { "Width" => 10, "Height" => 10, "BitsPerComponent" => 8,
            "ColorSpace" => "DeviceGray", "Filter" => "FlateDecode" },
            b"not zlib at all".to_vec(),
        );
        assert!(image_of(&doc, &s).is_err());
        let doc = one_image(
            dictionary! { "Width" => 10, "Height" => 10, "BitsPerComponent" => 8, "ColorSpace" => "DeviceGray" },
            vec![0; 50],
        );
        let e = image_of(&doc, &s).unwrap_err().to_string();
        assert!(e.contains("image data is short: 50 of 100 bytes"), "{e}");
    }

    #[test]
    fn the_ccitt_tiff_header_follows_the_pdf_parameters() {
        let doc = Document::with_version("1.5");
        let p = dictionary! { "K" => -1, "Columns" => 16, "BlackIs1" => true };
        let t = ccitt_tiff(&doc, &dictionary! {}, Some(&p), &[1, 2, 3], 16, 4).unwrap();
        let tag = |id: u16| {
            let n = u16::from_le_bytes([t[8], t[9]]) as usize;
            (0..n)
                .map(|k| &t[10 + 12 * k..22 + 12 * k])
                .find(|e| u16::from_le_bytes([e[0], e[1]]) == id)
                .map(|e| u32::from_le_bytes([e[8], e[9], e[10], e[11]]))
        };
        assert_eq!(tag(259), Some(4), "group 4");
        assert_eq!(tag(262), Some(1), "BlackIs1: black is zero");
        assert_eq!(tag(256), Some(16));
        let off = tag(273).unwrap() as usize;
        assert_eq!(&t[off..], &[1, 2, 3]);
        let p = dictionary! { "K" => 1, "Columns" => 16, "EncodedByteAlign" => true };
        let t2 = ccitt_tiff(&doc, &dictionary! {}, Some(&p), &[9], 16, 4).unwrap();
        assert_eq!(&t2[..4], b"II*\0");
        let p = dictionary! { "K" => -1, "Columns" => 17 };
        assert!(ccitt_tiff(&doc, &dictionary! {}, Some(&p), &[9], 16, 4).is_err());
    }
}
