//! The fetch stage against a real loopback HTTP server that misbehaves on purpose: conditional
//! requests, retries, timeouts, size limits, wrong content, and keeping the last good version.

mod common;

use std::time::{Duration, Instant};

use common::{Response, TestServer, demo, write_config};
use samspor::config::Config;
use samspor::index::{SearchRequest, SectionIndex};
use samspor::pipeline::{Pipeline, Stage};
use samspor::track::{Catalog, SourceState};

const FAST: &str = "retries = 2\nbackoff_ms = 10\ntimeout_secs = 5\nconnect_timeout_secs = 2";

fn pipeline(dir: &std::path::Path, sources: &std::path::Path) -> Pipeline {
    Pipeline::new(Config::load(sources).unwrap(), &dir.join("index"))
}

fn html_page(text: &str) -> Vec<u8> {
    format!("<!DOCTYPE html><html lang=\"nn\"><body><main><h2>1 Fastlegeordninga</h2><p>{text}</p></main></body></html>").into_bytes()
}

#[test]
fn conditional_request_gets_304_and_keeps_one_version() {
    let server = TestServer::start();
    server.route("/avtale", |request, _| {
        if request.headers.get("if-none-match").map(String::as_str) == Some("\"v1\"") {
            Response::status(304)
        } else {
            Response::ok(
                html_page("Fastlegane er for få."),
                "text/html; charset=utf-8",
            )
            .header("ETag", "\"v1\"")
            .header("Last-Modified", "Mon, 02 Nov 2026 10:00:00 GMT")
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        FAST,
        &[("avtale", "avtale", &server.url("/avtale"))],
    );
    let pipeline = pipeline(dir.path(), &config);

    let first = pipeline.run(&Stage::ALL, "run").unwrap();
    assert!(first.all_ok(), "{:?}", first.failures);
    assert_eq!(first.reindexed, vec!["avtale"]);
    let second = pipeline.run(&Stage::ALL, "run").unwrap();
    assert!(second.all_ok());
    assert!(
        second.reindexed.is_empty(),
        "unchanged sources are not re-indexed"
    );
    assert_eq!(second.sections_indexed, 1);

    let requests = server.requests("/avtale");
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].headers.get("if-none-match"), None);
    assert_eq!(
        requests[1].headers.get("if-none-match").map(String::as_str),
        Some("\"v1\"")
    );
    assert_eq!(
        requests[1]
            .headers
            .get("if-modified-since")
            .map(String::as_str),
        Some("Mon, 02 Nov 2026 10:00:00 GMT")
    );
    assert!(
        requests[0].headers["user-agent"].starts_with("samspor/"),
        "a clear User-Agent"
    );

    let catalog = Catalog::load(&dir.path().join("index")).unwrap();
    let record = &catalog.sources["avtale"];
    assert_eq!(record.state, SourceState::Ok);
    assert_eq!(record.versions.len(), 1);
    let last_run = catalog.runs.last().unwrap();
    assert_eq!(
        last_run.sources[0].change.map(|c| c.as_str()),
        Some("not-modified")
    );
}

#[test]
fn server_error_then_success_is_retried() {
    let server = TestServer::start();
    server.route("/nou.pdf", |_, hit| {
        if hit == 1 {
            Response::status(500)
        } else {
            Response::ok(
                std::fs::read(demo("nou-demo.pdf")).unwrap(),
                "application/pdf",
            )
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), FAST, &[("nou", "nou", &server.url("/nou.pdf"))]);
    let summary = pipeline(dir.path(), &config)
        .run(&[Stage::Fetch], "fetch")
        .unwrap();
    assert!(summary.all_ok(), "{:?}", summary.failures);
    assert_eq!(server.hits("/nou.pdf"), 2);
    let catalog = Catalog::load(&dir.path().join("index")).unwrap();
    assert_eq!(catalog.sources["nou"].versions.len(), 1);
}

#[test]
fn not_found_fails_at_once_without_retry() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let url = server.url("/borte.pdf");
    let config = write_config(dir.path(), FAST, &[("borte", "nou", &url)]);
    let summary = pipeline(dir.path(), &config)
        .run(&Stage::ALL, "run")
        .unwrap();
    assert_eq!(server.hits("/borte.pdf"), 1, "4xx is never retried");
    assert_eq!(summary.failures.len(), 1);
    assert_eq!(summary.failures[0].stage.as_str(), "fetch");
    assert_eq!(summary.failures[0].error, format!("HTTP 404 from {url}"));
    let catalog = Catalog::load(&dir.path().join("index")).unwrap();
    let record = &catalog.sources["borte"];
    assert_eq!(record.state, SourceState::Failed);
    assert_eq!(record.failures_since_ok, 1);
    assert!(record.versions.is_empty());
}

#[test]
fn a_slow_server_times_out() {
    let server = TestServer::start();
    server.route("/treg.pdf", |_, _| Response {
        delay: Duration::from_secs(3),
        ..Response::ok(b"%PDF-1.4 late".to_vec(), "application/pdf")
    });
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        "retries = 1\nbackoff_ms = 10\ntimeout_secs = 0.5",
        &[("treg", "nou", &server.url("/treg.pdf"))],
    );
    let started = Instant::now();
    let summary = pipeline(dir.path(), &config)
        .run(&[Stage::Fetch], "fetch")
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "gave up in time: {:?}",
        started.elapsed()
    );
    assert_eq!(server.hits("/treg.pdf"), 2, "a timeout is retried");
    assert!(
        summary.failures[0].error.starts_with("timed out after"),
        "{}",
        summary.failures[0].error
    );
}

#[test]
fn an_oversized_body_is_refused_with_or_without_content_length() {
    let server = TestServer::start();
    let big = {
        let mut body = b"%PDF-1.4\n".to_vec();
        body.resize(50_000, b'x');
        body
    };
    let declared = big.clone();
    server.route("/stor.pdf", move |_, _| {
        Response::ok(declared.clone(), "application/pdf")
    });
    server.route("/lyg.pdf", move |_, _| Response {
        no_length: true,
        ..Response::ok(big.clone(), "application/pdf")
    });
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        "retries = 0\nmax_bytes = 10000",
        &[
            ("stor", "nou", &server.url("/stor.pdf")),
            ("lyg", "nou", &server.url("/lyg.pdf")),
        ],
    );
    let summary = pipeline(dir.path(), &config)
        .run(&[Stage::Fetch], "fetch")
        .unwrap();
    assert_eq!(summary.failures.len(), 2);
    for failure in &summary.failures {
        assert!(
            failure
                .error
                .ends_with("larger than the limit of 10000 bytes"),
            "{}",
            failure.error
        );
    }
    assert!(
        !dir.path().join("index/store/stor").exists(),
        "nothing stored"
    );
}

#[test]
fn html_served_for_a_pdf_url_is_an_error_for_that_source() {
    let server = TestServer::start();
    server.route("/dokument.pdf", |_, _| {
        Response::ok(
            b"<!DOCTYPE html><html><body>Sida finst ikkje</body></html>".to_vec(),
            "text/html",
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let url = server.url("/dokument.pdf");
    let config = write_config(dir.path(), FAST, &[("dok", "nou", &url)]);
    let summary = pipeline(dir.path(), &config)
        .run(&[Stage::Fetch], "fetch")
        .unwrap();
    assert_eq!(
        summary.failures[0].error,
        format!("{url}: expected a PDF but got an HTML page")
    );
}

#[test]
fn a_failed_fetch_keeps_the_last_good_version_searchable() {
    let server = TestServer::start();
    server.route("/avtale", |_, _| {
        Response::ok(
            html_page("Legemangelen rammar fastlegeordninga i distrikta."),
            "text/html",
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        FAST,
        &[("avtale", "avtale", &server.url("/avtale"))],
    );
    let pipeline = pipeline(dir.path(), &config);
    assert!(pipeline.run(&Stage::ALL, "run").unwrap().all_ok());

    server.route("/avtale", |_, _| Response::status(503));
    let summary = pipeline.run(&Stage::ALL, "run").unwrap();
    assert_eq!(summary.failures.len(), 1);
    assert_eq!(
        server.hits("/avtale"),
        1 + 3,
        "first run once, then 1 try + 2 retries"
    );

    let catalog = Catalog::load(&dir.path().join("index")).unwrap();
    let record = &catalog.sources["avtale"];
    assert_eq!(record.state, SourceState::Failed);
    assert_eq!(record.versions.len(), 1);
    assert!(record.indexed_sha256.is_some());
    let index = SectionIndex::open(&dir.path().join("index")).unwrap();
    let results = index
        .search(&SearchRequest {
            query: "legemangel".into(),
            limit: 5,
            ..SearchRequest::default()
        })
        .unwrap();
    assert_eq!(results.total, 1, "previous version still indexed");
    assert!(
        results.hits[0]
            .section
            .themes
            .contains(&"fastlegekrise".to_string())
    );
}

#[test]
fn a_changed_document_becomes_a_new_version_and_replaces_the_old_sections() {
    let server = TestServer::start();
    server.route("/avtale", |_, hit| {
        let text = if hit == 1 {
            "Første utgåve om legevakt."
        } else {
            "Andre utgåve om fastlegeordninga."
        };
        Response::ok(html_page(text), "text/html")
    });
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        FAST,
        &[("avtale", "avtale", &server.url("/avtale"))],
    );
    let pipeline = pipeline(dir.path(), &config);
    pipeline.run(&Stage::ALL, "run").unwrap();
    let second = pipeline.run(&Stage::ALL, "run").unwrap();
    assert_eq!(
        second.reindexed,
        vec!["avtale"],
        "a changed source is re-indexed"
    );
    let catalog = Catalog::load(&dir.path().join("index")).unwrap();
    let record = &catalog.sources["avtale"];
    assert_eq!(record.versions.len(), 2);
    assert_eq!(
        catalog.runs.last().unwrap().sources[0]
            .change
            .map(|c| c.as_str()),
        Some("changed")
    );
    assert_eq!(record.indexed_sha256, record.sha256);
    let index = SectionIndex::open(&dir.path().join("index")).unwrap();
    let sections = index.sections_of("avtale").unwrap();
    assert_eq!(sections.len(), 1);
    assert!(sections[0].text.starts_with("Andre utgåve"));
    for version in &record.versions {
        let path = dir
            .path()
            .join("index/store/avtale")
            .join(format!("{}.html", version.sha256));
        assert!(path.is_file(), "every version kept: {}", path.display());
    }
}
