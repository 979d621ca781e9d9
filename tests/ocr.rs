//! OCR through the real binary: scanned PDFs become searchable sections marked as OCR'd; where
//! Tesseract is missing the error names the packages. Tests that need Tesseract with its
//! Norwegian data skip with a printed reason when it is absent; the others use a stand-in
//! Tesseract (a shell script) to test the time limit and bad output without it.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::{fixture, write_config};
use serde_json::Value;

fn samspor(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_samspor"));
    cmd.args(args).env_remove("RUST_LOG");
    for k in [
        "SAMSPOR_OCR",
        "SAMSPOR_TESSERACT",
        "SAMSPOR_OCR_MAX_PAGES",
        "SAMSPOR_OCR_PAGE_TIMEOUT_SECS",
    ] {
        cmd.env_remove(k);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run samspor")
}

fn json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "exit {:?}: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("json")
}

/// Tesseract with the `nor` data, or why not (printed by the caller as its skip reason).
fn tesseract() -> Result<(), String> {
    let out = Command::new("tesseract")
        .arg("--list-langs")
        .output()
        .map_err(|e| {
            format!("tesseract not found ({e}); install tesseract-ocr tesseract-ocr-nor")
        })?;
    let langs =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    if langs.lines().any(|l| l.trim() == "nor") {
        Ok(())
    } else {
        Err("tesseract has no 'nor' data; install tesseract-ocr-nor".into())
    }
}

macro_rules! need_tesseract {
    () => {
        if let Err(why) = tesseract() {
            eprintln!("SKIP: {why}");
            return;
        }
    };
}

fn ocr(name: &str) -> PathBuf {
    fixture(&format!("ocr/{name}"))
}

fn extract(path: &Path, env: &[(&str, &str)]) -> Output {
    samspor(
        &["extract", "--file", path.to_str().unwrap(), "--json"],
        env,
    )
}

fn all_text(doc: &Value) -> String {
    doc["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!(
                "{} {}\n{}\n",
                s["number"].as_str().unwrap_or(""),
                s["heading"].as_str().unwrap_or(""),
                s["text"].as_str().unwrap_or("")
            )
        })
        .collect()
}

fn numbers(doc: &Value) -> Vec<String> {
    doc["sections"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["number"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn a_black_and_white_scan_becomes_numbered_sections_marked_as_ocr() {
    need_tesseract!();
    // 150 dpi, 1 bit, Flate (img2pdf from a PNG), skewed 1°.
    let doc = json(&extract(&ocr("avtale-150-bw.pdf"), &[]));
    assert_eq!(doc["ocr_pages"], serde_json::json!([1]));
    assert_eq!(numbers(&doc), ["1", "2", "3", "3.1", "3.2", "4", "5"]);
    let text = all_text(&doc);
    assert!(
        text.contains("Helseføretaket skal varsle kommunen innan tjuefire timar"),
        "{text}"
    );
    assert!(text.contains("Bjørn Ødegård"), "{text}");
    let warnings = doc["warnings"].to_string();
    assert!(
        warnings.contains("page 1 has no text layer and was read by ocr"),
        "{warnings}"
    );
}

#[test]
fn ccitt_and_jpeg_scans_are_read_across_pages_with_footers_dropped() {
    need_tesseract!();
    // 300 dpi Group 4 fax (CCITTFaxDecode wrapped in a TIFF for Tesseract).
    let doc = json(&extract(&ocr("avtale-300-g4.pdf"), &[]));
    assert_eq!(numbers(&doc), ["1", "2", "3", "3.1", "3.2", "4", "5"]);
    // 150 dpi grey JPEG (DCTDecode handed over as is), two pages, skewed 2°.
    let doc = json(&extract(&ocr("horing-150-jpeg.pdf"), &[]));
    assert_eq!(doc["ocr_pages"], serde_json::json!([1, 2]));
    assert_eq!(numbers(&doc), ["1", "2", "2.1", "2.2", "2.3", "3", "4"]);
    let text = all_text(&doc);
    // The page footers ("Side 1") go like any other page's; de-hyphenation joins words that
    // groff broke, and the suspended hyphen stays.
    assert!(!text.contains("Side 1"), "{text}");
    assert!(
        text.contains("helse- og omsorgstjenesteloven § 6-2"),
        "{text}"
    );
    assert!(text.contains("felles kompetansetiltak"), "{text}");
    assert!(text.contains("Åse Kjærstad Bøe"), "{text}");
}

#[test]
fn only_pages_without_a_text_layer_are_ocrd() {
    need_tesseract!();
    // Two typeset pages, then a scanned appendix.
    let doc = json(&extract(&ocr("mixed.pdf"), &[]));
    assert_eq!(doc["pages"], 3);
    assert_eq!(doc["ocr_pages"], serde_json::json!([3]));
    let sections = doc["sections"].as_array().unwrap();
    let s21 = sections.iter().find(|s| s["number"] == "2.1").unwrap();
    assert_eq!(s21["page_start"], 1);
    assert!(all_text(&doc).contains("Usemje om forståinga av avtalen"));
}

#[test]
fn without_tesseract_the_error_names_the_packages() {
    let out = extract(
        &ocr("avtale-150-bw.pdf"),
        &[("SAMSPOR_TESSERACT", "/finst/ikkje/tesseract")],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no text layer: OCR needed (1 pages)"), "{err}");
    assert!(err.contains("tesseract not found"), "{err}");
    assert!(
        err.contains("apt-get install tesseract-ocr tesseract-ocr-nor"),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    // A document with text pages keeps them and says which pages were not read.
    let doc = json(&extract(
        &ocr("mixed.pdf"),
        &[("SAMSPOR_TESSERACT", "/finst/ikkje/tesseract")],
    ));
    assert_eq!(doc["ocr_pages"], serde_json::json!([]));
    let warnings = doc["warnings"].to_string();
    assert!(
        warnings.contains("page 3 has no text layer and was not read: tesseract not found"),
        "{warnings}"
    );
    // OCR turned off: the old error.
    let out = extract(&ocr("avtale-150-bw.pdf"), &[("SAMSPOR_OCR", "off")]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.trim_end()
            .ends_with("no text layer: OCR needed (1 pages)"),
        "{err}"
    );
}

/// A stand-in Tesseract: answers --version and --list-langs, then does `body` for a page.
fn fake_tesseract(dir: &Path, body: &str) -> PathBuf {
    let path = dir.join("tesseract");
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\ncase \"$1\" in\n  --version) echo 'tesseract 0.0 (stand-in)';;\n  --list-langs) printf 'List of available languages (1):\\nnor\\n';;\n  *) {body};;\nesac\n"
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    path
}

#[test]
fn a_page_that_takes_too_long_is_killed_and_fails_alone() {
    let dir = tempfile::tempdir().unwrap();
    let slow = fake_tesseract(dir.path(), "sleep 30");
    let started = Instant::now();
    let out = extract(
        &ocr("avtale-150-bw.pdf"),
        &[
            ("SAMSPOR_TESSERACT", slow.to_str().unwrap()),
            ("SAMSPOR_OCR_PAGE_TIMEOUT_SECS", "1"),
        ],
    );
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "no text layer and ocr found no text (1 pages): page 1: ocr timed out after 1 s"
        ),
        "{err}"
    );
    // Broken output: the page fails with a diagnostic, never a panic or an empty document.
    let broken = fake_tesseract(
        dir.path(),
        "printf '<html><span class=ocr_line' > \"$2.hocr\"",
    );
    let out = extract(
        &ocr("avtale-150-bw.pdf"),
        &[("SAMSPOR_TESSERACT", broken.to_str().unwrap())],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("page 1: tesseract failed: no text recognised"),
        "{err}"
    );
    // In a document with text, the scanned page's failure is a warning.
    let doc = json(&extract(
        &ocr("mixed.pdf"),
        &[("SAMSPOR_TESSERACT", broken.to_str().unwrap())],
    ));
    assert!(
        doc["warnings"]
            .to_string()
            .contains("page 3: ocr failed: tesseract failed: no text recognised")
    );
}

#[test]
fn the_page_cap_leaves_a_warning() {
    need_tesseract!();
    let doc = json(&extract(
        &ocr("horing-150-jpeg.pdf"),
        &[("SAMSPOR_OCR_MAX_PAGES", "1")],
    ));
    assert_eq!(doc["ocr_pages"], serde_json::json!([1]));
    let warnings = doc["warnings"].to_string();
    assert!(
        warnings.contains(
            "page 2 has no text layer and was not read: ocr stops after 1 pages per document"
        ),
        "{warnings}"
    );
}

#[test]
fn ocrd_sections_are_searchable_and_marked_in_search_hits() {
    need_tesseract!();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        "retries = 0",
        &[(
            "skannet-avtale",
            "avtale",
            ocr("avtale-300-g4.pdf").to_str().unwrap(),
        )],
    );
    let index = dir.path().join("index");
    let base = [
        "--sources",
        config.to_str().unwrap(),
        "--index-dir",
        index.to_str().unwrap(),
    ];
    let run = samspor(&[&base[..], &["run"]].concat(), &[]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let hits = json(&samspor(
        &[
            &base[..],
            &["search", "varsle kommunen innan tjuefire timar", "--json"],
        ]
        .concat(),
        &[],
    ));
    let first = &hits["hits"][0];
    assert_eq!(first["source"], "skannet-avtale", "{hits}");
    assert_eq!(first["number"], "3.1", "{hits}");
    assert_eq!(first["ocr"], true, "{hits}");
}

#[test]
fn a_scan_that_failed_for_want_of_ocr_is_extracted_once_ocr_is_there() {
    need_tesseract!();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        "retries = 0",
        &[(
            "skannet-avtale",
            "avtale",
            ocr("avtale-150-bw.pdf").to_str().unwrap(),
        )],
    );
    let index = dir.path().join("index");
    let base = [
        "--sources",
        config.to_str().unwrap(),
        "--index-dir",
        index.to_str().unwrap(),
    ];
    let search = |env: &[(&str, &str)]| {
        json(&samspor(
            &[
                &base[..],
                &["search", "varsle kommunen innan tjuefire timar", "--json"],
            ]
            .concat(),
            env,
        ))
    };
    // First run: no Tesseract, so the version fails with the clear error.
    let missing = [("SAMSPOR_TESSERACT", "/finst/ikkje/tesseract")];
    let run = samspor(&[&base[..], &["run"]].concat(), &missing);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("no text layer: OCR needed"), "{err}");
    // Still missing: still failed, and still nothing to find.
    let run = samspor(&[&base[..], &["run"]].concat(), &missing);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("no text layer: OCR needed"), "{err}");
    assert_eq!(search(&missing)["total"], 0);
    // Tesseract installed: the same stored version is extracted and becomes searchable.
    let run = samspor(&[&base[..], &["run"]].concat(), &[]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let hits = search(&[]);
    assert_eq!(hits["hits"][0]["source"], "skannet-avtale", "{hits}");
    assert_eq!(hits["hits"][0]["ocr"], true, "{hits}");
}

#[test]
fn a_scan_that_does_not_fill_its_page_is_read_as_the_page_shows_it() {
    need_tesseract!();
    if Command::new("pdftoppm").arg("-v").output().is_err() {
        eprintln!("SKIP: pdftoppm not found (install poppler-utils): such pages are rendered");
        return;
    }
    // Stored sideways and turned upright by the image matrix: handed over as stored,
    // Tesseract read the lines across; the page is rendered instead.
    for name in ["placed-sideways.pdf", "placed-corner.pdf"] {
        let doc = json(&extract(&ocr(name), &[]));
        assert_eq!(doc["ocr_pages"], serde_json::json!([1]), "{name}");
        assert_eq!(numbers(&doc), ["1", "2", "3", "3.1"], "{name}: {doc}");
        let text = all_text(&doc);
        assert!(
            text.contains("Føremålet med avtalen er å sikre trygge overgangar"),
            "{name}: {text}"
        );
    }
}
