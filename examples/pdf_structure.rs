//! Section structure against bookmarks: for every PDF with numbered bookmarks, the share of
//! them found as a section with that number starting at the bookmark's page; also numbered
//! sections no bookmark has (table-of-contents lines read as headings, numbered lists).
//!
//! Usage: cargo run --release --example pdf_structure -- [FILE_OR_DIR]... [--list]
//!        (default ../shared/real-corpus; `--list` prints every miss and extra)

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use samspor::extract::pdf::{PdfLimits, bookmarks, extract_pdf, heading_number};

fn main() {
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut list = false;
    for a in std::env::args().skip(1) {
        if a == "--list" {
            list = true;
        } else {
            paths.push(PathBuf::from(a));
        }
    }
    if paths.is_empty() {
        paths.push(PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/real-corpus"
        )));
    }
    let mut files: Vec<PathBuf> = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut v: Vec<PathBuf> = std::fs::read_dir(&p)
                .map(|rd| rd.flatten().map(|e| e.path()).collect())
                .unwrap_or_default();
            v.retain(|f| f.extension().is_some_and(|e| e == "pdf"));
            v.sort();
            files.extend(v);
        } else if p.is_file() {
            files.push(p);
        } else {
            eprintln!("skipped: {} not found", p.display());
        }
    }
    let limits = PdfLimits::default();
    let (mut all_found, mut all_n) = (0usize, 0usize);
    for f in &files {
        let Ok(bytes) = std::fs::read(f) else {
            continue;
        };
        let name = f
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let doc = match extract_pdf(&bytes, &name, &limits) {
            Ok(d) => d,
            Err(e) => {
                println!("{name}: error: {e}");
                continue;
            }
        };
        let marks: Vec<(String, u32, String)> = bookmarks(&bytes, &limits)
            .into_iter()
            .filter_map(|b| Some((heading_number(&b.title)?, b.page?, b.title)))
            .collect();
        let sections: HashMap<&str, Vec<u32>> =
            doc.sections.iter().fold(HashMap::new(), |mut m, s| {
                if let Some(n) = &s.number {
                    m.entry(n.as_str()).or_default().push(s.page_start);
                }
                m
            });
        let numbered = doc.sections.iter().filter(|s| s.number.is_some()).count();
        let mut found = 0;
        let mut misses = Vec::new();
        for (n, page, title) in &marks {
            if sections.get(n.as_str()).is_some_and(|v| v.contains(page)) {
                found += 1;
            } else {
                misses.push(format!(
                    "{title} (p. {page}; got {:?})",
                    sections.get(n.as_str())
                ));
            }
        }
        let mark_numbers: HashSet<&str> = marks.iter().map(|m| m.0.as_str()).collect();
        let extras: Vec<String> = doc
            .sections
            .iter()
            .filter(|s| {
                s.number
                    .as_deref()
                    .is_some_and(|n| !marks.is_empty() && !mark_numbers.contains(n))
            })
            .map(|s| {
                format!(
                    "{} {} (p. {})",
                    s.number.as_deref().unwrap_or(""),
                    s.heading.as_deref().unwrap_or(""),
                    s.page_start
                )
            })
            .collect();
        if marks.is_empty() {
            println!(
                "{name}: {} pages, no numbered bookmarks; {} sections, {numbered} numbered",
                doc.pages,
                doc.sections.len()
            );
            if list {
                for s in &doc.sections {
                    println!(
                        "  {} {} (p. {})",
                        s.number.as_deref().unwrap_or("-"),
                        s.heading.as_deref().unwrap_or(""),
                        s.page_start
                    );
                }
            }
            continue;
        }
        all_found += found;
        all_n += marks.len();
        println!(
            "{name}: {} pages, numbered bookmarks found as sections at their page: {found}/{} ({:.3}); numbered sections without a bookmark: {}",
            doc.pages,
            marks.len(),
            found as f64 / marks.len() as f64,
            extras.len()
        );
        if list {
            for m in &misses {
                println!("  miss: {m}");
            }
            for x in &extras {
                println!("  extra: {x}");
            }
        }
    }
    if all_n > 0 {
        println!(
            "all: {all_found}/{all_n} ({:.3})",
            all_found as f64 / all_n as f64
        );
    }
}
