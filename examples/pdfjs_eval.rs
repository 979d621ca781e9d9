//! Robustness and font coverage on a directory of foreign PDFs (mozilla/pdf.js's `test/pdfs/`),
//! with poppler's `pdftotext` beside samspor on every file.
//!
//! Per file: samspor's words kept relative to pdftotext's (bag of lowercase words: the share of
//! pdftotext's words that samspor's text has too), the time of both, samspor's error, and a
//! summary of the file's fonts (to tell a font cause from a layout cause). Summary: panics
//! (each file runs in a child process whose extraction is wrapped in `catch_unwind`, so even an
//! abort or a stack overflow is reported, not fatal), files over 20 s, and the share of files
//! with text (pdftotext finds ≥ 20 words) where samspor keeps ≥ 80% of pdftotext's words.
//!
//! ```sh
//! cargo run --release --example pdfjs_eval -- DIR [--only SUBSTRING] [--jobs N] [--all]
//! ```
//!
//! pdftotext's text and time are cached in DIR/.pdftotext/ (delete it to re-time). `--all`
//! lists every file, not only those under 80%.
//! `pdfjs_eval --child FILE` is the per-file worker (one header line, then the text).

use std::collections::HashMap;
use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use regex::Regex;
use samspor::extract::model::ExtractedDoc;
use samspor::extract::pdf::{PdfLimits, extract_pdf};

/// A file "has text" when pdftotext finds at least this many words in it.
const MIN_WORDS: usize = 20;
/// The share of pdftotext's words a file must keep.
const KEEP: f64 = 0.8;
/// Slowest acceptable extraction.
const MAX_SECS: f64 = 20.0;
/// A child still running after this is killed (reported as a hang).
const KILL_AFTER: Duration = Duration::from_secs(90);

fn doc_text(d: &ExtractedDoc) -> String {
    d.reading_text()
}

/// A short description of the document's fonts: subtype, embedded program, encoding kind and
/// whether a ToUnicode map is present ("Type1/FF1/diff", "Type0:CIDFontType2/FF2/Identity-H/noTU").
fn font_summary(bytes: &[u8]) -> String {
    use lopdf::Object;
    let Ok(doc) = lopdf::Document::load_mem(bytes) else {
        return String::new();
    };
    let get = |o: &Object| -> Option<Object> {
        match o {
            Object::Reference(id) => doc.get_object(*id).ok().cloned(),
            o => Some(o.clone()),
        }
    };
    let mut kinds: HashMap<String, usize> = HashMap::new();
    for obj in doc.objects.values() {
        let Ok(d) = obj.as_dict() else { continue };
        if !matches!(d.get(b"Type").and_then(|o| o.as_name()), Ok(b"Font")) {
            continue;
        }
        let sub = d
            .get(b"Subtype")
            .and_then(|o| o.as_name())
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .unwrap_or_default();
        if sub.starts_with("CIDFontType") {
            continue;
        }
        let mut k = sub.clone();
        let mut desc_owner = d.clone();
        if sub == "Type0"
            && let Ok(Object::Array(a)) = d
                .get(b"DescendantFonts")
                .map(|o| get(o).unwrap_or(Object::Null))
            && let Some(Object::Dictionary(df)) = a.first().and_then(get)
        {
            let s = df
                .get(b"Subtype")
                .and_then(|o| o.as_name())
                .map(|n| String::from_utf8_lossy(n).into_owned())
                .unwrap_or_default();
            k.push(':');
            k.push_str(&s);
            desc_owner = df;
        }
        if let Ok(o) = desc_owner.get(b"FontDescriptor")
            && let Some(Object::Dictionary(fd)) = get(o)
        {
            for (key, label) in [
                ("FontFile", "FF1"),
                ("FontFile2", "FF2"),
                ("FontFile3", "FF3"),
            ] {
                if fd.has(key.as_bytes()) {
                    k.push('/');
                    k.push_str(label);
                }
            }
        }
        match d.get(b"Encoding").ok().and_then(get) {
            Some(Object::Name(n)) => {
                k.push('/');
                k.push_str(&String::from_utf8_lossy(&n).replace("Encoding", ""));
            }
            Some(Object::Dictionary(_)) => k.push_str("/diff"),
            Some(Object::Stream(_)) => k.push_str("/cmapstream"),
            _ => {}
        }
        if !d.has(b"ToUnicode") {
            k.push_str("/noTU");
        }
        *kinds.entry(k).or_default() += 1;
    }
    let mut v: Vec<(String, usize)> = kinds.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut s = v
        .iter()
        .take(4)
        .map(|(k, n)| format!("{k}×{n}"))
        .collect::<Vec<_>>()
        .join(" ");
    let acro = doc.catalog().ok().is_some_and(|c| c.has(b"AcroForm"));
    if acro {
        s.push_str(" +AcroForm");
    }
    s
}

fn child(path: &str) {
    let bytes = std::fs::read(path).unwrap_or_default();
    let t0 = Instant::now();
    let r = catch_unwind(AssertUnwindSafe(|| {
        extract_pdf(&bytes, path, &PdfLimits::default())
    }));
    let ms = t0.elapsed().as_secs_f64() * 1000.0;
    let fonts = font_summary(&bytes).replace('\t', " ");
    match r {
        Ok(Ok(d)) => {
            let warn = d.warnings.first().cloned().unwrap_or_default();
            println!(
                "{ms:.1}\t{}\tok\t{}\t{fonts}",
                d.pages,
                warn.replace('\t', " ")
            );
            print!("{}", doc_text(&d));
        }
        Ok(Err(e)) => println!("{ms:.1}\t0\terror\t{e}\t{fonts}"),
        Err(_) => println!("{ms:.1}\t0\tpanic\tcaught panic\t{fonts}"),
    }
}

/// Run a command with a time limit: (stdout, elapsed, finished).
fn run_limited(mut cmd: Command, limit: Duration) -> (Vec<u8>, Duration, bool) {
    let t0 = Instant::now();
    let Ok(mut ch) = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn() else {
        return (Vec::new(), t0.elapsed(), false);
    };
    let mut out = ch.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    loop {
        match ch.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if t0.elapsed() > limit => {
                let _ = ch.kill();
                let _ = ch.wait();
                let dt = t0.elapsed();
                return (reader.join().unwrap_or_default(), dt, false);
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(_) => break,
        }
    }
    let dt = t0.elapsed();
    (reader.join().unwrap_or_default(), dt, true)
}

fn words(re: &Regex, s: &str) -> HashMap<String, usize> {
    use unicode_normalization::UnicodeNormalization;
    let clean: String = s.nfkc().collect::<String>().to_lowercase();
    let mut m = HashMap::new();
    for w in re.find_iter(&clean) {
        *m.entry(w.as_str().to_string()).or_default() += 1;
    }
    m
}

/// Share of `reference`'s words (with multiplicity) found in `ours`.
fn kept(ours: &HashMap<String, usize>, reference: &HashMap<String, usize>) -> f64 {
    let total: usize = reference.values().sum();
    if total == 0 {
        return 1.0;
    }
    let common: usize = reference
        .iter()
        .map(|(w, &n)| n.min(ours.get(w).copied().unwrap_or(0)))
        .sum();
    common as f64 / total as f64
}

struct Row {
    name: String,
    pages: u32,
    ours_ms: f64,
    pop_ms: f64,
    pop_words: usize,
    ours_words: usize,
    kept: f64,
    status: String,
    note: String,
    fonts: String,
}

/// pdftotext's text and milliseconds for a file, cached in `cache`.
fn poppler(cache: &Path, f: &Path, name: &str) -> (String, f64) {
    let txt = cache.join(format!("{name}.txt"));
    let msf = cache.join(format!("{name}.ms"));
    if let (Ok(t), Ok(ms)) = (std::fs::read_to_string(&txt), std::fs::read_to_string(&msf))
        && let Ok(ms) = ms.trim().parse::<f64>()
    {
        return (t, ms);
    }
    let mut cmd = Command::new("pdftotext");
    cmd.args(["-enc", "UTF-8"]).arg(f).arg("-");
    let (out, dt, _) = run_limited(cmd, KILL_AFTER);
    let t = String::from_utf8_lossy(&out).into_owned();
    let ms = dt.as_secs_f64() * 1000.0;
    let _ = std::fs::write(&txt, &t);
    let _ = std::fs::write(&msf, format!("{ms:.1}"));
    (t, ms)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child") {
        child(args.get(1).map(String::as_str).unwrap_or(""));
        return;
    }
    let mut dir: Option<PathBuf> = None;
    let mut only: Option<String> = None;
    let mut jobs = 1usize;
    let mut all = false;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--only" => {
                only = args.get(i + 1).cloned();
                i += 1;
            }
            "--jobs" => {
                jobs = args.get(i + 1).and_then(|n| n.parse().ok()).unwrap_or(1);
                i += 1;
            }
            "--all" => all = true,
            a if a.starts_with("--") => {
                eprintln!("unknown option {a}");
                std::process::exit(2);
            }
            a => dir = Some(PathBuf::from(a)),
        }
        i += 1;
    }
    let Some(dir) = dir else {
        eprintln!("usage: pdfjs_eval DIR [--only SUBSTRING] [--jobs N] [--all]");
        std::process::exit(2);
    };
    if !dir.is_dir() {
        eprintln!("skipped: directory {} not found", dir.display());
        return;
    }
    if Command::new("pdftotext").arg("-v").output().is_err() {
        eprintln!("skipped: pdftotext not installed (apt-get install poppler-utils)");
        return;
    }
    let cache = dir.join(".pdftotext");
    let _ = std::fs::create_dir_all(&cache);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf")))
        .filter(|p| {
            only.as_ref()
                .is_none_or(|o| p.to_string_lossy().contains(o.as_str()))
        })
        .collect();
    files.sort();
    let me = std::env::current_exe().expect("own path");
    let re = Regex::new(r"\w+").unwrap();
    let next = AtomicUsize::new(0);
    let rows: Mutex<Vec<Row>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1) {
            s.spawn(|| {
                loop {
                    let k = next.fetch_add(1, Ordering::SeqCst);
                    let Some(f) = files.get(k) else { break };
                    let name = f.file_name().unwrap().to_string_lossy().to_string();
                    let (pop_text, pop_ms) = poppler(&cache, f, &name);
                    let mut cmd = Command::new(&me);
                    cmd.arg("--child").arg(f);
                    let (out, dt, finished) = run_limited(cmd, KILL_AFTER);
                    let out = String::from_utf8_lossy(&out).into_owned();
                    let (head, text) = out.split_once('\n').unwrap_or((out.as_str(), ""));
                    let h: Vec<&str> = head.split('\t').collect();
                    let (ours_ms, pages, status, note, fonts) = if !finished {
                        (
                            dt.as_secs_f64() * 1000.0,
                            0,
                            "hang".to_string(),
                            "killed".to_string(),
                            String::new(),
                        )
                    } else if h.len() < 5 {
                        (
                            dt.as_secs_f64() * 1000.0,
                            0,
                            "crash".to_string(),
                            "child died (abort or stack overflow)".to_string(),
                            String::new(),
                        )
                    } else {
                        (
                            h[0].parse().unwrap_or(0.0),
                            h[1].parse().unwrap_or(0),
                            h[2].to_string(),
                            h[3].to_string(),
                            h[4].to_string(),
                        )
                    };
                    let pw = words(&re, &pop_text);
                    let ow = words(&re, text);
                    let row = Row {
                        name,
                        pages,
                        ours_ms,
                        pop_ms,
                        pop_words: pw.values().sum(),
                        ours_words: ow.values().sum(),
                        kept: kept(&ow, &pw),
                        status,
                        note,
                        fonts,
                    };
                    rows.lock().unwrap().push(row);
                }
            });
        }
    });
    let mut rows = rows.into_inner().unwrap();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    println!(
        "{:<40} {:>5} {:>8} {:>8} {:>7} {:>7} {:>6}  status / note / fonts",
        "file", "pages", "ours ms", "pop ms", "pop w", "our w", "kept"
    );
    let with_text: Vec<&Row> = rows.iter().filter(|r| r.pop_words >= MIN_WORDS).collect();
    for r in &rows {
        let low = r.pop_words >= MIN_WORDS && r.kept < KEEP;
        if all
            || low
            || r.status == "panic"
            || r.status == "crash"
            || r.status == "hang"
            || r.ours_ms > MAX_SECS * 1000.0
        {
            println!(
                "{:<40} {:>5} {:>8.1} {:>8.1} {:>7} {:>7} {:>6.3}  {} {} | {}",
                r.name.chars().take(40).collect::<String>(),
                r.pages,
                r.ours_ms,
                r.pop_ms,
                r.pop_words,
                r.ours_words,
                r.kept,
                r.status,
                r.note.chars().take(70).collect::<String>(),
                r.fonts
            );
        }
    }
    let good = with_text.iter().filter(|r| r.kept >= KEEP).count();
    let panics = rows.iter().filter(|r| r.status == "panic").count();
    let crashes = rows
        .iter()
        .filter(|r| r.status == "crash" || r.status == "hang")
        .count();
    let slow: Vec<&Row> = rows
        .iter()
        .filter(|r| r.ours_ms > MAX_SECS * 1000.0)
        .collect();
    let max = rows.iter().map(|r| r.ours_ms).fold(0.0, f64::max);
    let max_name = rows
        .iter()
        .find(|r| r.ours_ms == max)
        .map(|r| r.name.as_str())
        .unwrap_or("");
    let ours_total: f64 = rows.iter().map(|r| r.ours_ms).sum();
    let pop_total: f64 = rows.iter().map(|r| r.pop_ms).sum();
    let words_pop: usize = with_text.iter().map(|r| r.pop_words).sum();
    let words_kept: f64 = with_text.iter().map(|r| r.kept * r.pop_words as f64).sum();
    println!();
    println!(
        "files: {}, with text (pdftotext ≥ {MIN_WORDS} words): {}",
        rows.len(),
        with_text.len()
    );
    println!(
        "files with text keeping ≥ {:.0}% of pdftotext's words: {good}/{} = {:.3}",
        KEEP * 100.0,
        with_text.len(),
        good as f64 / with_text.len().max(1) as f64
    );
    println!(
        "pdftotext's words kept over all files with text: {:.3}",
        words_kept / words_pop.max(1) as f64
    );
    println!(
        "caught panics: {panics}, crashes or hangs: {crashes}, files over {MAX_SECS} s: {}",
        slow.len()
    );
    println!("slowest: {max_name} {:.0} ms", max);
    println!(
        "total time: samspor {:.1} s (in-process extraction), pdftotext {:.1} s (process per file), ratio {:.2}",
        ours_total / 1000.0,
        pop_total / 1000.0,
        ours_total / pop_total.max(1e-9)
    );
}
