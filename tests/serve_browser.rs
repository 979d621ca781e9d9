//! `samspor serve` in a real browser: Debian's chromium, driven by playwright-core from
//! `e2e/` (node's test runner), against the real binary on loopback over the demo index. It
//! searches, filters, opens a document and a section, visits the theme, status and brief pages,
//! and takes desktop and phone screenshots of each into `SAMSPOR_E2E_OUT` (default: the
//! target's tmp dir, printed).
//!
//! Needs /usr/bin/chromium and `npm ci --prefix e2e`; `.ci/run` installs both. Outside CI a
//! missing piece skips the test with the reason; in CI it fails.

mod serve_support;

use std::path::PathBuf;
use std::process::Command;

use serve_support::{Server, demo_index, demo_sources, repo};

const CHROMIUM: &str = "/usr/bin/chromium";

/// Why the browser tests cannot run here, if they cannot.
fn missing() -> Option<String> {
    if !std::path::Path::new(CHROMIUM).exists() {
        return Some(format!(
            "{CHROMIUM} is not installed (apt-get install chromium)"
        ));
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Some("node is not installed".into());
    }
    if !repo().join("e2e/node_modules/playwright-core").is_dir() {
        return Some("e2e/node_modules is missing (npm ci --prefix e2e)".into());
    }
    None
}

fn screenshots() -> PathBuf {
    std::env::var_os("SAMSPOR_E2E_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("e2e-screenshots"))
}

/// Runs the node tests (optionally only those matching `pattern`) against a fresh server.
fn run_e2e(pattern: Option<&str>, download: bool) {
    if let Some(reason) = missing() {
        assert!(
            std::env::var_os("CI").is_none(),
            "browser tests cannot run in CI: {reason}"
        );
        eprintln!("skipped: {reason}");
        return;
    }
    let server = Server::start(&demo_sources(), &demo_index());
    let out = screenshots();
    let mut node = Command::new("node");
    node.current_dir(repo().join("e2e"))
        .args(["--test", "--test-reporter=tap"]);
    if let Some(pattern) = pattern {
        node.arg(format!("--test-name-pattern={pattern}"));
    }
    let output = node
        .arg("serve.test.mjs")
        .env("SAMSPOR_BASE_URL", format!("http://{}", server.addr))
        .env("SAMSPOR_E2E_OUT", &out)
        .env("SAMSPOR_E2E_DOWNLOAD", if download { "1" } else { "0" })
        .env("CHROMIUM", CHROMIUM)
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}");
    eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "browser tests failed:\n{stdout}");
    assert!(stdout.contains("# fail 0"), "{stdout}");
    println!("screenshots in {}", out.display());
}

#[test]
fn browser_search_filter_document_theme_status_and_brief_form() {
    run_e2e(None, false);
    if missing().is_none() {
        for page in [
            "01-start",
            "02-sok",
            "03-filter",
            "05-dokument",
            "06-seksjon",
            "07-tema",
            "08-status",
            "09-notat",
        ] {
            for width in ["desktop", "phone"] {
                let file = screenshots().join(format!("{page}-{width}.png"));
                assert!(
                    std::fs::metadata(&file).is_ok_and(|m| m.len() > 1000),
                    "{} was not taken",
                    file.display()
                );
            }
        }
    }
}

#[test]
fn browser_download_brief() {
    run_e2e(Some("download a brief"), true);
}
