//! Index growth over 100 simulated nightly runs with changing documents: the tantivy directory
//! against a fresh build of the same documents after every run (target: within 2×).
//!
//! `cargo run --release --example index_growth [-- NIGHTS [DOCUMENTS [SECTIONS]]]`
//! (defaults 100, 12, 50).

#[path = "support/growth.rs"]
mod growth;

fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<usize>());
    let mut next = |default| args.next().and_then(Result::ok).unwrap_or(default);
    let (nights, documents, sections) = (next(100), next(12), next(50));
    println!(
        "{nights} nightly runs over {documents} documents of about {sections} sections; 1–3 documents change per night"
    );
    println!(
        "{:>5} {:>10} {:>6} {:>10} {:>6} {:>8}",
        "natt", "indeks", "filer", "fersk", "ratio", "kjøring"
    );
    let mut simulation = growth::Simulation::new(documents, sections, 20_260_223);
    let results = simulation.nights(nights, |n| {
        if n.night == 1 || n.night % 10 == 0 {
            println!(
                "{:>5} {:>8} kB {:>6} {:>7} kB {:>6.2} {:>6} ms",
                n.night,
                n.bytes / 1024,
                n.files,
                n.fresh_bytes / 1024,
                n.ratio(),
                n.millis
            );
        }
    });
    let worst = results
        .iter()
        .max_by(|a, b| a.ratio().total_cmp(&b.ratio()))
        .expect("at least one night");
    let last = results.last().expect("at least one night");
    let max_files = results.iter().map(|n| n.files).max().unwrap_or(0);
    println!(
        "worst: night {} at {:.2}× a fresh build; after night {}: {:.2}× ({} kB vs {} kB); at most {max_files} files",
        worst.night,
        worst.ratio(),
        last.night,
        last.ratio(),
        last.bytes / 1024,
        last.fresh_bytes / 1024
    );
    if worst.ratio() > 2.0 {
        eprintln!("FAIL: the index grew beyond 2× a fresh build");
        std::process::exit(1);
    }
}
