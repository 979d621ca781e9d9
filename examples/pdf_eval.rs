//! Evaluate the PDF extractor over the corpus: time, pages, token-bag F1 and order ratio against
//! ground truth (own files) or poppler's pdftotext output (the rest). For files with a truth
//! text, also the share of truth sentences found verbatim (whitespace collapsed) in samspor's
//! output and, measured the same way, in NAME.pdftotext.txt.
//!
//! Usage: cargo run --release --example pdf_eval -- [CORPUS_DIR] [--dump OUT_DIR] [--only SUBSTRING]
//!        (CORPUS_DIR defaults to ../shared/pdf-corpus; `examples/demo` judges the demo PDFs
//!        against their .truth.txt; `tests/fixtures/pdf-truth` our groff/Ghostscript files)
//!        pdf_eval --one FILE   (extract one file to stdout; for per-process timing)
//!        `--missing` also prints every truth sentence that samspor's output lacks.

#[path = "support/text.rs"]
mod text;

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use regex::Regex;
use samspor::extract::model::ExtractedDoc;
use samspor::extract::pdf::{PdfError, PdfLimits, extract_pdf};

fn doc_text(d: &ExtractedDoc) -> String {
    d.reading_text()
}

/// Word tokens in compatibility form (poppler keeps presentation forms such as "ﬃ"; we expand
/// them, and both are the same word), without bidi controls.
fn tokens(re: &Regex, s: &str) -> Vec<String> {
    use unicode_normalization::UnicodeNormalization;
    // A bidi control separates runs (an embedded Latin word next to Arabic): a space.
    let clean: String = s
        .nfkc()
        .map(|c| match c {
            '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => ' ',
            c => c,
        })
        .collect();
    re.find_iter(&clean)
        .map(|m| m.as_str().to_string())
        .collect()
}

/// Corpus files where poppler's text is wrong in a way we checked by hand, and the fair
/// comparison: poppler writes these words back to front (Arabic in visual order in
/// habibi-rotated; the mirrored pages of issue-848 as "eht eivom"), so a word counts as
/// matching in either direction there. Everywhere else, poppler is the judge as is.
const POPPLER_REVERSES_WORDS: &[&str] = &["pysf__habibi-rotated.pdf", "plumb__issue-848.pdf"];

fn direction_free(tokens: Vec<String>) -> Vec<String> {
    tokens
        .into_iter()
        .map(|t| {
            let reversed: String = t.chars().rev().collect();
            t.min(reversed)
        })
        .collect()
}

fn bag_f1(a: &[String], b: &[String]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let mut ca: HashMap<&str, i64> = HashMap::new();
    for t in a {
        *ca.entry(t).or_default() += 1;
    }
    let mut common = 0i64;
    for t in b {
        if let Some(c) = ca.get_mut(t.as_str())
            && *c > 0
        {
            *c -= 1;
            common += 1;
        }
    }
    if common == 0 {
        return 0.0;
    }
    let p = common as f64 / a.len() as f64;
    let r = common as f64 / b.len() as f64;
    2.0 * p * r / (p + r)
}

/// 2·LCS / (|a| + |b|) over token sequences.
fn order_ratio(a: &[String], b: &[String]) -> Option<f64> {
    if a.is_empty() && b.is_empty() {
        return Some(1.0);
    }
    if a.len() > 40_000 || b.len() > 40_000 {
        return None;
    }
    let mut ids: HashMap<&str, u32> = HashMap::new();
    let mut ai: Vec<u32> = Vec::with_capacity(a.len());
    let mut bi: Vec<u32> = Vec::with_capacity(b.len());
    for (src, dst) in [(a, &mut ai), (b, &mut bi)] {
        for t in src {
            let n = ids.len() as u32;
            dst.push(*ids.entry(t.as_str()).or_insert(n));
        }
    }
    let mut prev = vec![0u32; bi.len() + 1];
    let mut cur = vec![0u32; bi.len() + 1];
    for &x in &ai {
        for j in 0..bi.len() {
            cur[j + 1] = if x == bi[j] {
                prev[j] + 1
            } else {
                prev[j + 1].max(cur[j])
            };
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    Some(2.0 * prev[bi.len()] as f64 / (a.len() + b.len()) as f64)
}

/// Paragraphs (and headings) of the output, one string each.
fn doc_paragraphs(d: &ExtractedDoc) -> Vec<String> {
    let mut out = Vec::new();
    for sec in &d.sections {
        if let Some(h) = &sec.heading {
            out.push(match &sec.number {
                Some(n) => format!("{n} {h}"),
                None => h.clone(),
            });
        }
        out.extend(
            sec.text
                .split("\n\n")
                .filter(|p| !p.is_empty())
                .map(str::to_string),
        );
    }
    out
}

/// Truth paragraphs (one per line) found exactly in the output, counted as a multiset.
fn paragraph_matches(d: &ExtractedDoc, truth: &str) -> (usize, usize, usize) {
    let mut ours: HashMap<String, usize> = HashMap::new();
    let paras = doc_paragraphs(d);
    for p in &paras {
        *ours.entry(p.clone()).or_default() += 1;
    }
    let mut hit = 0;
    let mut n = 0;
    for t in truth.lines().map(str::trim).filter(|t| !t.is_empty()) {
        n += 1;
        if let Some(c) = ours.get_mut(t)
            && *c > 0
        {
            *c -= 1;
            hit += 1;
        }
    }
    (hit, n, paras.len())
}

/// Whitespace collapsed to single spaces, compatibility forms (ligatures) expanded.
fn flat(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfkc()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The truth's sentences (see `support::text::sentences`), compatibility forms expanded.
fn truth_sentences(truth: &str) -> Vec<String> {
    text::sentences(truth).iter().map(|s| flat(s)).collect()
}

/// Truth sentences found verbatim (whitespace collapsed) in a text.
fn sentences_found(sentences: &[String], text: &str) -> usize {
    let text = flat(text);
    sentences
        .iter()
        .filter(|s| text.contains(s.as_str()))
        .count()
}

fn norwegian_errors(out: &str, truth: &str) -> usize {
    "æøåÆØÅ"
        .chars()
        .map(|c| {
            let a = out.chars().filter(|&x| x == c).count() as i64;
            let b = truth.chars().filter(|&x| x == c).count() as i64;
            (a - b).unsigned_abs() as usize
        })
        .sum::<usize>()
        + out.chars().filter(|&c| c == '\u{FFFD}').count()
}

fn broken_suspended(out: &str, truth: &str) -> usize {
    let re = Regex::new(r"(\w+)- (og|eller|samt)\b").unwrap();
    let mut broken = 0;
    let mut seen = std::collections::HashSet::new();
    for c in re.captures_iter(truth) {
        let key = (c[1].to_string(), c[2].to_string());
        if !seen.insert(key.clone()) {
            continue;
        }
        let want = truth.matches(&format!("{}- {}", key.0, key.1)).count();
        let got = out.matches(&format!("{}- {}", key.0, key.1)).count();
        broken += want.saturating_sub(got);
        broken += out.matches(&format!("{}{} ", key.0, key.1)).count();
    }
    broken
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `--one FILE`: extract one file and print its text (for one-process-per-file timing).
    if args.first().map(String::as_str) == Some("--one") {
        let Some(path) = args.get(1) else {
            eprintln!("usage: pdf_eval --one FILE");
            std::process::exit(2);
        };
        let bytes = std::fs::read(path).unwrap_or_default();
        match extract_pdf(&bytes, path, &PdfLimits::default()) {
            Ok(d) => print!("{}", doc_text(&d)),
            Err(e) => {
                eprintln!("error: {path}: {e}");
                std::process::exit(1);
            }
        }
        return;
    }
    let mut dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/pdf-corpus"));
    let mut dump: Option<PathBuf> = None;
    let mut only: Option<String> = None;
    let mut show_missing = false;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--dump" => {
                dump = args.get(i + 1).map(PathBuf::from);
                i += 1;
            }
            "--missing" => show_missing = true,
            "--only" => {
                only = args.get(i + 1).cloned();
                i += 1;
            }
            a => dir = PathBuf::from(a),
        }
        i += 1;
    }
    if !dir.is_dir() {
        eprintln!("skipped: corpus directory {} not found", dir.display());
        return;
    }
    if let Some(d) = &dump {
        let _ = std::fs::create_dir_all(d);
    }
    let tok_re = Regex::new(r"\w+(?:-\w+)*-?").unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .filter(|p| {
            only.as_ref()
                .is_none_or(|o| p.to_string_lossy().contains(o.as_str()))
        })
        .collect();
    files.sort();
    let limits = PdfLimits::default();
    let mut total_time = Duration::ZERO;
    let mut total_pages = 0u64;
    let mut corpus_f1 = Vec::new();
    let mut failures = Vec::new();
    let mut needs_password: Vec<String> = Vec::new();
    let mut own_paras: Vec<String> = Vec::new();
    // Truth sentences found verbatim: (file, n, samspor, pdftotext).
    let mut own_sentences: Vec<(String, usize, usize, usize)> = Vec::new();
    println!(
        "{:<48} {:>5} {:>8} {:>6} {:>6} {:>4} {:>4}  note",
        "file", "pages", "ms", "F1", "order", "nor", "susp"
    );
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let stem = name.trim_end_matches(".pdf").to_string();
        let bytes = std::fs::read(f).unwrap();
        let t0 = Instant::now();
        let r = extract_pdf(&bytes, &name, &limits);
        let dt = t0.elapsed();
        total_time += dt;
        // Files with a NAME.truth.txt (our own Norwegian fixtures) are judged against it.
        let own = dir.join(format!("{stem}.truth.txt")).is_file();
        let reference_path: PathBuf = if own {
            dir.join(format!("{stem}.truth.txt"))
        } else {
            dir.join(format!("{stem}.pdftotext.txt"))
        };
        let reference = std::fs::read_to_string(&reference_path).unwrap_or_default();
        let ref_chars = reference.chars().filter(|c| !c.is_whitespace()).count();
        match r {
            Ok(doc) => {
                total_pages += doc.pages as u64;
                let text = doc_text(&doc);
                if let Some(d) = &dump {
                    let _ = std::fs::write(d.join(format!("{stem}.txt")), &text);
                    let _ = std::fs::write(
                        d.join(format!("{stem}.json")),
                        serde_json::to_string_pretty(&doc).unwrap(),
                    );
                }
                let (mut a, mut b) = (tokens(&tok_re, &text), tokens(&tok_re, &reference));
                if !own && POPPLER_REVERSES_WORDS.contains(&name.as_str()) {
                    (a, b) = (direction_free(a), direction_free(b));
                }
                let f1 = bag_f1(&a, &b);
                let ord = order_ratio(&a, &b);
                let (nor, susp) = if own {
                    (
                        norwegian_errors(&text, &reference).to_string(),
                        broken_suspended(&text, &reference).to_string(),
                    )
                } else {
                    ("".into(), "".into())
                };
                if !own && ref_chars >= 50 {
                    corpus_f1.push((f1, name.clone()));
                }
                if own {
                    let sents = truth_sentences(&reference);
                    // poppler's text beside the file, else a fresh `pdftotext` run.
                    let poppler =
                        std::fs::read_to_string(dir.join(format!("{stem}.pdftotext.txt")))
                            .ok()
                            .or_else(|| {
                                std::process::Command::new("pdftotext")
                                    .arg(f)
                                    .arg("-")
                                    .output()
                                    .ok()
                                    .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
                            })
                            .unwrap_or_default();
                    if show_missing {
                        let flat_text = flat(&text);
                        for s in sents.iter().filter(|s| !flat_text.contains(s.as_str())) {
                            println!("  missing in {name}: {s}");
                        }
                    }
                    own_sentences.push((
                        name.clone(),
                        sents.len(),
                        sentences_found(&sents, &text),
                        sentences_found(&sents, &poppler),
                    ));
                    let (hit, n, ours) = paragraph_matches(&doc, &reference);
                    own_paras.push(format!(
                        "{name}: {hit}/{n} truth paragraphs exact ({ours} in output)"
                    ));
                }
                let note = if doc.warnings.is_empty() {
                    String::new()
                } else {
                    format!("{} warnings: {}", doc.warnings.len(), doc.warnings[0])
                };
                println!(
                    "{:<48} {:>5} {:>8.1} {:>6.3} {:>6} {:>4} {:>4}  {}",
                    name,
                    doc.pages,
                    dt.as_secs_f64() * 1000.0,
                    f1,
                    ord.map(|o| format!("{o:.3}")).unwrap_or("-".into()),
                    nor,
                    susp,
                    note.chars().take(90).collect::<String>()
                );
            }
            Err(e) => {
                println!(
                    "{:<48} {:>5} {:>8.1} {:>6} {:>6} {:>4} {:>4}  error: {}",
                    name,
                    "",
                    dt.as_secs_f64() * 1000.0,
                    "",
                    "",
                    "",
                    "",
                    e
                );
                if ref_chars >= 50 {
                    failures.push(format!("{name}: {e} (poppler has {ref_chars} chars)"));
                    if !own {
                        corpus_f1.push((0.0, name.clone()));
                        if matches!(e, PdfError::Encrypted) {
                            needs_password.push(name.clone());
                        }
                    }
                }
            }
        }
    }
    corpus_f1.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n = corpus_f1.len().max(1) as f64;
    let mean = corpus_f1.iter().map(|x| x.0).sum::<f64>() / n;
    let median = corpus_f1
        .get(corpus_f1.len() / 2)
        .map(|x| x.0)
        .unwrap_or(0.0);
    println!();
    println!(
        "files: {}, pages: {}, extraction time: {:.3} s, {:.0} pages/s (one core, in process)",
        files.len(),
        total_pages,
        total_time.as_secs_f64(),
        total_pages as f64 / total_time.as_secs_f64().max(1e-9)
    );
    println!(
        "corpus files with text (vs poppler): n={} mean F1 {:.4}, median F1 {:.4}",
        corpus_f1.len(),
        mean,
        median
    );
    let rest: Vec<f64> = corpus_f1
        .iter()
        .filter(|x| !needs_password.contains(&x.1))
        .map(|x| x.0)
        .collect();
    println!(
        "  without the {} files that need a password (poppler was given it, we are not): n={} mean F1 {:.4}",
        needs_password.len(),
        rest.len(),
        rest.iter().sum::<f64>() / rest.len().max(1) as f64
    );
    println!(
        "lowest: {}",
        corpus_f1
            .iter()
            .take(8)
            .map(|(f, n)| format!("{n} {f:.3}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for p in &own_paras {
        println!("paragraphs: {p}");
    }
    let (mut n_all, mut ours_all, mut pop_all) = (0, 0, 0);
    for (name, n, ours, pop) in &own_sentences {
        let r = |x: usize| x as f64 / (*n).max(1) as f64;
        println!(
            "sentences: {name}: truth sentences verbatim: samspor {ours}/{n} ({:.3}), pdftotext {pop}/{n} ({:.3})",
            r(*ours),
            r(*pop)
        );
        n_all += n;
        ours_all += ours;
        pop_all += pop;
    }
    if n_all > 0 {
        println!(
            "sentences: all truth files: samspor {ours_all}/{n_all} ({:.3}), pdftotext {pop_all}/{n_all} ({:.3})",
            ours_all as f64 / n_all as f64,
            pop_all as f64 / n_all as f64
        );
    }
    println!("failures on files poppler reads: {}", failures.len());
    for f in failures {
        println!("  {f}");
    }
}
