//! Mutation fuzzing of extract_pdf over given PDF files (no nightly needed): reports caught
//! panics and slow runs. `cargo run --release --example pdf_mutate -- FILE.pdf ...`
use samspor::extract::pdf::{PdfError, PdfLimits, extract_pdf};
use std::time::{Duration, Instant};

fn main() {
    let files: Vec<String> = std::env::args().skip(1).collect();
    let mut seed: u64 = 0x9E3779B97F4A7C15;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    std::panic::set_hook(Box::new(|_| {}));
    let limits = PdfLimits {
        time_budget: Duration::from_secs(10),
        ..PdfLimits::default()
    };
    let (mut ok, mut err, mut internal) = (0, 0, 0);
    for f in &files {
        let orig = std::fs::read(f).unwrap();
        for _ in 0..150 {
            let mut b = orig.clone();
            let n = 1 + (rnd() % 20) as usize;
            for _ in 0..n {
                if b.len() < 16 {
                    break;
                }
                let i = (rnd() as usize) % b.len();
                match rnd() % 4 {
                    0 => b[i] = rnd() as u8,
                    1 => b[i] = b"0123456789 ()<>[]/\n"[(rnd() % 19) as usize],
                    2 => {
                        let j = (i + (rnd() % 64) as usize).min(b.len());
                        b.drain(i..j);
                    }
                    _ => b.truncate(i.max(10)),
                }
            }
            let t = Instant::now();
            match extract_pdf(&b, "fuzz", &limits) {
                Ok(_) => ok += 1,
                Err(PdfError::Internal(m)) => {
                    internal += 1;
                    println!("{f}: internal: {m}");
                }
                Err(_) => err += 1,
            }
            if t.elapsed() > Duration::from_secs(2) {
                println!("{f}: slow {:?}", t.elapsed());
            }
        }
    }
    println!("ok {ok} err {err} internal {internal}");
}
