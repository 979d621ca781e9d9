//! Crash safety: the real binary is killed with SIGKILL at delays spread over a whole run
//! (fetching, extracting, indexing, matching, bookkeeping), over documents that change before
//! every run. After each kill the next run must finish with exit 0, take over the lock the
//! killed run left named, and leave the index and the catalog in agreement: every indexed
//! source's catalog version is the version whose sections are in the index, the section counts
//! match, the index holds what the site serves now, and nothing half-written is left behind.
//!
//! `SAMSPOR_CRASH_ITERATIONS` (default 12) and `SAMSPOR_CRASH_SEED` make longer or repeated
//! runs possible; the seed is printed so a failure can be replayed.

mod common;
mod tracking;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use samspor::index::SectionIndex;
use samspor::matches::MatchFile;
use samspor::track::Catalog;
use sha2::{Digest, Sha256};
use tracking::{Site, page};

/// A small deterministic generator (no extra crate): xorshift64*.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const HEADINGS: &[&str] = &[
    "Fastlegeordningen",
    "Legevakt og akuttberedskap",
    "Utskrivingsklare pasienter",
    "Psykisk helse og rus",
    "Barn og unge",
    "Digital samhandling",
    "Rekruttering av sykepleiere",
    "Felles planlegging",
    "Brukermedvirkning",
    "Økonomi og finansiering",
];

const SENTENCES: &[&str] = &[
    "Kommunene og helseforetaket skal planlegge tjenestene sammen i helsefellesskapet.",
    "Mange innbyggere står uten fast lege, og listene blir lengre.",
    "Legevakten må ha nok leger på vakt også om natten.",
    "Sykehuset varsler kommunen før en pasient skrives ut.",
    "Tidlig innsats for barn og unge gir bedre helse senere i livet.",
    "Digital meldingsutveksling gjør overgangene tryggere for pasientene.",
    "Kommunene sliter med å rekruttere og beholde sykepleiere.",
    "Brukerrepresentanter deltar i alle utvalg i helsefellesskapet.",
    "Partnerskapsmøtet vedtar en felles årsplan for samarbeidet.",
    "Finansieringen må støtte opp under samhandling mellom nivåene.",
    "Erfaringene fra prøveprosjektet skal evalueres før ordningen utvides.",
    "Helsepersonell trenger tid til kompetanseheving og veiledning.",
];

/// A document: numbered sections of a few invented sentences.
#[derive(Clone)]
struct Doc {
    title: String,
    sections: Vec<(String, String, String)>,
}

impl Doc {
    fn generate(rng: &mut Rng, title: &str, sections: usize) -> Doc {
        Doc {
            title: title.to_string(),
            sections: (0..sections)
                .map(|i| {
                    let heading = HEADINGS[rng.below(HEADINGS.len() as u64) as usize];
                    let sentences = 6 + rng.below(10) as usize;
                    (
                        format!("{}", i + 1),
                        heading.to_string(),
                        paragraph(rng, sentences),
                    )
                })
                .collect(),
        }
    }

    fn html(&self) -> String {
        let sections: Vec<(&str, &str, &str)> = self
            .sections
            .iter()
            .map(|(n, h, t)| (n.as_str(), h.as_str(), t.as_str()))
            .collect();
        page(&self.title, &sections)
    }

    /// A nightly edit: rewrite a section, or add one at the end.
    fn mutate(&mut self, rng: &mut Rng) {
        if rng.below(3) == 0 {
            let number = format!("{}", self.sections.len() + 1);
            let heading = HEADINGS[rng.below(HEADINGS.len() as u64) as usize].to_string();
            self.sections.push((number, heading, paragraph(rng, 8)));
        } else {
            let at = rng.below(self.sections.len() as u64) as usize;
            let sentences = 6 + rng.below(10) as usize;
            self.sections[at].2 = paragraph(rng, sentences);
        }
    }
}

fn paragraph(rng: &mut Rng, sentences: usize) -> String {
    (0..sentences)
        .map(|_| SENTENCES[rng.below(SENTENCES.len() as u64) as usize])
        .collect::<Vec<_>>()
        .join(" ")
}

fn spawn_run(config: &Path, index: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_samspor"))
        .arg("--sources")
        .arg(config)
        .arg("--index-dir")
        .arg(index)
        .arg("run")
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start samspor")
}

/// Runs to completion; panics unless it exits 0.
fn run_to_end(config: &Path, index: &Path) -> Duration {
    let started = Instant::now();
    let output = spawn_run(config, index).wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "the run after a kill completes: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    started.elapsed()
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The index and the catalog agree, the index holds what the site serves, and nothing
/// half-written is left.
fn assert_agree(index_dir: &Path, served: &BTreeMap<String, String>) {
    let catalog = Catalog::load(index_dir).expect("catalog loads");
    let conn = rusqlite::Connection::open(index_dir.join("catalog.sqlite")).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let indexed = SectionIndex::open(index_dir)
        .unwrap()
        .indexed_sources()
        .unwrap();
    for (id, record) in &catalog.sources {
        match (&record.indexed_sha256, indexed.get(id)) {
            (None, None) => {}
            (Some(sha), Some(state)) => {
                assert_eq!(
                    state.version(),
                    Some(sha.as_str()),
                    "{id}: one version, the catalog's"
                );
                let version = record
                    .version(sha)
                    .expect("the indexed version is in the catalog");
                let extracted = version.extracted.as_ref().expect("and was extracted");
                assert_eq!(
                    extracted.sections as u64,
                    state.sections(),
                    "{id}: section count"
                );
                let rows: u64 = conn
                    .query_row(
                        "SELECT count(*) FROM sections WHERE source = ?1 AND sha256 = ?2",
                        [id, sha],
                        |r| r.get(0),
                    )
                    .unwrap();
                assert_eq!(rows, state.sections(), "{id}: catalog sections");
                let cached = std::fs::read_dir(index_dir.join("extracted"))
                    .unwrap()
                    .filter_map(Result::ok)
                    .any(|e| {
                        let name = e.file_name().to_string_lossy().into_owned();
                        name.starts_with(&format!("{sha}.")) && name.ends_with(".json")
                    });
                assert!(cached, "{id}: extraction cached");
            }
            (catalog_says, index_has) => {
                panic!("{id}: catalog says {catalog_says:?}, index has {index_has:?}")
            }
        }
        for version in &record.versions {
            let ext = match version.format {
                samspor::extract::model::Format::Pdf => "pdf",
                samspor::extract::model::Format::Html => "html",
            };
            let stored = index_dir
                .join("store")
                .join(id)
                .join(format!("{}.{ext}", version.sha256));
            assert!(stored.is_file(), "{id}: every recorded version is stored");
        }
    }
    for (id, sha) in served {
        assert_eq!(
            indexed.get(id).and_then(|s| s.version()),
            Some(sha.as_str()),
            "{id}: the index holds what the site serves now"
        );
        assert_eq!(catalog.sources[id].state, samspor::track::SourceState::Ok);
    }
    let matches = MatchFile::load(index_dir).unwrap().expect("matches.json");
    for theme in &matches.themes {
        for section in &theme.sections {
            assert_eq!(
                catalog.sources[&section.source].indexed_sha256.as_deref(),
                Some(section.version.as_str()),
                "matches.json is of the indexed versions"
            );
        }
    }
    let matched: u64 = conn
        .query_row(
            "SELECT count(*) FROM theme_matches m JOIN sources s
               ON s.id = m.source AND s.indexed_sha256 = m.sha256",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let in_file: u64 = matches.themes.iter().map(|t| t.sections.len() as u64).sum();
    assert_eq!(matched, in_file, "the catalog's matches are matches.json's");
    assert_eq!(
        samspor::track::sweep_temp_files(index_dir),
        0,
        "no temporary files left"
    );
    let last = catalog.runs.last().unwrap();
    assert_eq!(last.outcome, "ok");
    assert!(
        std::fs::read_to_string(index_dir.join("samspor.lock"))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn killed_runs_leave_an_index_and_catalog_that_the_next_run_completes_and_agree() {
    let iterations: usize = std::env::var("SAMSPOR_CRASH_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12);
    let seed: u64 = std::env::var("SAMSPOR_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("crash test: SAMSPOR_CRASH_SEED={seed} SAMSPOR_CRASH_ITERATIONS={iterations}");
    let mut rng = Rng(seed);

    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let html_paths: Vec<String> = (1..=6).map(|i| format!("/dok-{i}.html")).collect();
    let pdf_paths = ["/nou.pdf", "/prop.pdf"];
    let mut all_paths: Vec<&str> = html_paths.iter().map(String::as_str).collect();
    all_paths.extend(pdf_paths);
    let site = Site::start(&all_paths);
    let mut docs: Vec<Doc> = html_paths
        .iter()
        .enumerate()
        .map(|(i, _)| Doc::generate(&mut rng, &format!("Samhandlingsdokument {}", i + 1), 30))
        .collect();
    for (path, doc) in html_paths.iter().zip(&docs) {
        site.set(path, &doc.html());
    }
    let pdfs = [
        std::fs::read(common::demo("nou-demo.pdf")).unwrap(),
        std::fs::read(common::demo("prop-demo.pdf")).unwrap(),
    ];
    site.set_bytes(pdf_paths[0], &pdfs[0]);
    site.set_bytes(pdf_paths[1], &pdfs[1]);

    let mut config_text =
        String::from("[fetch]\nretries = 0\ntimeout_secs = 20\nhost_delay_ms = 0\n\n");
    let ids: Vec<String> = all_paths
        .iter()
        .map(|p| p.trim_start_matches('/').replace('.', "-"))
        .collect();
    for (id, path) in ids.iter().zip(&all_paths) {
        config_text.push_str(&format!(
            "[[source]]\nid = \"{id}\"\ntitle = \"Dokument {id}\"\nkind = \"sak\"\nurl = \"{}\"\n\n",
            site.url(path)
        ));
    }
    config_text.push_str(concat!(
        "[[theme]]\nid = \"fastlegekrise\"\nlabel = \"Fastlegekrise\"\ndescription = \"Fastleger\"\n",
        "terms = [\"fastlege\", \"legevakt\", \"lege\"]\n\n",
        "[[theme]]\nid = \"rekruttering\"\nlabel = \"Rekruttering\"\ndescription = \"Personell\"\n",
        "terms = [\"rekruttere\", \"sykepleiere\", \"helsepersonell\"]\n",
    ));
    let config = dir.path().join("sources.toml");
    std::fs::write(&config, config_text).unwrap();
    let served = |site: &Site| -> BTreeMap<String, String> {
        ids.iter()
            .zip(&all_paths)
            .map(|(id, path)| (id.clone(), sha256_hex(&site.current(path).unwrap())))
            .collect()
    };

    run_to_end(&config, &index);
    assert_agree(&index, &served(&site));

    // Tonight's edits: two documents change, and the PDFs are re-issued (new bytes, same
    // text), so each run fetches, extracts, indexes and matches.
    let nightly_edits = |rng: &mut Rng, docs: &mut [Doc], night: usize| {
        for _ in 0..2 {
            let at = rng.below(docs.len() as u64) as usize;
            docs[at].mutate(rng);
            site.set(&html_paths[at], &docs[at].html());
        }
        for (path, pdf) in pdf_paths.iter().zip(&pdfs) {
            let mut bytes = pdf.clone();
            bytes.extend_from_slice(format!("% utgitt på nytt natt {night}\n").as_bytes());
            site.set_bytes(path, &bytes);
        }
    };
    // A nightly run's length sets the range of kill delays: the longer of two, so that a
    // quick first measurement (a run's length varies with the machine's load) does not keep
    // every kill inside the first stages.
    let mut nightly = std::time::Duration::ZERO;
    for night in [0, 1_000] {
        nightly_edits(&mut rng, &mut docs, night);
        nightly = nightly.max(run_to_end(&config, &index));
        assert_agree(&index, &served(&site));
    }
    eprintln!("crash test: a nightly run takes {nightly:?}");

    let mut phases: BTreeMap<&str, usize> = BTreeMap::new();
    for iteration in 0..iterations {
        nightly_edits(&mut rng, &mut docs, iteration + 1);
        let before = Catalog::load(&index).unwrap();
        // Stratified delays: every part of a run gets killed in over the iterations.
        let fraction = (iteration as f64 + rng.unit()) / iterations as f64;
        let delay = nightly.mul_f64(fraction * 1.15);
        let mut child = spawn_run(&config, &index);
        let pid = child.id();
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        let killed = status.code().is_none();

        // Where the kill landed, from what the killed run left behind.
        let after = Catalog::load(&index).expect("the catalog opens after a kill");
        let run = after
            .runs
            .last()
            .filter(|r| r.id > before.runs.last().unwrap().id);
        let phase = match run {
            _ if !killed => "after the run",
            None => "before the run was recorded",
            Some(run) if run.finished_at.is_some() => "bookkeeping after the stages",
            Some(run) => {
                let extracted = after
                    .sources
                    .values()
                    .flat_map(|s| &s.versions)
                    .any(|v| v.extracted_run == Some(run.id));
                let fetched = after
                    .sources
                    .values()
                    .flat_map(|s| &s.versions)
                    .any(|v| v.first_run == Some(run.id));
                let indexed = after
                    .sources
                    .iter()
                    .any(|(id, s)| before.sources[id].indexed_sha256 != s.indexed_sha256);
                match (fetched, extracted, indexed) {
                    (_, _, true) => "after the index stage",
                    (_, true, false) => "during indexing or matching",
                    (true, false, _) => "during extraction",
                    (false, _, _) => "during fetching",
                }
            }
        };
        *phases.entry(phase).or_default() += 1;
        if killed {
            let lock = std::fs::read_to_string(index.join("samspor.lock")).unwrap();
            // The killed run may have died before naming itself; if it did name itself, the
            // name is its own.
            assert!(
                lock.is_empty() || lock.starts_with(&format!("pid {pid} ")),
                "{lock}"
            );
        }
        run_to_end(&config, &index);
        assert_agree(&index, &served(&site));
        if killed && run.is_some_and(|r| r.finished_at.is_none()) {
            let catalog = Catalog::load(&index).unwrap();
            let killed_run = catalog.runs.iter().rev().nth(1).unwrap();
            assert_eq!(
                killed_run.outcome, "interrupted",
                "the killed run is marked"
            );
        }
    }
    eprintln!("crash test: kills by phase: {phases:?}");
    assert!(
        phases.len() >= 3,
        "kills landed in at least three different parts of a run: {phases:?}"
    );
}
