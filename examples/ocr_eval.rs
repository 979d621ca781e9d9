//! OCR evaluation: scans of our own Norwegian fixtures (tests/fixtures/ocr: dev split = a
//! consultation response in bokmål and a signed agreement in nynorsk, used for tuning; test
//! split (`--test`) = a meeting record in bokmål, held out) made the way offices make them — 300 and
//! 150 dpi, grey and black-and-white, skewed 1–2°, one JPEG-compressed — read by samspor
//! (Tesseract `nor` behind the PDF extractor) and scored against the truth text:
//!
//! * word F1 (bag of words, punctuation around words stripped, case kept);
//! * the share of truth sentences found whole (whitespace collapsed) in the output;
//! * the share of truth words with æ, ø or å that come out right (bag of words);
//!
//! beside the ceiling: pdftotext and samspor on the born-digital PDF the scans were made from.
//! Then speed and memory on a 20-page 300 dpi scan: pages per second, per core (CPU seconds of
//! samspor and its Tesseract children, getrusage) and the peak resident memory of samspor and of
//! the largest Tesseract process.
//!
//! Usage: bash tests/fixtures/ocr/make.sh --all target/ocr-eval
//!        cargo run --release --example ocr_eval -- [target/ocr-eval] [--test] [--no-speed] [--dump]
//!
//! Held-out texts nobody here has seen: `--texts SRC` takes every plain UTF-8 `SRC/NAME.txt`
//! (paragraphs separated by blank lines, no markup), typesets and scans it the same way
//! (`make.sh --texts SRC DIR/texts`, so groff, poppler-utils, imagemagick, img2pdf and python3
//! must be installed), and scores those texts instead of the dev or test split:
//!        cargo run --release --example ocr_eval -- target/ocr-eval --texts /path/to/texts --no-speed
//! `--dump` writes what samspor read from each scan beside it (NAME.KIND.out.txt).

#[path = "support/text.rs"]
mod text;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use samspor::extract::model::ExtractedDoc;
use samspor::extract::pdf::{PdfLimits, extract_pdf};

const KINDS: &[&str] = &["300-grey", "300-bw", "150-grey-jpeg", "150-bw"];
const DEV: &[&str] = &["horing", "avtale"];
const TEST: &[&str] = &["referat"];

fn doc_text(d: &ExtractedDoc) -> String {
    let mut s = String::new();
    if let Some(t) = &d.title
        && !d.sections.iter().any(|x| x.heading.as_deref() == Some(t))
    {
        s.push_str(t);
        s.push('\n');
    }
    s.push_str(&d.reading_text());
    s
}

fn words(s: &str) -> Vec<String> {
    s.split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric() && c != '§')
                .to_string()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

fn bag(ws: &[String]) -> HashMap<&str, usize> {
    let mut m = HashMap::new();
    for w in ws {
        *m.entry(w.as_str()).or_insert(0) += 1;
    }
    m
}

fn overlap(a: &HashMap<&str, usize>, b: &HashMap<&str, usize>) -> usize {
    a.iter()
        .map(|(w, n)| (*n).min(*b.get(w).unwrap_or(&0)))
        .sum()
}

fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[derive(Default, Clone, Copy)]
struct Score {
    truth_words: usize,
    out_words: usize,
    common: usize,
    sentences: usize,
    sentences_whole: usize,
    aeoa: usize,
    aeoa_right: usize,
}

impl Score {
    fn of(out: &str, truth: &str) -> Score {
        let (tw, ow) = (words(truth), words(out));
        let (tb, ob) = (bag(&tw), bag(&ow));
        let special: Vec<String> = tw
            .iter()
            .filter(|w| w.chars().any(|c| "æøåÆØÅ".contains(c)))
            .cloned()
            .collect();
        let sb = bag(&special);
        let text = flat(out);
        let sents = text::sentences(truth);
        Score {
            truth_words: tw.len(),
            out_words: ow.len(),
            common: overlap(&tb, &ob),
            sentences: sents.len(),
            sentences_whole: sents.iter().filter(|s| text.contains(s.as_str())).count(),
            aeoa: special.len(),
            aeoa_right: overlap(&sb, &ob),
        }
    }
    fn add(&mut self, o: Score) {
        self.truth_words += o.truth_words;
        self.out_words += o.out_words;
        self.common += o.common;
        self.sentences += o.sentences;
        self.sentences_whole += o.sentences_whole;
        self.aeoa += o.aeoa;
        self.aeoa_right += o.aeoa_right;
    }
    fn f1(&self) -> f64 {
        let p = self.common as f64 / self.out_words.max(1) as f64;
        let r = self.common as f64 / self.truth_words.max(1) as f64;
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    fn line(&self, name: &str) -> String {
        format!(
            "{name:<26} {:>6.3} {:>6.3} {:>6.3}   ({}/{} sentences, {}/{} æøå words)",
            self.f1(),
            self.sentences_whole as f64 / self.sentences.max(1) as f64,
            self.aeoa_right as f64 / self.aeoa.max(1) as f64,
            self.sentences_whole,
            self.sentences,
            self.aeoa_right,
            self.aeoa
        )
    }
}

fn rusage(who: i32) -> (f64, i64) {
    // SAFETY: getrusage writes into the zeroed struct we pass and reads nothing else.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(who, &mut u) };
    let t = |v: libc::timeval| v.tv_sec as f64 + v.tv_usec as f64 / 1e6;
    (t(u.ru_utime) + t(u.ru_stime), u.ru_maxrss)
}

fn pdftotext(path: &Path) -> Option<String> {
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Typesets and scans every `src/*.txt` into `out` with make.sh; the names of the texts.
fn scan_texts(src: &Path, out: &Path) -> Result<Vec<String>, String> {
    let mut names: Vec<String> = std::fs::read_dir(src)
        .map_err(|e| format!("{}: {e}", src.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    names.sort();
    if names.is_empty() {
        return Err(format!("no .txt files in {}", src.display()));
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ocr/make.sh");
    let status = std::process::Command::new("bash")
        .arg(&script)
        .arg("--texts")
        .arg(src)
        .arg(out)
        .status()
        .map_err(|e| format!("bash {}: {e}", script.display()))?;
    if !status.success() {
        return Err(format!("{} --texts failed ({status})", script.display()));
    }
    Ok(names)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = PathBuf::from("target/ocr-eval");
    let limits = PdfLimits::default();
    if let Err(e) = samspor::extract::ocr::available(&limits.ocr) {
        eprintln!("ocr_eval: {e}");
        std::process::exit(2);
    }
    let test = args.iter().any(|a| a == "--test");
    let texts = args
        .iter()
        .position(|a| a == "--texts")
        .map(|i| match args.get(i + 1) {
            Some(t) => PathBuf::from(t),
            None => {
                eprintln!("ocr_eval: --texts needs a directory of .txt files");
                std::process::exit(2);
            }
        });
    let positional = args
        .iter()
        .enumerate()
        .find(|(i, a)| !a.starts_with("--") && (*i == 0 || args[i - 1] != "--texts"))
        .map(|(_, a)| PathBuf::from(a));
    let dir = positional.unwrap_or(dir);
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!(
            "ocr_eval [DIR] [--test | --texts SRC] [--no-speed] [--dump]\n\
             DIR: what `bash tests/fixtures/ocr/make.sh --all DIR` wrote (default target/ocr-eval)\n\
             --test: the held-out split; --texts SRC: plain UTF-8 SRC/*.txt, scanned into DIR/texts\n\
             --no-speed: skip the 20-page speed run; --dump: write NAME.KIND.out.txt beside each scan"
        );
        return;
    }
    let (dir, names): (PathBuf, Vec<String>) = match &texts {
        Some(src) => match scan_texts(src, &dir.join("texts")) {
            Ok(n) => (dir.join("texts"), n),
            Err(e) => {
                eprintln!("ocr_eval: {e}");
                std::process::exit(2);
            }
        },
        None => (
            dir,
            if test { TEST } else { DEV }
                .iter()
                .map(|s| s.to_string())
                .collect(),
        ),
    };
    let split = match (&texts, test) {
        (Some(_), _) => "texts",
        (None, true) => "test",
        (None, false) => "dev",
    };
    println!("split: {split}");
    println!("{:<26} {:>6} {:>6} {:>6}", "kind", "F1", "whole", "æøå");
    let mut per_kind: Vec<(String, Score)> = Vec::new();
    let mut ceiling_poppler = Score::default();
    let mut ceiling_samspor = Score::default();
    for doc in names.iter().map(String::as_str) {
        let truth = std::fs::read_to_string(dir.join(format!("{doc}.truth.txt")))
            .unwrap_or_else(|e| panic!("{}: {e} (run make.sh --all first)", dir.display()));
        let text_pdf = dir.join(format!("{doc}.text.pdf"));
        if let Some(t) = pdftotext(&text_pdf) {
            let s = Score::of(&t, &truth);
            println!("{}", s.line(&format!("{doc} text pdftotext")));
            ceiling_poppler.add(s);
        }
        let bytes = std::fs::read(&text_pdf).unwrap();
        let d = extract_pdf(&bytes, doc, &limits).unwrap();
        let s = Score::of(&doc_text(&d), &truth);
        println!("{}", s.line(&format!("{doc} text samspor")));
        ceiling_samspor.add(s);
        for kind in KINDS {
            let path = dir.join(format!("{doc}.{kind}.pdf"));
            let bytes = std::fs::read(&path).unwrap();
            let started = Instant::now();
            let out = match extract_pdf(&bytes, doc, &limits) {
                Ok(d) => {
                    if args.iter().any(|a| a == "--dump") {
                        std::fs::write(dir.join(format!("{doc}.{kind}.out.txt")), doc_text(&d))
                            .ok();
                    }
                    doc_text(&d)
                }
                Err(e) => {
                    println!("{doc} {kind}: {e}");
                    String::new()
                }
            };
            let s = Score::of(&out, &truth);
            println!(
                "{}  {:.1} s",
                s.line(&format!("{doc} {kind}")),
                started.elapsed().as_secs_f64()
            );
            match per_kind.iter_mut().find(|(k, _)| k == kind) {
                Some((_, t)) => t.add(s),
                None => per_kind.push((kind.to_string(), s)),
            }
        }
    }
    println!("\nall {split} documents");
    println!("{}", ceiling_poppler.line("text PDF, pdftotext"));
    println!("{}", ceiling_samspor.line("text PDF, samspor"));
    for (k, s) in &per_kind {
        println!("{}", s.line(&format!("scan {k}")));
    }
    for (k, s) in &per_kind {
        println!(
            "ratio to pdftotext F1, {k:<14} {:.3}",
            s.f1() / ceiling_poppler.f1().max(1e-9)
        );
    }
    if args.iter().any(|a| a == "--no-speed") {
        return;
    }
    let long = dir.join("long.300-grey.pdf");
    let Ok(bytes) = std::fs::read(&long) else {
        println!("no {}: speed not measured", long.display());
        return;
    };
    let (cpu0, _) = rusage(libc::RUSAGE_SELF);
    let (ccpu0, _) = rusage(libc::RUSAGE_CHILDREN);
    let started = Instant::now();
    let d = extract_pdf(&bytes, "long", &limits).unwrap();
    let wall = started.elapsed().as_secs_f64();
    let (cpu1, rss_self) = rusage(libc::RUSAGE_SELF);
    let (ccpu1, rss_child) = rusage(libc::RUSAGE_CHILDREN);
    let cpu = (cpu1 - cpu0) + (ccpu1 - ccpu0);
    let pages = d.ocr_pages.len() as f64;
    let in_file = lopdf::Document::load_mem(&bytes).map_or(0, |p| p.get_pages().len());
    println!(
        "\n{in_file}-page scan (300 dpi grey): {} pages OCR'd, {} sections, wall {wall:.1} s on {} threads = {:.2} pages/s; CPU {cpu:.1} s = {:.2} pages/s per core; peak RSS samspor {} MiB, largest tesseract {} MiB",
        d.ocr_pages.len(),
        d.sections.len(),
        rayon::current_num_threads(),
        pages / wall,
        pages / cpu.max(1e-9),
        rss_self / 1024,
        rss_child / 1024
    );
}
