//! The index does not grow without bound: nightly runs with changing documents keep the tantivy
//! directory within 2× a fresh build of the same documents, after every run. 15 runs here
//! (a debug build); `cargo run --release --example index_growth` runs 100.

#[path = "../examples/support/growth.rs"]
mod growth;

#[test]
fn nightly_runs_keep_the_index_within_twice_a_fresh_build() {
    let mut simulation = growth::Simulation::new(8, 40, 7);
    let nights = simulation.nights(15, |_| {});
    for night in &nights {
        assert!(
            night.ratio() <= 2.0,
            "night {}: {} bytes vs {} fresh ({:.2}×)",
            night.night,
            night.bytes,
            night.fresh_bytes,
            night.ratio()
        );
    }
    let last = nights.last().unwrap();
    eprintln!(
        "index growth: worst {:.2}×, last {:.2}× ({} vs {} bytes), at most {} files, nightly run {} ms",
        nights.iter().map(|n| n.ratio()).fold(0.0, f64::max),
        last.ratio(),
        last.bytes,
        last.fresh_bytes,
        nights.iter().map(|n| n.files).max().unwrap(),
        last.millis
    );
    // No leaked files: every segment file on disk belongs to a segment of the last commit.
    let tantivy = simulation.index_dir().join("tantivy");
    let meta = std::fs::read_to_string(tantivy.join("meta.json")).unwrap();
    let meta: serde_json::Value = serde_json::from_str(&meta).unwrap();
    let live: Vec<String> = meta["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["segment_id"].as_str().unwrap().replace('-', ""))
        .collect();
    for entry in std::fs::read_dir(&tantivy).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name == "meta.json" {
            continue;
        }
        assert!(
            live.iter().any(|id| name.starts_with(id.as_str())),
            "{name} belongs to no live segment"
        );
    }
}
