//! Extraction throughput against poppler's `pdftotext`, side by side in one run.
//!
//! ```sh
//! cargo run --release --example pdf_bench -- [CORPUS_DIR] [--rounds N]
//! ```
//!
//! CORPUS_DIR defaults to ../shared/pdf-corpus. For every PDF: samspor's extractor in this
//! process (one core, sequential), then all files in parallel with rayon (all cores), then
//! `pdftotext FILE OUT` as one process per file (poppler's usual use, process start included).
//! Pages come from samspor's page count of files both tools read. Prints pages/s and ratios.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use samspor::extract::pdf::{PdfLimits, extract_pdf};

fn password_for(name: &str) -> Option<&'static str> {
    match name {
        "pysf__libreoffice-writer-password.pdf" => Some("openpassword"),
        "plumb__password-example.pdf" => Some("test"),
        _ => None,
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/pdf-corpus"));
    let mut rounds = 3usize;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--rounds" => rounds = args.next().and_then(|n| n.parse().ok()).unwrap_or(3),
            other => dir = PathBuf::from(other),
        }
    }
    if !dir.is_dir() {
        eprintln!("skipped: corpus directory {} not found", dir.display());
        return;
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read corpus dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    files.sort();
    let inputs: Vec<(PathBuf, Vec<u8>)> = files
        .iter()
        .map(|p| (p.clone(), std::fs::read(p).unwrap_or_default()))
        .collect();
    let limits = PdfLimits::default();

    // Pages per file as samspor counts them (0 when samspor fails on the file).
    let pages: Vec<u32> = inputs
        .iter()
        .map(|(p, bytes)| {
            extract_pdf(bytes, &p.display().to_string(), &limits)
                .map(|d| d.pages)
                .unwrap_or(0)
        })
        .collect();
    let total_pages: u32 = pages.iter().sum();

    let best = |f: &dyn Fn() -> Duration| (0..rounds).map(|_| f()).min().unwrap_or_default();

    let one_core = best(&|| {
        let started = Instant::now();
        for (p, bytes) in &inputs {
            let _ = extract_pdf(bytes, &p.display().to_string(), &limits);
        }
        started.elapsed()
    });
    let all_cores = best(&|| {
        let started = Instant::now();
        inputs.par_iter().for_each(|(p, bytes)| {
            let _ = extract_pdf(bytes, &p.display().to_string(), &limits);
        });
        started.elapsed()
    });
    let out = std::env::temp_dir().join(format!("pdf_bench_{}.txt", std::process::id()));
    let have_poppler = Command::new("pdftotext").arg("-v").output().is_ok();
    let poppler = have_poppler.then(|| {
        best(&|| {
            let started = Instant::now();
            for (p, _) in &inputs {
                let mut cmd = Command::new("pdftotext");
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                if let Some(pw) = password_for(name) {
                    cmd.args(["-upw", pw]);
                }
                let _ = cmd.arg(p).arg(&out).output();
            }
            started.elapsed()
        })
    });
    let _ = std::fs::remove_file(&out);

    let rate = |d: Duration| f64::from(total_pages) / d.as_secs_f64();
    println!(
        "corpus: {} ({} files, {} pages read by samspor; best of {rounds} rounds)",
        dir.display(),
        inputs.len(),
        total_pages
    );
    println!("{:<34} {:>9} {:>11}", "", "seconds", "pages/s");
    println!(
        "{:<34} {:>9.3} {:>11.0}",
        "samspor, one core",
        one_core.as_secs_f64(),
        rate(one_core)
    );
    println!(
        "{:<34} {:>9.3} {:>11.0}",
        format!("samspor, rayon ({} threads)", rayon::current_num_threads()),
        all_cores.as_secs_f64(),
        rate(all_cores)
    );
    match poppler {
        Some(poppler) => {
            println!(
                "{:<34} {:>9.3} {:>11.0}",
                "pdftotext, one process per file",
                poppler.as_secs_f64(),
                rate(poppler)
            );
            println!(
                "ratio samspor/pdftotext pages/s: one core {:.2}×, rayon {:.2}×",
                poppler.as_secs_f64() / one_core.as_secs_f64(),
                poppler.as_secs_f64() / all_cores.as_secs_f64()
            );
        }
        None => println!("pdftotext not installed (apt-get install poppler-utils): no comparison"),
    }
}
