//! Benchmark: an unchanged nightly run, where every server answers 304 Not Modified.
//!
//! Takes the shipped `sources.toml` (its sources and themes), points every source at a
//! loopback server that serves a demo document with an ETag and answers conditional requests
//! with 304, runs once to build the index, then times unchanged runs: the `samspor` binary
//! beside this example (process start included) when it exists, and `Pipeline::run` in
//! process. Target: under 1 s plus network time.
//!
//! `cargo build --release && cargo run --release --example nightly_bench [-- SOURCES.toml [RUNS]]`

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use samspor::config::Config;
use samspor::pipeline::{Pipeline, Stage};

struct Counters {
    ok: AtomicUsize,
    not_modified: AtomicUsize,
}

/// Serves `files` (path → bytes) with strong ETags; If-None-Match → 304.
fn serve(files: BTreeMap<String, Vec<u8>>) -> (String, Arc<Counters>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let base = format!("http://{}", listener.local_addr().unwrap());
    let counters = Arc::new(Counters {
        ok: AtomicUsize::new(0),
        not_modified: AtomicUsize::new(0),
    });
    let files = Arc::new(files);
    let seen = counters.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let files = files.clone();
            let seen = seen.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                let _ = reader.read_line(&mut request_line);
                let path = request_line
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("/")
                    .to_string();
                let mut if_none_match = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                        break;
                    }
                    if let Some((name, value)) = line.split_once(':')
                        && name.eq_ignore_ascii_case("if-none-match")
                    {
                        if_none_match = Some(value.trim().to_string());
                    }
                }
                let mut stream = stream;
                let Some(body) = files.get(&path) else {
                    let _ = stream.write_all(
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    );
                    return;
                };
                let etag = format!("\"{}\"", samspor::track::store::sha256_hex(body));
                let content_type = if path.ends_with(".pdf") {
                    "application/pdf"
                } else {
                    "text/html; charset=utf-8"
                };
                if if_none_match.as_deref() == Some(etag.as_str()) {
                    seen.not_modified.fetch_add(1, Ordering::SeqCst);
                    let _ = stream.write_all(
                        format!(
                            "HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nConnection: close\r\n\r\n"
                        )
                        .as_bytes(),
                    );
                } else {
                    seen.ok.fetch_add(1, Ordering::SeqCst);
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nETag: {etag}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(head.as_bytes());
                    let _ = stream.write_all(body);
                }
            });
        }
    });
    (base, counters)
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn main() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut args = std::env::args().skip(1);
    let shipped = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| repo.join("sources.toml"));
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10);

    // The shipped configuration, every source pointed at the loopback server.
    let text = std::fs::read_to_string(&shipped).expect("read sources.toml");
    let mut table: toml::Table = text.parse().expect("parse sources.toml");
    let demo = repo.join("examples/demo");
    let pdfs = ["nou-demo.pdf", "prop-demo.pdf", "horingsuttalelse-demo.pdf"];
    let mut files = BTreeMap::new();
    let mut sources = Vec::new();
    if let Some(toml::Value::Array(list)) = table.get_mut("source") {
        for (i, source) in list.iter_mut().enumerate() {
            let Some(source) = source.as_table_mut() else {
                continue;
            };
            let id = source["id"].as_str().unwrap_or("kilde").to_string();
            let url = source["url"].as_str().unwrap_or("").to_lowercase();
            let is_pdf = url.ends_with(".pdf") || url.contains("/pdfs/") || url.contains("/fil/");
            let (file, path) = if is_pdf {
                (pdfs[i % pdfs.len()], format!("/{id}.pdf"))
            } else {
                ("samarbeidsavtale-demo.html", format!("/{id}.html"))
            };
            files.insert(
                path.clone(),
                std::fs::read(demo.join(file)).expect("demo file"),
            );
            source.insert(
                "url".into(),
                toml::Value::String(format!("http://127.0.0.1:PORT{path}")),
            );
            // The demo page has its own structure; the real page's selector does not apply, and
            // it is served as the document itself (no landing page to follow).
            for key in [
                "selector",
                "follow",
                "link_pattern",
                "entry_kind",
                "max_links",
            ] {
                source.remove(key);
            }
            sources.push(id);
        }
    }
    // One loopback host: measure samspor, not the politeness pause between requests.
    if let Some(toml::Value::Table(fetch)) = table.get_mut("fetch") {
        fetch.insert("host_delay_ms".into(), toml::Value::Integer(0));
    }
    let (base, counters) = serve(files);
    let dir = tempfile::tempdir().expect("temp dir");
    let config_path = dir.path().join("sources.toml");
    let config_text = toml::to_string(&table)
        .expect("serialise")
        .replace("http://127.0.0.1:PORT", &base);
    std::fs::write(&config_path, config_text).unwrap();
    let index = dir.path().join("index");
    println!(
        "{} sources from {} served on loopback ({base}); {runs} unchanged runs",
        sources.len(),
        shipped.display()
    );

    let config = Config::load(&config_path).expect("config");
    let started = Instant::now();
    let first = Pipeline::new(config.clone(), &index)
        .run(&Stage::ALL, "run")
        .expect("first run");
    assert!(first.all_ok(), "{:?}", first.failures);
    println!(
        "first run (fetch, extract, index, match): {:.0} ms, {} sections",
        started.elapsed().as_secs_f64() * 1000.0,
        first.sections_indexed
    );

    // In process.
    let mut in_process = Vec::new();
    let mut fetch_stage = Vec::new();
    for _ in 0..runs {
        let before = counters.not_modified.load(Ordering::SeqCst);
        let started = Instant::now();
        let config = Config::load(&config_path).expect("config");
        let summary = Pipeline::new(config, &index)
            .run(&Stage::ALL, "run")
            .expect("run");
        in_process.push(started.elapsed());
        fetch_stage.push(Duration::from_millis(summary.stage_millis["fetch"]));
        assert!(summary.reindexed.is_empty() && summary.counts.versions_extracted == 0);
        assert_eq!(
            counters.not_modified.load(Ordering::SeqCst) - before,
            sources.len(),
            "every source answered 304"
        );
    }
    println!(
        "in process (Pipeline::run): median {:.1} ms, min {:.1} ms, max {:.1} ms; of which fetching (network) median {:.1} ms",
        median(in_process.clone()).as_secs_f64() * 1000.0,
        in_process.iter().min().unwrap().as_secs_f64() * 1000.0,
        in_process.iter().max().unwrap().as_secs_f64() * 1000.0,
        median(fetch_stage).as_secs_f64() * 1000.0,
    );

    // The binary, as cron runs it.
    let binary = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent()?.parent().map(|dir| dir.join("samspor")))
        .filter(|path| path.is_file());
    match binary {
        Some(binary) => {
            let mut wall = Vec::new();
            for _ in 0..runs {
                let started = Instant::now();
                let status = Command::new(&binary)
                    .arg("--sources")
                    .arg(&config_path)
                    .arg("--index-dir")
                    .arg(&index)
                    .arg("run")
                    .stdout(std::process::Stdio::null())
                    .status()
                    .expect("run samspor");
                wall.push(started.elapsed());
                assert!(status.success());
            }
            report_binary(&binary, &wall);
        }
        None => println!(
            "(no samspor binary beside this example: `cargo build --release` first to time it)"
        ),
    }
    println!(
        "server: {} full answers, {} × 304",
        counters.ok.load(Ordering::SeqCst),
        counters.not_modified.load(Ordering::SeqCst)
    );
}

fn report_binary(binary: &Path, wall: &[Duration]) {
    println!(
        "binary ({}): median {:.1} ms, min {:.1} ms, max {:.1} ms wall time per `samspor run`",
        binary.display(),
        median(wall.to_vec()).as_secs_f64() * 1000.0,
        wall.iter().min().unwrap().as_secs_f64() * 1000.0,
        wall.iter().max().unwrap().as_secs_f64() * 1000.0,
    );
}
