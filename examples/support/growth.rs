//! Simulated nightly runs with changing documents, measuring the tantivy index against a fresh
//! build of the same documents. Shared by `examples/index_growth.rs` (100 runs) and
//! `tests/index_growth.rs` (fewer, so `cargo test` stays quick).
//!
//! The corpus: invented Norwegian web documents (numbered sections of policy-style sentences)
//! read as file sources; every night a few documents change (sections rewritten, added or
//! dropped), and `Pipeline::run` does what `samspor run` does.

#![allow(dead_code)] // the example and the test use different parts

use std::path::{Path, PathBuf};

use samspor::config::Config;
use samspor::pipeline::{Pipeline, Stage};

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
    "Kompetanse og utdanning",
    "Skrøpelige eldre",
];

const SENTENCES: &[&str] = &[
    "Kommunene og helseforetaket skal planlegge tjenestene sammen i helsefellesskapet.",
    "Mange innbyggere står uten fast lege, og listene blir lengre for hvert år.",
    "Legevakten må ha nok leger på vakt også om natten og i helgene.",
    "Sykehuset varsler kommunen før en pasient skrives ut, slik avtalen krever.",
    "Tidlig innsats for barn og unge gir bedre helse senere i livet.",
    "Digital meldingsutveksling gjør overgangene tryggere for pasientene.",
    "Kommunene sliter med å rekruttere og beholde sykepleiere og helsefagarbeidere.",
    "Brukerrepresentanter deltar i alle utvalg i helsefellesskapet.",
    "Partnerskapsmøtet vedtar en felles årsplan for samarbeidet.",
    "Finansieringen må støtte opp under samhandling mellom forvaltningsnivåene.",
    "Erfaringene fra prøveprosjektet skal evalueres før ordningen utvides.",
    "Helsepersonell trenger tid til kompetanseheving, veiledning og fagutvikling.",
    "Eldre med sammensatte behov skal ha en fast koordinator i kommunen.",
    "Ventetidene i psykisk helsevern for barn og unge skal ned.",
    "Velferdsteknologi kan gjøre det mulig å bo lenger hjemme.",
    "Det strategiske samarbeidsutvalget følger opp tiltakene hvert halvår.",
];

/// xorshift64*: deterministic, no extra crate.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

struct Doc {
    title: String,
    sections: Vec<(String, String)>,
}

fn paragraph(rng: &mut Rng) -> String {
    let sentences = 5 + rng.below(10);
    (0..sentences)
        .map(|_| SENTENCES[rng.below(SENTENCES.len())])
        .collect::<Vec<_>>()
        .join(" ")
}

impl Doc {
    fn html(&self) -> String {
        let mut html = format!(
            "<!DOCTYPE html>\n<html lang=\"nb\"><head><meta charset=\"utf-8\"><title>{0}</title></head>\n<body><main><article>\n<h1>{0}</h1>\n",
            self.title
        );
        for (i, (heading, text)) in self.sections.iter().enumerate() {
            html.push_str(&format!("<h2>{} {heading}</h2>\n<p>{text}</p>\n", i + 1));
        }
        html.push_str("</article></main></body></html>\n");
        html
    }

    fn mutate(&mut self, rng: &mut Rng) {
        for _ in 0..1 + rng.below(4) {
            match rng.below(6) {
                0 => {
                    let heading = HEADINGS[rng.below(HEADINGS.len())].to_string();
                    self.sections.push((heading, paragraph(rng)));
                }
                1 if self.sections.len() > 20 => {
                    let at = rng.below(self.sections.len());
                    self.sections.remove(at);
                }
                _ => {
                    let at = rng.below(self.sections.len());
                    self.sections[at].1 = paragraph(rng);
                }
            }
        }
    }
}

/// One measurement after a run.
#[derive(Debug, Clone)]
pub struct Night {
    pub night: usize,
    pub bytes: u64,
    pub files: usize,
    pub fresh_bytes: u64,
    pub millis: u128,
}

impl Night {
    pub fn ratio(&self) -> f64 {
        self.bytes as f64 / self.fresh_bytes as f64
    }
}

/// Total size and number of files of a tantivy directory.
pub fn dir_size(dir: &Path) -> (u64, usize) {
    let mut bytes = 0;
    let mut files = 0;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if let Ok(meta) = entry.metadata()
            && meta.is_file()
        {
            bytes += meta.len();
            files += 1;
        }
    }
    (bytes, files)
}

pub struct Simulation {
    root: tempfile::TempDir,
    docs: Vec<Doc>,
    rng: Rng,
    config: PathBuf,
}

impl Simulation {
    /// `documents` documents of about `sections` sections each.
    pub fn new(documents: usize, sections: usize, seed: u64) -> Simulation {
        let root = tempfile::tempdir().expect("temp dir");
        let mut rng = Rng(seed | 1);
        let docs: Vec<Doc> = (0..documents)
            .map(|i| Doc {
                title: format!("Samhandlingsdokument {}", i + 1),
                sections: (0..sections)
                    .map(|_| {
                        let heading = HEADINGS[rng.below(HEADINGS.len())].to_string();
                        (heading, paragraph(&mut rng))
                    })
                    .collect(),
            })
            .collect();
        std::fs::create_dir_all(root.path().join("docs")).unwrap();
        let mut config = String::new();
        for i in 0..documents {
            config.push_str(&format!(
                "[[source]]\nid = \"dok-{i}\"\ntitle = \"Samhandlingsdokument {}\"\nkind = \"sak\"\nurl = \"docs/dok-{i}.html\"\n\n",
                i + 1
            ));
        }
        config.push_str(concat!(
            "[[theme]]\nid = \"fastlegekrise\"\nlabel = \"Fastlegekrise\"\ndescription = \"Fastleger\"\n",
            "terms = [\"fastlege\", \"legevakt\", \"leger\"]\n\n",
            "[[theme]]\nid = \"rekruttering\"\nlabel = \"Rekruttering\"\ndescription = \"Personell\"\n",
            "terms = [\"rekruttere\", \"sykepleiere\", \"helsepersonell\"]\n",
        ));
        let config_path = root.path().join("sources.toml");
        std::fs::write(&config_path, config).unwrap();
        let simulation = Simulation {
            root,
            docs,
            rng,
            config: config_path,
        };
        simulation.write_docs();
        simulation
    }

    /// The nightly index dir.
    pub fn index_dir(&self) -> PathBuf {
        self.root.path().join("index")
    }

    fn write_docs(&self) {
        for (i, doc) in self.docs.iter().enumerate() {
            std::fs::write(
                self.root.path().join("docs").join(format!("dok-{i}.html")),
                doc.html(),
            )
            .unwrap();
        }
    }

    fn run(&self, index_dir: &Path) -> u128 {
        let config = Config::load(&self.config).expect("config");
        let started = std::time::Instant::now();
        let summary = Pipeline::new(config, index_dir)
            .run(&Stage::ALL, "run")
            .expect("run");
        assert!(summary.all_ok(), "{:?}", summary.failures);
        started.elapsed().as_millis()
    }

    /// Runs `nights` nightly runs; after each, measures the index and a fresh build of the same
    /// documents.
    pub fn nights(&mut self, nights: usize, mut report: impl FnMut(&Night)) -> Vec<Night> {
        let index = self.root.path().join("index");
        self.run(&index);
        let mut out = Vec::new();
        for night in 1..=nights {
            for _ in 0..1 + self.rng.below(3) {
                let at = self.rng.below(self.docs.len());
                self.docs[at].mutate(&mut self.rng);
            }
            self.write_docs();
            let millis = self.run(&index);
            let (bytes, files) = dir_size(&index.join("tantivy"));
            let fresh = self.root.path().join(format!("fresh-{night}"));
            self.run(&fresh);
            let (fresh_bytes, _) = dir_size(&fresh.join("tantivy"));
            std::fs::remove_dir_all(&fresh).ok();
            let measured = Night {
                night,
                bytes,
                files,
                fresh_bytes,
                millis,
            };
            report(&measured);
            out.push(measured);
        }
        out
    }
}
