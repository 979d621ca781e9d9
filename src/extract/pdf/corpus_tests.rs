//! Tests on the real corpus in ../shared (skipped with a printed reason when it is absent).

use super::*;

/// Every corpus file ends with text or a clean error, within the time budget, and no
/// error message breaks the one-line, lowercase, no-period convention.
#[test]
fn every_corpus_file_ends_cleanly() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/pdf-corpus");
    let Ok(rd) = std::fs::read_dir(&dir) else {
        eprintln!("SKIP: corpus not found at {}", dir.display());
        return;
    };
    let limits = PdfLimits {
        time_budget: Duration::from_secs(30),
        ..PdfLimits::default()
    };
    let mut n = 0;
    for e in rd.flatten() {
        let p = e.path();
        if p.extension().is_none_or(|x| x != "pdf") {
            continue;
        }
        n += 1;
        let bytes = std::fs::read(&p).unwrap();
        match extract_pdf(&bytes, &p.display().to_string(), &limits) {
            Ok(d) => assert!(d.pages >= 1, "{}", p.display()),
            Err(e) => {
                let m = e.to_string();
                assert!(
                    !matches!(e, PdfError::Internal(_) | PdfError::TimeBudget),
                    "{}: {m}",
                    p.display()
                );
                assert!(
                    !m.contains('\n') && !m.ends_with('.'),
                    "{}: {m}",
                    p.display()
                );
            }
        }
    }
    assert!(n > 0);
}

#[test]
fn tiny_limits_degrade_gracefully() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/pdf-corpus");
    let Ok(bytes) = std::fs::read(dir.join("own__nb-xelatex-onecol.pdf")) else {
        eprintln!("SKIP: corpus not found at {}", dir.display());
        return;
    };
    let l = PdfLimits {
        max_pages: 1,
        ..PdfLimits::default()
    };
    let d = extract_pdf(&bytes, "x", &l).unwrap();
    assert_eq!(d.pages, 3);
    assert!(
        d.warnings
            .iter()
            .any(|w| w.contains("only the first 1 of 3 pages"))
    );
    let l = PdfLimits {
        max_ops_per_page: 50,
        ..PdfLimits::default()
    };
    let d = extract_pdf(&bytes, "x", &l).unwrap();
    assert!(d.warnings.iter().any(|w| w.contains("operators")));
    let l = PdfLimits {
        time_budget: Duration::ZERO,
        ..PdfLimits::default()
    };
    assert!(matches!(
        extract_pdf(&bytes, "x", &l),
        Err(PdfError::TimeBudget)
    ));
}
