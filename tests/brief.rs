//! Briefs end to end: the demo corpus through `run`, then `brief` in every format through the
//! real binary. Snapshots (insta) for Markdown and HTML; every quote checked against the
//! index; determinism; the Word file opened and inspected; escaping; "Nytt siden sist".

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use common::demo;

fn samspor(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_samspor"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("run samspor")
}

fn ok(output: Output) -> Vec<u8> {
    assert!(
        output.status.success(),
        "exit {:?}: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// The demo corpus indexed once for the tests that only read it.
fn demo_index() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("index");
        ok(samspor(&[
            "--sources",
            demo("sources.toml").to_str().unwrap(),
            "--index-dir",
            index.to_str().unwrap(),
            "run",
        ]));
        dir
    })
    .path()
}

fn brief(extra: &[&str]) -> Output {
    let index = demo_index().join("index");
    let sources = demo("sources.toml");
    let mut args = vec![
        "--sources",
        sources.to_str().unwrap(),
        "--index-dir",
        index.to_str().unwrap(),
        "brief",
        "--date",
        "2026-11-23",
    ];
    args.extend_from_slice(extra);
    samspor(&args)
}

/// Links carry the checkout's absolute path; snapshots must not.
fn portable(text: &str) -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    text.replace(&root.display().to_string(), "[REPO]")
}

#[test]
fn markdown_brief_snapshot() {
    let md = String::from_utf8(ok(brief(&["--all-themes", "--top", "3"]))).unwrap();
    insta::assert_snapshot!("brief_all_themes_md", portable(&md));
}

#[test]
fn html_brief_snapshot() {
    let html = String::from_utf8(ok(brief(&[
        "--theme",
        "fastlegekrise,felles-planlegging",
        "--top",
        "3",
        "--format",
        "html",
    ])))
    .unwrap();
    assert!(html.starts_with("<!DOCTYPE html><html lang=\"nb\">"));
    assert!(html.contains("break-before: page"), "print CSS");
    assert!(
        !html.contains("<link") && !html.contains("<script"),
        "self-contained"
    );
    insta::assert_snapshot!("brief_two_themes_html", portable(&html));
}

/// Every «quote» of a brief, with Markdown's backslash escapes undone.
fn quotes(markdown: &str) -> Vec<String> {
    let unescaped = {
        let mut out = String::new();
        let mut chars = markdown.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\\'
                && let Some(&next) = chars.peek()
            {
                out.push(next);
                chars.next();
                continue;
            }
            out.push(c);
        }
        out
    };
    let mut found = Vec::new();
    let mut rest = unescaped.as_str();
    while let Some(start) = rest.find('«') {
        let after = &rest[start + '«'.len_utf8()..];
        let Some(end) = after.find("»\n") else {
            break;
        };
        found.push(after[..end].to_string());
        rest = &after[end..];
    }
    found
}

#[test]
fn every_quote_is_verbatim_in_the_index() {
    let md = String::from_utf8(ok(brief(&["--all-themes", "--top", "5"]))).unwrap();
    let quoted = quotes(&md);
    assert!(
        quoted.len() >= 20,
        "a real brief quotes a lot: {}",
        quoted.len()
    );
    let index = samspor::index::SectionIndex::open(&demo_index().join("index")).unwrap();
    let texts: Vec<String> = index
        .all_sections()
        .unwrap()
        .into_iter()
        .flat_map(|s| [s.text, s.heading.unwrap_or_default()])
        .collect();
    for quote in &quoted {
        assert!(
            texts.iter().any(|t| t.contains(quote.as_str())),
            "not verbatim in any section: «{quote}»"
        );
    }
}

#[test]
fn the_same_index_and_date_give_the_same_bytes() {
    for format in ["md", "html"] {
        let a = ok(brief(&["--all-themes", "--format", format]));
        let b = ok(brief(&["--all-themes", "--format", format]));
        assert!(a == b, "{format} differs between two runs");
    }
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.docx"), dir.path().join("b.docx"));
    for path in [&a, &b] {
        ok(brief(&[
            "--all-themes",
            "--format",
            "docx",
            "--out",
            path.to_str().unwrap(),
        ]));
    }
    assert!(
        std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap(),
        "docx differs between two runs"
    );
}

fn zip_entry(path: &Path, name: &str) -> String {
    let file = std::fs::File::open(path).unwrap();
    let mut archive = zip::ZipArchive::new(file).expect("a zip file");
    let mut entry = archive.by_name(name).expect(name);
    let mut text = String::new();
    std::io::Read::read_to_string(&mut entry, &mut text).unwrap();
    text
}

#[test]
fn word_brief_has_real_headings_and_hyperlinks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notat.docx");
    ok(brief(&[
        "--theme",
        "fastlegekrise",
        "--format",
        "docx",
        "--out",
        path.to_str().unwrap(),
    ]));
    let document = zip_entry(&path, "word/document.xml");
    for style in ["Heading1", "Heading2", "Heading3"] {
        assert!(
            document.contains(&format!("<w:pStyle w:val=\"{style}\" />"))
                || document.contains(&format!("<w:pStyle w:val=\"{style}\"/>")),
            "{style} missing"
        );
    }
    assert!(document.contains("Hovedfunn") && document.contains("Fastlegekrise"));
    assert!(document.contains("<w:hyperlink r:id=\"rIdHyperlink1\""));
    let rels = zip_entry(&path, "word/_rels/document.xml.rels");
    assert!(
        rels.contains("TargetMode=\"External\"") && rels.contains("#page="),
        "{rels}"
    );
    let styles = zip_entry(&path, "word/styles.xml");
    assert!(styles.contains("Heading 1"));

    // LibreOffice, when present, opens it and renders the theme.
    if Command::new("soffice").arg("--version").output().is_err() {
        eprintln!("skipped: soffice (LibreOffice) is not installed");
        return;
    }
    let profile = dir.path().join("lo-profile");
    let status = Command::new("soffice")
        .args([
            &format!("-env:UserInstallation=file://{}", profile.display()),
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            dir.path().to_str().unwrap(),
            path.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    let pdf = std::fs::read(dir.path().join("notat.pdf")).unwrap();
    let doc = samspor::extract::pdf::extract_pdf(
        &pdf,
        "notat.pdf",
        &samspor::extract::pdf::PdfLimits::default(),
    )
    .unwrap();
    let text: String = doc
        .sections
        .iter()
        .map(|s| format!("{} {}\n", s.heading.clone().unwrap_or_default(), s.text))
        .collect();
    assert!(
        text.contains("Fastlegekrise") && text.contains("Hovedfunn"),
        "{text}"
    );
}

#[test]
fn unknown_themes_and_docx_to_stdout_are_usage_errors() {
    let output = brief(&["--theme", "fastlegekrisa"]);
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("unknown theme \"fastlegekrisa\" (known:"),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");

    let output = brief(&["--all-themes", "--format", "docx"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("needs --out"));
}

/// A corpus of one HTML page under our control, with one theme.
fn own_corpus(dir: &Path, body: &str) -> PathBuf {
    let page = dir.join("side.html");
    std::fs::write(
        &page,
        format!(
            "<!DOCTYPE html><html lang=\"nb\"><head><meta charset=\"utf-8\"><title>Side</title></head>\
             <body><main>{body}</main></body></html>"
        ),
    )
    .unwrap();
    let config = dir.join("sources.toml");
    std::fs::write(
        &config,
        format!(
            r#"[[source]]
id = "side"
title = "Testside <b>fet</b>"
kind = "web"
url = "{}"

[[theme]]
id = "fastlegekrise"
label = "Fastlegekrise"
description = "Legemangel og fastlegeordningen."
terms = ["fastlege", "legemangel", "legevakt"]
"#,
            page.display()
        ),
    )
    .unwrap();
    config
}

fn run_in(config: &Path, index: &Path, rest: &[&str]) -> Output {
    let mut args = vec![
        "--sources",
        config.to_str().unwrap(),
        "--index-dir",
        index.to_str().unwrap(),
    ];
    args.extend_from_slice(rest);
    samspor(&args)
}

#[test]
fn document_text_is_escaped_in_html() {
    let dir = tempfile::tempdir().unwrap();
    let config = own_corpus(
        dir.path(),
        "<h2>1 Fastlegene</h2><p>Fastlegene melder om legemangel &lt;script&gt;alert(1)&lt;/script&gt; \
         i hele regionen.</p><p>Legevakten er også presset, og fastlegene går i vakt hver uke.</p>",
    );
    let index = dir.path().join("index");
    ok(run_in(&config, &index, &["run"]));
    let html = String::from_utf8(ok(run_in(
        &config,
        &index,
        &[
            "brief",
            "--all-themes",
            "--format",
            "html",
            "--date",
            "2026-11-23",
        ],
    )))
    .unwrap();
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(html.contains("Testside &lt;b&gt;fet&lt;/b&gt;"));
}

#[test]
fn changed_sections_appear_under_nytt_siden_sist() {
    let dir = tempfile::tempdir().unwrap();
    let first = "<h2>1 Fastlegene</h2><p>Fastlegene melder om legemangel i regionen, og \
                 legevakten er presset.</p><h2>2 Økonomi</h2><p>Budsjettet er stramt.</p>";
    let config = own_corpus(dir.path(), first);
    let index = dir.path().join("index");
    ok(run_in(&config, &index, &["run"]));
    let second = first.replace(
        "legevakten er presset.",
        "legevakten er presset. Tre fastlegehjemler står ledige etter sommeren.",
    );
    own_corpus(dir.path(), &second);
    ok(run_in(&config, &index, &["run"]));
    let today = chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let md = String::from_utf8(ok(run_in(
        &config,
        &index,
        &[
            "brief",
            "--all-themes",
            "--since",
            &today,
            "--date",
            "2026-11-23",
        ],
    )))
    .unwrap();
    let news = &md[md.find("### Nytt siden sist").unwrap()..md.find("### Referanser").unwrap()];
    assert!(news.contains("- Endret "), "{news}");
    assert!(news.contains("1 Fastlegene"), "{news}");
    assert!(news.contains("{+Tre fastlegehjemler"), "word diff: {news}");
    assert!(!news.contains("2 Økonomi"), "not about the theme: {news}");
}
