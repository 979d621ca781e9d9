//! The HTML site profiles through the real binary (`samspor extract --file X --json`): a
//! Lovdata-shaped law page, an amending act, a regjeringen.no-shaped hearing page with its
//! chrome and a listing; then the real pages in ../shared/real-corpus (skipped when absent).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn extract(path: &Path) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_samspor"))
        .args(["extract", "--file", path.to_str().unwrap(), "--json"])
        .env_remove("RUST_LOG")
        .output()
        .expect("run samspor");
    assert!(
        output.status.success(),
        "exit {:?}\nstderr: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

/// (number, heading, level) per section.
fn outline(doc: &Value) -> Vec<(Option<String>, Option<String>, u64)> {
    doc["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["number"].as_str().map(str::to_string),
                s["heading"].as_str().map(str::to_string),
                s["level"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn section<'a>(doc: &'a Value, number: &str) -> &'a str {
    doc["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["number"].as_str() == Some(number))
        .and_then(|s| s["text"].as_str())
        .unwrap_or_else(|| panic!("no section {number}"))
}

fn all_text(doc: &Value) -> String {
    let mut out = doc["title"].as_str().unwrap_or_default().to_string();
    for s in doc["sections"].as_array().unwrap() {
        for key in ["number", "heading", "text"] {
            out.push('\n');
            out.push_str(s[key].as_str().unwrap_or_default());
        }
    }
    out
}

fn some(s: &str) -> Option<String> {
    Some(s.to_string())
}

#[test]
fn lovdata_law_page_one_section_per_paragraph() {
    let doc = extract(&common::fixture("web/lov-samhandling.html"));
    assert_eq!(
        doc["title"],
        "Lov om samhandling i helsefellesskap (samhandlingsloven)"
    );
    assert_eq!(
        outline(&doc),
        vec![
            (some("1"), some("Innledende bestemmelser"), 1),
            (some("§ 1-1"), some("Lovens formål"), 2),
            (some("§ 1-2"), some("Virkeområde"), 2),
            (some("2"), some("Helsefellesskap"), 1),
            (some("§ 2-1"), some("Partnerskapsmøtet"), 2),
            (some("§ 2-2"), some("Strategisk samarbeidsutvalg"), 2),
            (some("§ 2-2 a"), some("Faglige samarbeidsutvalg"), 2),
            (some("§ 2-3"), some("Ikrafttredelse"), 2),
        ]
    );
    // Each ledd is a paragraph.
    assert_eq!(
        section(&doc, "§ 1-1"),
        "Loven skal sikre at kommuner og helseforetak planlegger og utvikler tjenestene sammen.\n\n\
         Loven skal bidra til at pasienter og brukere møter sammenhengende tjenester."
    );
    // List items keep their labels; the amendment note stays with its paragraph.
    assert_eq!(
        section(&doc, "§ 1-2"),
        "Loven gjelder for\n\na. kommuner som yter helse- og omsorgstjenester, og\n\n\
         b. helseforetak som yter spesialisthelsetjenester.\n\nEndret ved lov 20 juni 2099 nr. 40."
    );
    // The footnote is kept with its paragraph, after it.
    let text = section(&doc, "§ 2-2");
    assert!(
        text.starts_with(
            "Det strategiske samarbeidsutvalget forbereder saker til partnerskapsmøtet.[1]"
        ),
        "{text}"
    );
    assert!(
        text.ends_with("1 Jf. forskrift 1. mars 2099 nr. 210 om helsefellesskap."),
        "{text}"
    );
    // The document header (metadata, table of contents) is not content.
    let all = all_text(&doc);
    assert!(
        !all.contains("Datokode") && !all.contains("LOV-2099-01-15-3"),
        "{all}"
    );
}

#[test]
fn amending_act_parts_are_sections_and_quoted_paragraphs_read_well() {
    let doc = extract(&common::fixture("web/endringslov.html"));
    assert_eq!(
        outline(&doc),
        vec![
            (None, None, 0),
            (some("I"), some("I"), 1),
            (some("II"), some("II"), 1),
        ]
    );
    assert_eq!(
        doc["sections"][0]["text"],
        "Endringer i følgende lover:\n\n1 Lov 15. januar 2099 nr. 3 om samhandling i helsefellesskap (samhandlingsloven)."
    );
    let part = section(&doc, "I");
    let paragraphs: Vec<&str> = part.split("\n\n").collect();
    assert_eq!(
        paragraphs,
        vec![
            "I lov 15. januar 2099 nr. 3 om samhandling i helsefellesskap gjøres følgende endringer:",
            "Ny § 2-4 skal lyde:",
            "§ 2-4. Fastlegenes deltakelse",
            "Kommunen skal sørge for at fastlegene deltar i helsefellesskapets faglige samarbeidsutvalg.",
            "Departementet kan gi forskrift om godtgjøring for slik deltakelse, blant annet om",
            "a. møtegodtgjøring",
            "b. dekning av tapt inntekt.",
            "§ 2-1 andre ledd skal lyde:",
            "Partnerskapsmøtet skal møtes minst to ganger i året.",
        ]
    );
    // A quoted paragraph is text of its part, not a section of the amending act.
    assert!(
        doc["sections"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["number"].as_str() != Some("§ 2-4"))
    );
}

#[test]
fn regjeringen_hearing_without_chrome() {
    let doc = extract(&common::fixture("web/horing-regjeringen.html"));
    assert_eq!(doc["title"], "Høring – Forslag om felles legevaktsamarbeid");
    assert_eq!(
        outline(&doc),
        vec![
            (None, None, 0),
            (None, some("Høringsbrev"), 2),
            (None, some("Høringsnotat"), 2),
        ]
    );
    assert_eq!(
        doc["sections"][0]["text"],
        "Departementet sender på høring et forslag om at kommuner i samme helsefellesskap skal kunne drive legevakt sammen.\n\n\
         Status: På høring\n\nHøringsfrist: 01.06.2099"
    );
    let letter: Vec<&str> = doc["sections"][1]["text"]
        .as_str()
        .unwrap()
        .split("\n\n")
        .collect();
    assert_eq!(
        letter,
        vec![
            "Vår ref.: 99/1234",
            "Helse- og omsorgsdepartementet sender med dette på høring forslag om endringer i samhandlingsloven. \
             Forslaget skal gjøre det lettere for kommunene å samarbeide om legevakt og fastlegeordningen.[1]",
            "Antall innbyggere per legevaktdistrikt i dag:",
            // A table is a block of its own: rows on lines, cells separated.
            "Distrikt | Innbyggere\nNord | 42 000\nSør | 17 500",
            "Høringssvar sendes inn digitalt.",
            "Med hilsen",
            "Kari Nordmann (e.f.) ekspedisjonssjef | Ola Nordmann seniorrådgiver",
            // The footnote without its back-link.
            "Se også Meld. St. 7 (2019–2020).",
        ]
    );
    let all = all_text(&doc);
    for chrome in [
        "informasjonskapsler",
        "Godta",
        "Til hovedinnhold",
        "Javascript",
        "Skriftstørrelse",
        "Lukk meny",
        "Helse og omsorg",
        "Forsiden",
        "Du er her",
        "Relatert",
        "Kontakt",
        "Til toppen",
        "Personvernerklæring",
        "Depkatalog",
        "↑",
        "mtm",
    ] {
        assert!(!all.contains(chrome), "{chrome:?} leaked into {all}");
    }
}

#[test]
fn regjeringen_listing_one_section_per_entry() {
    let doc = extract(&common::fixture("web/hoyringar-liste.html"));
    assert_eq!(doc["title"], "Høyringar");
    assert_eq!(
        outline(&doc),
        vec![
            (None, None, 0),
            (
                None,
                some("Høyring – framlegg om felles legevakt i helsefellesskapa"),
                1
            ),
            (
                None,
                some("Høyring – rekruttering av fastlegar i distrikta"),
                1
            ),
        ]
    );
    let all = all_text(&doc);
    for chrome in [
        "Abonner",
        "Søkefilter",
        "Viser 1-2",
        "Side 1 av 1",
        "Tema",
        "informasjonskapsler",
    ] {
        assert!(!all.contains(chrome), "{chrome:?} leaked into {all}");
    }
}

#[test]
fn deeply_nested_page_is_fast() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("djup.html");
    let html = format!(
        "<html><body>{}Djup tekst om samhandling.{}</body></html>",
        "<div>".repeat(100_000),
        "</div>".repeat(100_000)
    );
    std::fs::write(&path, html).unwrap();
    let started = std::time::Instant::now();
    let doc = extract(&path);
    // The whole process (start, read, parse, print) in a debug build.
    assert!(
        started.elapsed().as_secs_f64() < 5.0,
        "{:?}",
        started.elapsed()
    );
    assert!(all_text(&doc).contains("Djup tekst om samhandling."));
    assert!(
        doc["warnings"][0]
            .as_str()
            .unwrap()
            .contains("nested deeper"),
        "{doc}"
    );
}

fn real_corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/real-corpus");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipped: {} is absent", dir.display());
        None
    }
}

#[test]
fn real_husleieloven_every_paragraph_a_section() {
    let Some(dir) = real_corpus() else { return };
    let path = dir.join("lovdata-husleieloven.html");
    let html = std::fs::read_to_string(&path).unwrap();
    let headers = html.matches("class=\"legalArticleHeader\"").count();
    let doc = extract(&path);
    let sections = doc["sections"].as_array().unwrap();
    let paragraphs: Vec<&Value> = sections
        .iter()
        .filter(|s| s["number"].as_str().is_some_and(|n| n.starts_with('§')))
        .collect();
    assert_eq!(paragraphs.len(), headers);
    assert_eq!(headers, 93);
    assert!(paragraphs.iter().all(|s| s["level"] == 2));
    assert_eq!(sections.iter().filter(|s| s["level"] == 1).count(), 13);
    assert_eq!(section(&doc, "§ 1-1").split("\n\n").count(), 5);
    assert!(paragraphs.iter().any(|s| s["number"] == "§ 9-3 a"));
    let words: usize = sections
        .iter()
        .map(|s| s["text"].as_str().unwrap().split_whitespace().count())
        .sum();
    assert!(words > 10_000, "{words} words");
}

#[test]
fn real_amending_acts_have_their_parts() {
    let Some(dir) = real_corpus() else { return };
    for (file, parts) in [
        ("lovdata-lov-2025-06-20-72.html", 3),
        ("lovdata-lov-2025-06-20-74.html", 7),
        ("lovdata-lov-2025-06-20-42-nn.html", 2),
    ] {
        let doc = extract(&dir.join(file));
        let numbered: Vec<&str> = doc["sections"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["level"] == 1)
            .filter_map(|s| s["number"].as_str())
            .collect();
        assert_eq!(numbered.len(), parts, "{file}: {numbered:?}");
        assert_eq!(numbered[0], "I", "{file}");
    }
}

#[test]
fn real_regjeringen_pages_without_chrome() {
    let Some(dir) = real_corpus() else { return };
    for file in [
        "regjeringen-horing-id3167072.html",
        "regjeringen-horing-id3168423.html",
    ] {
        let doc = extract(&dir.join(file));
        let all = all_text(&doc);
        assert!(all.contains("Høringsbrev"), "{file}");
        for chrome in [
            "Til hovedinnhold",
            "Skriftstørrelse",
            "Lukk meny",
            "Administrer informasjonskapsler",
            "Depkatalog",
        ] {
            assert!(!all.contains(chrome), "{file}: {chrome:?} leaked");
        }
    }
    let doc = extract(&dir.join("regjeringen-hoyringar-nn.html"));
    let entries = doc["sections"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["heading"].is_string())
        .count();
    assert_eq!(entries, 20);
}
