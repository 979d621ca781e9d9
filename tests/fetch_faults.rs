//! Fetching from hostile loopback servers (issue 15) and sources that moved (issue 17): a
//! dripping body, a redirect loop, 429 with Retry-After, 503 then 200, gzip and brotli bodies
//! and one that expands past the limit, robots.txt, the per-host pause, a permanent redirect.
//! Each asserts the outcome, the time it took against the configured budget, and for the
//! drip, the 503 and the move that the last good version is still indexed, through the binary.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use common::{Response, TestServer};
use samspor::config::Config;
use samspor::pipeline::{Pipeline, Stage};
use samspor::track::{Catalog, SourceState};
use serde_json::Value;

/// Small budgets keep the tests fast: one attempt 0.8 s, one source 2 s.
const BUDGETS: &str = "retries = 5\nbackoff_ms = 10\ntimeout_secs = 0.8\nconnect_timeout_secs = 1\nsource_budget_secs = 2\nhost_delay_ms = 0";
/// What a source may take beyond its budget (scheduling on a loaded two-core machine).
const SLACK: Duration = Duration::from_millis(1500);

fn page(text: &str) -> Vec<u8> {
    format!("<!DOCTYPE html><html lang=\"nb\"><head><meta charset=\"utf-8\"><title>Avtale</title></head><body><main><h2>1 Fastlegeordningen</h2><p>{text}</p></main></body></html>").into_bytes()
}

/// sources.toml with `[fetch]` settings and `(id, url, extra lines)` sources.
fn write_sources(dir: &Path, fetch: &str, sources: &[(&str, &str, &str)]) -> PathBuf {
    let mut text = format!("[fetch]\n{fetch}\n\n");
    for (id, url, extra) in sources {
        text.push_str(&format!(
            "[[source]]\nid = \"{id}\"\ntitle = \"Dokument {id}\"\nkind = \"avtale\"\nurl = \"{url}\"\n{extra}\n\n"
        ));
    }
    text.push_str("[[theme]]\nid = \"fastlegekrise\"\nlabel = \"Fastlegekrise\"\ndescription = \"Fastleger\"\nterms = [\"fastlege\", \"legemangel\"]\n");
    let path = dir.join("sources.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn samspor(sources: &Path, index: &Path, args: &[&str]) -> (Output, Duration) {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_samspor"))
        .arg("--sources")
        .arg(sources)
        .arg("--index-dir")
        .arg(index)
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("run samspor");
    (output, started.elapsed())
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            stderr(output)
        )
    })
}

/// The fetch time of `source` in the last run, from `last-run.json`.
fn fetch_millis(index: &Path, source: &str) -> u64 {
    let report: Value =
        serde_json::from_slice(&std::fs::read(index.join("last-run.json")).unwrap()).unwrap();
    report["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == source)
        .and_then(|s| s["millis"].as_u64())
        .unwrap_or_else(|| panic!("no fetch time for {source}: {report}"))
}

/// `samspor search WORD --json` finds `source`.
fn searchable(sources: &Path, index: &Path, word: &str, source: &str) -> bool {
    let (output, _) = samspor(sources, index, &["search", word, "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    json(&output)["hits"]
        .as_array()
        .unwrap()
        .iter()
        .any(|hit| hit["source"] == source)
}

fn source_status(sources: &Path, index: &Path, id: &str) -> Value {
    let (output, _) = samspor(sources, index, &["status", "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    json(&output)["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .cloned()
        .unwrap()
}

fn budget_of(fetch: &str) -> Duration {
    let secs: f64 = fetch
        .lines()
        .find_map(|l| l.strip_prefix("source_budget_secs = "))
        .unwrap()
        .parse()
        .unwrap();
    Duration::from_secs_f64(secs)
}

#[test]
fn a_dripping_server_is_cut_off_by_the_budget_and_the_last_version_stays_indexed() {
    let server = TestServer::start();
    server.route("/avtale", |_, _| {
        Response::ok(page("Legemangelen rammer fastlegeordningen."), "text/html")
    });
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let sources = write_sources(
        dir.path(),
        BUDGETS,
        &[("avtale", &server.url("/avtale"), "")],
    );
    let (first, _) = samspor(&sources, &index, &["run"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));

    // Now one byte every 100 ms of a 10 kB page: 1000 s if nobody stops it.
    server.route("/avtale", |_, _| Response {
        drip: Some(Duration::from_millis(100)),
        ..Response::ok(page(&"drypp ".repeat(1700)), "text/html")
    });
    let (second, wall) = samspor(&sources, &index, &["run"]);
    let err = stderr(&second);
    assert_eq!(second.status.code(), Some(3), "{err}");
    assert!(err.contains("avtale"), "the failed source is named: {err}");
    assert!(err.contains("timed out after"), "{err}");
    assert!(err.contains("time budget"), "{err}");
    let budget = budget_of(BUDGETS);
    let fetch = Duration::from_millis(fetch_millis(&index, "avtale"));
    println!("drip: fetch {fetch:?} (budget {budget:?}), whole run {wall:?}");
    assert!(fetch >= budget - Duration::from_millis(300), "{fetch:?}");
    assert!(fetch <= budget + SLACK, "{fetch:?} past the budget");
    assert!(wall <= budget + SLACK * 3, "the run took {wall:?}");
    assert!(
        server.hits("/avtale") > 3,
        "first run once, then retried within the budget"
    );

    assert!(
        searchable(&sources, &index, "legemangel", "avtale"),
        "still indexed"
    );
    let status = source_status(&sources, &index, "avtale");
    assert_eq!(status["state"], "failed");
    assert_eq!(status["versions"], 1);
}

#[test]
fn a_503_then_200_is_retried_and_a_503_that_lasts_keeps_the_last_version() {
    let server = TestServer::start();
    server.route("/avtale", |_, hit| {
        if hit == 1 {
            Response::status(503).header("Retry-After", "0")
        } else {
            Response::ok(page("Legemangelen rammer fastlegeordningen."), "text/html")
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let fetch = BUDGETS.replace("retries = 5", "retries = 2");
    let sources = write_sources(
        dir.path(),
        &fetch,
        &[("avtale", &server.url("/avtale"), "")],
    );
    let (first, _) = samspor(&sources, &index, &["run"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert_eq!(server.hits("/avtale"), 2, "503, then 200");

    server.route("/avtale", |_, _| Response::status(503));
    let (second, wall) = samspor(&sources, &index, &["run"]);
    let err = stderr(&second);
    assert_eq!(second.status.code(), Some(3), "{err}");
    let url = server.url("/avtale");
    assert!(
        err.contains(&format!(
            "HTTP 503 from {url} (gave up after 3 attempts in "
        )),
        "{err}"
    );
    assert_eq!(server.hits("/avtale"), 2 + 3, "1 try + 2 retries");
    let fetch = Duration::from_millis(fetch_millis(&index, "avtale"));
    println!("503: fetch {fetch:?}, whole run {wall:?}");
    assert!(
        fetch <= Duration::from_secs(1),
        "three quick attempts: {fetch:?}"
    );

    assert!(
        searchable(&sources, &index, "legemangel", "avtale"),
        "still indexed"
    );
    let status = source_status(&sources, &index, "avtale");
    assert_eq!(status["state"], "failed");
    assert_eq!(status["failures_since_ok"], 1);
}

fn pipeline(dir: &Path, sources: &Path) -> Pipeline {
    Pipeline::new(Config::load(sources).unwrap(), &dir.join("index"))
}

fn fetch_once(dir: &Path, sources: &Path) -> (samspor::pipeline::RunSummary, Duration) {
    let started = Instant::now();
    let summary = pipeline(dir, sources)
        .run(&[Stage::Fetch], "fetch")
        .unwrap();
    (summary, started.elapsed())
}

#[test]
fn a_redirect_loop_fails_at_once_and_is_never_retried() {
    let server = TestServer::start();
    let (a, b) = (server.url("/a"), server.url("/b"));
    let to_b = b.clone();
    server.route("/a", move |_, _| {
        Response::status(301).header("Location", &to_b)
    });
    server.route("/b", |_, _| Response::status(302).header("Location", "/a"));
    let dir = tempfile::tempdir().unwrap();
    let sources = write_sources(dir.path(), BUDGETS, &[("sirkel", &a, "")]);
    let (summary, took) = fetch_once(dir.path(), &sources);
    assert_eq!(summary.failures.len(), 1);
    assert_eq!(
        summary.failures[0].error,
        format!("redirect loop: {a} → {b} → {a}")
    );
    assert_eq!((server.hits("/a"), server.hits("/b")), (1, 1), "no retry");
    assert!(took < Duration::from_secs(1), "{took:?}");
}

#[test]
fn too_many_requests_with_retry_after_in_seconds_or_as_a_date() {
    let server = TestServer::start();
    server.route("/sekunder", |_, hit| {
        if hit == 1 {
            Response::status(429).header("Retry-After", "1")
        } else {
            Response::ok(page("Fastlegen kommer."), "text/html")
        }
    });
    server.route("/dato", |_, hit| {
        if hit == 1 {
            let when = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2));
            Response::status(503).header("Retry-After", &when)
        } else {
            Response::ok(page("Fastlegen kom."), "text/html")
        }
    });
    server.route("/om-en-time", |_, _| {
        Response::status(429).header("Retry-After", "3600")
    });
    let dir = tempfile::tempdir().unwrap();
    let fetch = BUDGETS.replace("source_budget_secs = 2", "source_budget_secs = 4");
    let sources = write_sources(
        dir.path(),
        &fetch,
        &[
            ("sekunder", &server.url("/sekunder"), ""),
            ("dato", &server.url("/dato"), ""),
            ("time", &server.url("/om-en-time"), ""),
        ],
    );
    let (summary, took) = fetch_once(dir.path(), &sources);
    println!("429/503 with Retry-After: {took:?}");
    assert_eq!(summary.failures.len(), 1, "{:?}", summary.failures);
    let failure = &summary.failures[0];
    assert_eq!(failure.source, "time");
    assert!(
        failure.error.starts_with("HTTP 429 from http://127.0.0.1:")
            && failure.error.contains("(gave up after 1 attempt in ")
            && failure
                .error
                .ends_with("the server asked to retry after 3600.0 s, past the time budget)"),
        "{}",
        failure.error
    );
    assert_eq!(server.hits("/om-en-time"), 1);
    assert_eq!((server.hits("/sekunder"), server.hits("/dato")), (2, 2));
    let catalog = Catalog::load(&dir.path().join("index")).unwrap();
    let millis = |id: &str| {
        catalog
            .runs
            .last()
            .unwrap()
            .sources
            .iter()
            .find(|s| s.id == id)
            .unwrap()
            .millis
    };
    assert!(
        millis("sekunder") >= 1000,
        "waited as asked: {}",
        millis("sekunder")
    );
    assert!(
        millis("dato") >= 900,
        "waited until the date: {}",
        millis("dato")
    );
    assert!(millis("time") < 500, "no waiting: {}", millis("time"));
    assert!(took < Duration::from_secs(4) + SLACK, "{took:?}");
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 9, 22);
        writer.write_all(bytes).unwrap();
    }
    out
}

#[test]
fn gzip_and_brotli_bodies_are_decoded_and_the_limit_counts_decoded_bytes() {
    let server = TestServer::start();
    let html = page("Fastlegeordningen trenger flere leger i distriktene.");
    let (gz, br) = (gzip(&html), brotli(&html));
    server.route("/gzip", move |_, _| {
        Response::ok(gz.clone(), "text/html").header("Content-Encoding", "gzip")
    });
    server.route("/brotli", move |_, _| {
        Response::ok(br.clone(), "text/html").header("Content-Encoding", "br")
    });
    // 2 MB of page from a few kB on the wire; the limit is 100 kB.
    let mut huge = page("Fastlege.");
    huge.extend(std::iter::repeat_n(b' ', 2_000_000));
    let (gz_bomb, br_bomb) = (gzip(&huge), brotli(&huge));
    assert!(gz_bomb.len() < 20_000 && br_bomb.len() < 20_000);
    server.route("/gzip-bombe", move |_, _| {
        Response::ok(gz_bomb.clone(), "text/html").header("Content-Encoding", "gzip")
    });
    server.route("/brotli-bombe", move |_, _| {
        Response::ok(br_bomb.clone(), "text/html").header("Content-Encoding", "br")
    });
    let dir = tempfile::tempdir().unwrap();
    let fetch = format!("{BUDGETS}\nmax_bytes = 100000");
    let sources = write_sources(
        dir.path(),
        &fetch,
        &[
            ("gzip", &server.url("/gzip"), ""),
            ("brotli", &server.url("/brotli"), ""),
            ("gzip-bombe", &server.url("/gzip-bombe"), ""),
            ("brotli-bombe", &server.url("/brotli-bombe"), ""),
        ],
    );
    let (summary, took) = fetch_once(dir.path(), &sources);
    println!("compressed bodies: {took:?}");
    let mut failed: Vec<(&str, &str)> = summary
        .failures
        .iter()
        .map(|f| (f.source.as_str(), f.error.as_str()))
        .collect();
    failed.sort();
    assert_eq!(failed.len(), 2, "{failed:?}");
    for ((id, error), expected) in failed.iter().zip(["brotli-bombe", "gzip-bombe"]) {
        assert_eq!(*id, expected);
        assert!(
            error.ends_with("larger than the limit of 100000 bytes"),
            "{error}"
        );
    }
    assert_eq!(server.hits("/gzip-bombe"), 1, "too large is never retried");
    assert!(took < Duration::from_secs(3), "{took:?}");

    let accept = &server.requests("/gzip")[0].headers["accept-encoding"];
    assert!(accept.contains("gzip") && accept.contains("br"), "{accept}");
    let catalog = Catalog::load(&dir.path().join("index")).unwrap();
    for id in ["gzip", "brotli"] {
        let record = &catalog.sources[id];
        let sha = record.sha256.as_deref().unwrap();
        let stored = dir.path().join(format!("index/store/{id}/{sha}.html"));
        assert_eq!(
            std::fs::read(&stored).unwrap(),
            html,
            "{id}: stored decoded"
        );
    }
    assert!(!dir.path().join("index/store/gzip-bombe").exists());
}

#[test]
fn robots_txt_is_read_once_per_host_and_obeyed_unless_a_source_overrides_it() {
    let server = TestServer::start();
    server.route("/robots.txt", |_, _| {
        Response::ok(
            "User-agent: *\nDisallow: /\n\nUser-agent: samspor\nDisallow: /privat/\nDisallow: /*?uid\n",
            "text/plain",
        )
    });
    for path in ["/open", "/privat/notat", "/privat/overstyrt", "/horing/"] {
        server.route(path, |_, _| Response::ok(page("Fastlegen."), "text/html"));
    }
    server.route("/flyttet", |_, _| {
        Response::status(301).header("Location", "/privat/notat")
    });
    let dir = tempfile::tempdir().unwrap();
    let fetch = format!("{BUDGETS}\ncontact = \"post@samspor.example\"");
    let sources = write_sources(
        dir.path(),
        &fetch,
        &[
            ("open", &server.url("/open"), ""),
            ("privat", &server.url("/privat/notat"), ""),
            ("svar", &server.url("/horing/?uid=42"), ""),
            ("omvei", &server.url("/flyttet"), ""),
            (
                "overstyrt",
                &server.url("/privat/overstyrt"),
                "robots = \"ignore\"",
            ),
        ],
    );
    let (summary, took) = fetch_once(dir.path(), &sources);
    let mut failed: Vec<(&str, &str)> = summary
        .failures
        .iter()
        .map(|f| (f.source.as_str(), f.error.as_str()))
        .collect();
    failed.sort();
    let ids: Vec<&str> = failed.iter().map(|f| f.0).collect();
    assert_eq!(ids, ["omvei", "privat", "svar"], "{failed:?}");
    let privat = failed[1].1;
    assert_eq!(
        privat,
        format!(
            "{}: disallowed by robots.txt (Disallow: /privat/); set robots = \"ignore\" on the source in sources.toml to fetch it anyway",
            server.url("/privat/notat")
        )
    );
    assert!(
        failed[0].1.contains("disallowed by robots.txt"),
        "a redirect is checked too"
    );
    assert!(
        failed[2].1.contains("(Disallow: /*?uid)"),
        "{}",
        failed[2].1
    );
    assert_eq!(server.hits("/privat/notat"), 0, "never asked for");
    assert_eq!(
        server.hits("/privat/overstyrt"),
        1,
        "the override is fetched"
    );
    assert_eq!(server.hits("/robots.txt"), 1, "once per host per run");
    let agent = &server.requests("/open")[0].headers["user-agent"];
    assert!(agent.starts_with("samspor/"), "{agent}");
    assert!(agent.contains("contact: post@samspor.example"), "{agent}");
    assert!(took < Duration::from_secs(3), "{took:?}");
}

#[test]
fn regjeringen_robots_txt_is_obeyed_on_loopback() {
    let path = common::repo().join("../shared/real-corpus/regjeringen-robots.txt");
    let Ok(robots) = std::fs::read(&path) else {
        println!("skipped: {} is not here", path.display());
        return;
    };
    let server = TestServer::start();
    server.route("/robots.txt", move |_, _| {
        Response::ok(robots.clone(), "text/plain")
    });
    let allowed = "/no/dokumenter/nou-2023-4/id2961552/?ch=3";
    let answers = "/no/dokumenter/horing/id3167072/?uid=abc";
    let archive = "/no/dokumentarkiv/solberg/aktuelt/x/id1/";
    for path in [allowed, answers, archive] {
        server.route(path, |_, _| Response::ok(page("Fastlegen."), "text/html"));
    }
    let dir = tempfile::tempdir().unwrap();
    let sources = write_sources(
        dir.path(),
        BUDGETS,
        &[
            ("kapittel", &server.url(allowed), ""),
            ("svar", &server.url(answers), ""),
            ("arkiv", &server.url(archive), ""),
        ],
    );
    let (summary, _) = fetch_once(dir.path(), &sources);
    let mut failed: Vec<String> = summary.failures.iter().map(|f| f.source.clone()).collect();
    failed.sort();
    assert_eq!(failed, ["arkiv", "svar"], "{:?}", summary.failures);
    assert_eq!(server.hits(allowed), 1);
    assert_eq!(server.hits(answers) + server.hits(archive), 0);
}

#[test]
fn one_request_at_a_time_per_host_with_the_configured_pause() {
    let server = TestServer::start();
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    for path in ["/en", "/to", "/tre"] {
        let arrivals = arrivals.clone();
        server.route(path, move |_, _| {
            arrivals.lock().unwrap().push(Instant::now());
            Response {
                delay: Duration::from_millis(100),
                ..Response::ok(page("Fastlegen."), "text/html")
            }
        });
    }
    let dir = tempfile::tempdir().unwrap();
    let fetch = BUDGETS.replace("host_delay_ms = 0", "host_delay_ms = 300") + "\nconcurrency = 3";
    let sources = write_sources(
        dir.path(),
        &fetch,
        &[
            ("en", &server.url("/en"), ""),
            ("to", &server.url("/to"), ""),
            ("tre", &server.url("/tre"), ""),
        ],
    );
    let (summary, took) = fetch_once(dir.path(), &sources);
    assert!(summary.all_ok(), "{:?}", summary.failures);
    let mut arrivals = arrivals.lock().unwrap().clone();
    arrivals.sort();
    for pair in arrivals.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(
            gap >= Duration::from_millis(400),
            "100 ms answer + 300 ms pause: {gap:?}"
        );
    }
    println!("three sources on one host: {took:?}");
}

#[test]
fn the_run_budget_stops_the_stage() {
    let slow = TestServer::start();
    let other = TestServer::start();
    for server in [&slow, &other] {
        server.route("/drypp", |_, _| Response {
            drip: Some(Duration::from_millis(200)),
            ..Response::ok(page(&"x".repeat(2000)), "text/html")
        });
    }
    let dir = tempfile::tempdir().unwrap();
    let fetch = BUDGETS.replace("source_budget_secs = 2", "source_budget_secs = 5")
        + "\nrun_budget_secs = 1.5\nconcurrency = 1";
    let sources = write_sources(
        dir.path(),
        &fetch,
        &[
            ("forste", &slow.url("/drypp"), ""),
            ("andre", &other.url("/drypp"), ""),
        ],
    );
    let (summary, took) = fetch_once(dir.path(), &sources);
    println!("run budget 1.5 s: {took:?}");
    assert_eq!(summary.failures.len(), 2, "{:?}", summary.failures);
    assert!(took < Duration::from_millis(1500) + SLACK, "{took:?}");
    let andre = summary
        .failures
        .iter()
        .find(|f| f.source == "andre")
        .unwrap();
    assert!(
        andre
            .error
            .contains("the fetch stage's time budget of 1.5 s was used up")
            || andre.error.contains("timed out"),
        "{}",
        andre.error
    );
}

/// A page with an ETag that answers a matching If-None-Match with 304.
fn with_etag(body: Vec<u8>, etag: &'static str) -> impl Fn(&common::Request, usize) -> Response {
    move |request, _| {
        if request.headers.get("if-none-match").map(String::as_str) == Some(etag) {
            Response::status(304).header("ETag", etag)
        } else {
            Response::ok(body.clone(), "text/html").header("ETag", etag)
        }
    }
}

#[test]
fn a_source_that_moved_permanently_is_followed_recorded_and_reported() {
    let server = TestServer::start();
    let text = page("Legemangelen rammer fastlegeordningen.");
    server.route("/avtaler/samarbeid", with_etag(text.clone(), "\"e1\""));
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let old = server.url("/avtaler/samarbeid");
    let new = server.url("/ny/avtaler/samarbeid");
    let sources = write_sources(dir.path(), BUDGETS, &[("avtale", &old, "")]);
    let (first, _) = samspor(&sources, &index, &["run"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));

    // saman.no moves its agreements: 301 to the new address, same page and even the same
    // ETag there. The validators belong to the old address, so the new one is asked in full
    // and the move is seen (a 304 would hide it).
    let target = new.clone();
    server.route("/avtaler/samarbeid", move |_, _| {
        Response::status(301).header("Location", &target)
    });
    server.route("/ny/avtaler/samarbeid", with_etag(text, "\"e1\""));
    let (second, _) = samspor(&sources, &index, &["run"]);
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    assert!(stderr(&second).contains("moved permanently"), "logged");
    assert_eq!(
        server.requests("/ny/avtaler/samarbeid")[0]
            .headers
            .get("if-none-match"),
        None
    );

    let catalog = Catalog::load(&index).unwrap();
    let record = &catalog.sources["avtale"];
    assert_eq!(record.state, SourceState::Ok);
    assert_eq!(record.final_url.as_deref(), Some(new.as_str()));
    assert_eq!(record.moved_to.as_deref(), Some(new.as_str()));
    assert_eq!(
        record.versions.len(),
        1,
        "the same bytes: nothing new, nothing lost"
    );
    let status = source_status(&sources, &index, "avtale");
    assert_eq!(status["moved_to"], new.as_str());
    assert_eq!(status["final_url"], new.as_str());
    assert_eq!(status["state"], "ok");
    let (text, _) = samspor(&sources, &index, &["status"]);
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    assert!(
        text.contains(&format!("flyttet permanent (301/308) til {new}")),
        "{text}"
    );
    assert!(searchable(&sources, &index, "legemangel", "avtale"));

    // The next night the new address answers 304 to its own validators; still "moved".
    let (third, _) = samspor(&sources, &index, &["run"]);
    assert_eq!(third.status.code(), Some(0), "{}", stderr(&third));
    let asked = server.requests("/ny/avtaler/samarbeid");
    assert_eq!(
        asked[1].headers.get("if-none-match").map(String::as_str),
        Some("\"e1\"")
    );
    assert_eq!(
        source_status(&sources, &index, "avtale")["moved_to"],
        new.as_str()
    );

    // The analyst updates sources.toml: no more "moved", still one version, still indexed.
    let sources = write_sources(dir.path(), BUDGETS, &[("avtale", &new, "")]);
    let (fourth, _) = samspor(&sources, &index, &["run"]);
    assert_eq!(fourth.status.code(), Some(0), "{}", stderr(&fourth));
    let status = source_status(&sources, &index, "avtale");
    assert_eq!(status["moved_to"], Value::Null);
    assert_eq!(status["versions"], 1);
    assert!(searchable(&sources, &index, "legemangel", "avtale"));
}

#[test]
fn a_temporary_redirect_is_followed_but_is_no_move() {
    let server = TestServer::start();
    server.route("/midlertidig", |_, _| {
        Response::status(302).header("Location", "/her")
    });
    server.route("/forst-flyttet", |_, _| {
        Response::status(308).header("Location", "/mellom")
    });
    server.route("/mellom", |_, _| {
        Response::status(307).header("Location", "/her")
    });
    server.route("/her", |_, _| Response::ok(page("Fastlegen."), "text/html"));
    let dir = tempfile::tempdir().unwrap();
    let sources = write_sources(
        dir.path(),
        BUDGETS,
        &[
            ("midlertidig", &server.url("/midlertidig"), ""),
            ("kjede", &server.url("/forst-flyttet"), ""),
        ],
    );
    let (summary, _) = fetch_once(dir.path(), &sources);
    assert!(summary.all_ok(), "{:?}", summary.failures);
    let catalog = Catalog::load(&dir.path().join("index")).unwrap();
    let temporary = &catalog.sources["midlertidig"];
    assert_eq!(
        temporary.final_url.as_deref(),
        Some(server.url("/her").as_str())
    );
    assert_eq!(temporary.moved_to, None);
    let chain = &catalog.sources["kjede"];
    assert_eq!(
        chain.moved_to.as_deref(),
        Some(server.url("/mellom").as_str()),
        "moved to the target of the permanent hop"
    );
}

#[test]
fn the_webhook_retries_through_the_same_helper() {
    let server = TestServer::start();
    server.route("/igjen", |_, hit| {
        if hit == 1 {
            Response::status(503)
        } else {
            Response::status(204)
        }
    });
    server.route("/senere", |_, _| {
        Response::status(429).header("Retry-After", "3600")
    });
    let settings = |path: &str| samspor::config::NotifySettings {
        webhook: Some(server.url(path)),
        webhook_timeout_secs: 2.0,
        feed_url: None,
    };
    let summary = serde_json::json!({"run": 1});
    let status = samspor::notify::post_webhook(&settings("/igjen"), "samspor/test", &summary);
    assert_eq!(status.unwrap(), Some(204));
    assert_eq!(server.hits("/igjen"), 2, "a 503 heals");

    let started = Instant::now();
    let error = samspor::notify::post_webhook(&settings("/borte"), "samspor/test", &summary)
        .unwrap_err()
        .to_string();
    assert_eq!(error, format!("webhook {}: HTTP 404", server.url("/borte")));
    assert_eq!(server.hits("/borte"), 1, "a 404 does not");

    let error = samspor::notify::post_webhook(&settings("/senere"), "samspor/test", &summary)
        .unwrap_err()
        .to_string();
    assert!(
        error.ends_with("the server asked to retry after 3600.0 s, past the time budget)"),
        "{error}"
    );
    assert_eq!(server.hits("/senere"), 1);
    assert!(started.elapsed() < Duration::from_secs(1), "no waiting");
}

#[test]
fn an_unreadable_robots_txt_disallows_its_host_for_the_run_and_says_so() {
    let server = TestServer::start();
    server.route("/robots.txt", |_, _| Response::status(503));
    server.route("/side", |_, _| {
        Response::ok(page("Fastlegen."), "text/html")
    });
    let dir = tempfile::tempdir().unwrap();
    let url = server.url("/side");
    let sources = write_sources(dir.path(), BUDGETS, &[("side", &url, "")]);
    let (summary, took) = fetch_once(dir.path(), &sources);
    assert_eq!(
        summary.failures[0].error,
        format!(
            "{url}: not fetched: the site's robots.txt could not be read (HTTP 503 from {}), and that means nothing there may be fetched this run",
            server.url("/robots.txt")
        )
    );
    assert_eq!(server.hits("/side"), 0);
    assert!(took < Duration::from_secs(2), "{took:?}");
}
