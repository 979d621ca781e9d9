//! Tests of the whole PDF extraction on generated documents.

use lopdf::Object;

use super::*;

fn corpus() -> Option<std::path::PathBuf> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/pdf-corpus");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("SKIP: corpus not found at {}", p.display());
        None
    }
}

#[test]
fn not_pdf_and_garbage() {
    let l = PdfLimits::default();
    assert!(matches!(extract_pdf(b"", "x", &l), Err(PdfError::NotPdf)));
    assert!(matches!(
        extract_pdf(b"hello world", "x", &l),
        Err(PdfError::NotPdf)
    ));
    assert!(extract_pdf(b"%PDF-1.4\n garbage", "x", &l).is_err());
    assert_eq!(
        PdfError::NoTextLayer { pages: 3 }.to_string(),
        "no text layer: OCR needed (3 pages)"
    );
    // The pipeline retries versions that failed this way once OCR is available.
    for e in [
        PdfError::NoTextLayer { pages: 3 },
        PdfError::OcrUnavailable {
            pages: 1,
            reason: "tesseract not found".into(),
        },
    ] {
        assert!(e.to_string().starts_with(crate::extract::ocr::OCR_NEEDED));
    }
}

/// A one-page PDF whose content stream (Flate) holds `before`, then `pad` bytes of
/// comment lines, then `after`.
fn bomb_pdf(before: &str, pad: usize, after: &str) -> Vec<u8> {
    use lopdf::{Stream, dictionary};
    use std::io::Write;
    let mut content = format!("BT /F1 12 Tf 72 700 Td ({before}) Tj ET\n").into_bytes();
    let line = b"% fyll fyll fyll fyll fyll fyll fyll fyll fyll fyll fyll fyll fyll\n";
    while content.len() < pad {
        content.extend_from_slice(line);
    }
    content.extend_from_slice(format!("BT /F1 12 Tf 72 600 Td ({after}) Tj ET\n").as_bytes());
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&content).unwrap();
    let packed = z.finish().unwrap();
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(
        dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" },
    );
    let contents = doc.add_object(Stream::new(
        dictionary! { "Filter" => "FlateDecode" },
        packed,
    ));
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => contents,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            lopdf::dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(lopdf::dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

#[test]
fn decompression_limit_is_named_and_keeps_the_text_before_it() {
    let limits = PdfLimits {
        max_decompressed_bytes: 1024 * 1024,
        ..PdfLimits::default()
    };
    let pdf = bomb_pdf("Teksten foran grensen", 3 * 1024 * 1024, "Teksten etter");
    let d = extract_pdf(&pdf, "bomb", &limits).unwrap();
    let text: String = d.sections.iter().map(|s| s.text.as_str()).collect();
    assert!(text.contains("Teksten foran grensen"), "{text:?}");
    assert!(!text.contains("etter"), "{text:?}");
    assert!(
        d.warnings
            .iter()
            .any(|w| w.contains("a stream exceeds the decompression limit of 1 MiB")),
        "{:?}",
        d.warnings
    );
    // Nothing before the limit: the error names the limit, not a missing text layer.
    let pdf = bomb_pdf("", 3 * 1024 * 1024, "Teksten etter");
    let e = extract_pdf(&pdf, "bomb", &limits).unwrap_err();
    assert_eq!(
        e.to_string(),
        "a stream exceeds the decompression limit of 1 MiB"
    );
    // Within the limit everything is read.
    let pdf = bomb_pdf("Foran", 1000, "Etter");
    let d = extract_pdf(&pdf, "small", &limits).unwrap();
    let text: String = d.sections.iter().map(|s| s.text.as_str()).collect();
    assert!(text.contains("Foran") && text.contains("Etter"), "{text:?}");
}

#[test]
fn corpus_own_files() {
    let Some(dir) = corpus() else { return };
    for name in [
        "own__nb-pdflatex-twocol",
        "own__nb-xelatex-onecol",
        "own__nb-chromium-twocol",
        "own__nb-libreoffice",
    ] {
        let bytes = std::fs::read(dir.join(format!("{name}.pdf"))).unwrap();
        let doc = extract_pdf(&bytes, name, &PdfLimits::default()).unwrap();
        let all: String = doc
            .sections
            .iter()
            .map(|s| {
                format!(
                    "{} {}\n{}\n",
                    s.number.clone().unwrap_or_default(),
                    s.heading.clone().unwrap_or_default(),
                    s.text
                )
            })
            .collect();
        assert!(all.contains("helse- og omsorgstjenesteloven"), "{name}");
        assert!(!all.contains("helseog"), "{name}");
        assert!(all.contains("Østlandet"), "{name}");
        assert!(
            doc.sections
                .iter()
                .any(|s| s.number.as_deref() == Some("6.2.1")),
            "{name}: {:?}",
            doc.sections
                .iter()
                .map(|s| (&s.number, &s.heading))
                .collect::<Vec<_>>()
        );
    }
}

#[test]
fn corpus_errors() {
    let Some(dir) = corpus() else { return };
    let l = PdfLimits::default();
    let r = extract_pdf(
        &std::fs::read(dir.join("plumb__password-example.pdf")).unwrap(),
        "p",
        &l,
    );
    assert!(matches!(r, Err(PdfError::Encrypted)), "{r:?}");
    let r = extract_pdf(
        &std::fs::read(dir.join("plumb__empty.pdf")).unwrap(),
        "e",
        &l,
    );
    assert!(matches!(r, Err(PdfError::NotPdf)), "{r:?}");
    let r = extract_pdf(
        &std::fs::read(dir.join("pysf__grayscale-image.pdf")).unwrap(),
        "g",
        &l,
    );
    // An image with no text: OCR finds none (or is not installed); never an empty document.
    assert!(
        matches!(
            r,
            Err(PdfError::NoTextLayer { pages: 1 }
                | PdfError::OcrUnavailable { pages: 1, .. }
                | PdfError::OcrFailed { pages: 1, .. })
        ),
        "{r:?}"
    );
}
