//! Arbitrary bytes into the PDF extractor: it must return text or an error, never panic, hang
//! or allocate without bound. Seed the corpus with real PDFs (see fuzz/README.md).
#![no_main]

use libfuzzer_sys::fuzz_target;
use samspor::extract::pdf::{PdfLimits, extract_pdf};

fuzz_target!(|data: &[u8]| {
    let limits = PdfLimits {
        max_decompressed_bytes: 16 * 1024 * 1024,
        max_pages: 50,
        time_budget: std::time::Duration::from_secs(2),
        ..PdfLimits::default()
    };
    let _ = extract_pdf(data, "fuzz.pdf", &limits);
});
