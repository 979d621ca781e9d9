//! Throughput of `refs::find_citations` on the real corpus (`../shared/real-corpus/`: the
//! pdftotext files, and the text of every HTML page), beside a reference: a plain keyword
//! count over the same text (`str::matches` for "§", "NOU", "lov", "forskrift", "Prop."), the
//! floor any scan of the text costs.
//!
//! Usage: `cargo run --release --example refs_bench [-- --rounds N] [--json]`. Prints, per
//! file and in total, MB/s of the recogniser and of the keyword count, and their ratio.
//! Skips with a printed reason when `../shared/real-corpus/` is absent.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use scraper::{Html, Selector};

const KEYWORDS: &[&str] = &["§", "NOU", "lov", "forskrift", "Prop."];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rounds: u32 = args
        .iter()
        .position(|a| a == "--rounds")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(3);
    let json = args.iter().any(|a| a == "--json");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/real-corpus");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!("skipped: {} is absent", dir.display());
        return ExitCode::SUCCESS;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.to_string_lossy();
            name.ends_with(".pdftotext.txt") || name.ends_with(".html")
        })
        .collect();
    files.sort();
    // Compile the patterns before timing.
    let _ = samspor::refs::find_citations("NOU 2023: 4 og helsepersonelloven § 4");

    let mut total = (0usize, Duration::ZERO, Duration::ZERO, 0usize);
    let mut rows = Vec::new();
    for path in &files {
        let Ok(raw) = std::fs::read_to_string(path) else {
            continue;
        };
        let text = if path.extension().is_some_and(|e| e == "html") {
            html_text(&raw)
        } else {
            raw
        };
        let mut found = 0;
        let started = Instant::now();
        for _ in 0..rounds {
            found = samspor::refs::find_citations(&text).len();
        }
        let recogniser = started.elapsed();
        let started = Instant::now();
        let mut hits = 0;
        for _ in 0..rounds {
            hits = KEYWORDS
                .iter()
                .map(|k| std::hint::black_box(&text).matches(k).count())
                .sum::<usize>();
        }
        let keywords = started.elapsed();
        let bytes = text.len() * rounds as usize;
        total.0 += bytes;
        total.1 += recogniser;
        total.2 += keywords;
        total.3 += found;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        rows.push((
            name,
            text.len(),
            found,
            hits,
            mbps(bytes, recogniser),
            mbps(bytes, keywords),
        ));
    }
    if json {
        let files: Vec<_> = rows
            .iter()
            .map(|(name, bytes, found, _, r, k)| {
                serde_json::json!({"file": name, "bytes": bytes, "citations": found,
                    "recogniser_mb_s": r, "keywords_mb_s": k})
            })
            .collect();
        let out = serde_json::json!({
            "rounds": rounds,
            "files": files,
            "recogniser_mb_s": mbps(total.0, total.1),
            "keywords_mb_s": mbps(total.0, total.2),
        });
        println!("{out}");
        return ExitCode::SUCCESS;
    }
    println!(
        "{:<44} {:>8} {:>6} {:>10} {:>10} {:>7}",
        "file", "bytes", "cites", "refs MB/s", "kw MB/s", "ratio"
    );
    for (name, bytes, found, _, r, k) in &rows {
        println!(
            "{name:<44} {bytes:>8} {found:>6} {r:>10.2} {k:>10.1} {:>7.4}",
            r / k
        );
    }
    let (r, k) = (mbps(total.0, total.1), mbps(total.0, total.2));
    println!(
        "{:<44} {:>8} {:>6} {r:>10.2} {k:>10.1} {:>7.4}",
        "total",
        total.0 / rounds as usize,
        total.3,
        r / k
    );
    ExitCode::SUCCESS
}

fn mbps(bytes: usize, took: Duration) -> f64 {
    bytes as f64 / 1e6 / took.as_secs_f64().max(1e-9)
}

/// The text of a page's body, one text node a line.
fn html_text(html: &str) -> String {
    let doc = Html::parse_document(html);
    let body = Selector::parse("body").expect("selector parses");
    doc.select(&body)
        .flat_map(|b| b.text())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}
