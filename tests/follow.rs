//! Whole documents, not landing pages: `follow = "pdf" | "chapters" | "listing"` through the
//! real binary against a loopback server serving pages in the shape of regjeringen.no's
//! templates (own Norwegian text): a landing page linking a PDF and chapter pages, and a
//! hearing page listing three responses at `?uid=…`.

mod common;

use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use common::{Response, TestServer, demo};
use serde_json::Value;

fn samspor(config: &Path, index: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_samspor"))
        .arg("--sources")
        .arg(config)
        .arg("--index-dir")
        .arg(index)
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("run samspor")
}

fn json_of(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "exit {:?}\nstderr: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

/// A page in the regjeringen.no template: menus and a cookie banner around `main`.
fn page(title: &str, main: &str) -> Vec<u8> {
    format!(
        r#"<!DOCTYPE html><html lang="nb"><head><title>{title} - regjeringen.no</title></head><body>
<div class="cookie-banner"><p>Vi bruker informasjonskapsler.</p></div>
<header class="pageHeader"><nav class="megaMenu"><a href="/no/tema/helse/id1/">Helse og omsorg</a>
<a href="/no/dep/hod/id2/">Helse- og omsorgsdepartementet</a></nav></header>
<main id="mainContent"><div class="breadcrumbs"><a href="/no/">Forsiden</a></div>
<h1>{title}</h1>
{main}
</main>
<footer><a href="/no/om-nettstedet/id3/">Om nettstedet</a></footer></body></html>"#
    )
    .into_bytes()
}

const LANDING: &str = "/no/dokumenter/nou-demo/id100/";
const PDF: &str = "/contentassets/0a1b2c3d/no/pdfs/nou202699990000dddpdfs.pdf";
const HEARING: &str = "/no/dokumenter/horing-nou-demo/id200/";

fn landing() -> Vec<u8> {
    page(
        "NOU 2026: 99 Samarbeid om fastlegetenesta",
        &format!(
            r#"<div class="article-ingress"><p>Utvalet legg fram forslag om korleis kommunane og sjukehusa kan dele på ansvaret for fastlegetenesta.</p></div>
<div class="article-body"><h2>Innhald</h2><ul>
<li><a href="{LANDING}?ch=1">1 Samandrag</a></li>
<li><a href="{LANDING}?ch=2">2 Tiltak for fastlegeordninga</a></li></ul>
<p><a title="NOU 2026: 99.pdf" href="{PDF}">Last ned PDF</a> (pdf, 1 MB)</p></div>"#
        ),
    )
}

fn chapter(n: u32, heading: &str, text: &str) -> Vec<u8> {
    page(
        "NOU 2026: 99",
        &format!(
            r#"<div class="article-body"><h2>{n} {heading}</h2><p>{text}</p></div>
<div class="chapter-nav"><a href="{LANDING}?ch={}">Neste kapittel</a></div>"#,
            n + 1
        ),
    )
}

/// The responses listed on the hearing page; changed between the runs.
type Responses = Arc<Mutex<Vec<(&'static str, &'static str, String)>>>;

fn hearing(responses: &Responses) -> Vec<u8> {
    let links: String = responses
        .lock()
        .unwrap()
        .iter()
        .map(|(uid, name, _)| format!(r#"<li><a href="{HEARING}?uid={uid}">{name}</a></li>"#))
        .collect();
    page(
        "Høring - NOU 2026: 99 Samarbeid om fastlegetenesta",
        &format!(
            r#"<div class="article-body"><p>Helse- og omsorgsdepartementet sender NOU 2026: 99 på høring. Høringsfristen er 1. mars 2027.</p></div>
<div class="factbox"><h2>Høringssvar</h2><ul>{links}</ul></div>
<p><a href="{HEARING}?sortby=1">Sorter etter dato</a></p>"#
        ),
    )
}

fn response(name: &str, text: &str) -> Vec<u8> {
    page(
        &format!("Høringssvar fra {name}"),
        &format!(r#"<div class="article-body"><h2>Innspill</h2><p>{text}</p></div>"#),
    )
}

fn serve(server: &TestServer, responses: &Responses) {
    let html = "text/html; charset=utf-8";
    server.route(LANDING, move |_, _| Response::ok(landing(), html));
    server.route(&format!("{LANDING}?ch=1"), move |_, _| {
        Response::ok(
            chapter(1, "Samandrag", "Mange innbyggjarar står utan fastlege, og legemangelen rammar små kommunar hardast."),
            html,
        )
    });
    server.route(&format!("{LANDING}?ch=2"), move |_, _| {
        Response::ok(
            chapter(
                2,
                "Tiltak for fastlegeordninga",
                "Utvalet tilrår fleire ALIS-avtalar og felles legevakt for fastlegeordninga.",
            ),
            html,
        )
    });
    let pdf = std::fs::read(demo("nou-demo.pdf")).unwrap();
    server.route(PDF, move |request, _| {
        if request.headers.get("if-none-match").map(String::as_str) == Some("\"pdf1\"") {
            Response::status(304)
        } else {
            Response::ok(pdf.clone(), "application/pdf").header("ETag", "\"pdf1\"")
        }
    });
    let listed = responses.clone();
    server.route(HEARING, move |_, _| Response::ok(hearing(&listed), html));
    for uid in ["a1", "b2", "c3"] {
        let all = responses.clone();
        server.route(&format!("{HEARING}?uid={uid}"), move |_, _| {
            let found = all
                .lock()
                .unwrap()
                .iter()
                .find(|(u, _, _)| *u == uid)
                .cloned();
            match found {
                Some((_, name, text)) => Response::ok(response(name, &text), html),
                None => Response::status(404),
            }
        });
    }
}

fn write_config(dir: &Path, server: &TestServer) -> std::path::PathBuf {
    let text = format!(
        r#"[fetch]
retries = 0
timeout_secs = 10
connect_timeout_secs = 2

# The whole NOU as its PDF, found on the landing page.
[[source]]
id = "nou-pdf"
title = "NOU 2026: 99 (PDF)"
kind = "nou"
url = "{landing}"
follow = "pdf"
link_pattern = '/contentassets/.*\.pdf$'

# The same NOU as its chapter pages gathered into one document.
[[source]]
id = "nou-kapittel"
title = "NOU 2026: 99 Samarbeid om fastlegetenesta"
kind = "nou"
url = "{landing}"
language = "nn"
selector = "div.article-body"
follow = "chapters"

# The hearing, and every response it lists as a document of its own.
[[source]]
id = "horing"
title = "Høring - NOU 2026: 99"
kind = "sak"
url = "{hearing}"
follow = "listing"
link_pattern = '\?uid='
entry_kind = "horingsuttalelse"

[[theme]]
id = "fastlegekrise"
label = "Fastlegekrise"
description = "Fastlegeordningen"
terms = ["fastlege", "legemangel", "fastlegeordning"]
"#,
        landing = server.url(LANDING),
        hearing = server.url(HEARING),
    );
    let path = dir.join("sources.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn status_of(status: &Value) -> Vec<(String, u64)> {
    let mut sources: Vec<(String, u64)> = status["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_string(),
                s["versions"].as_u64().unwrap(),
            )
        })
        .collect();
    sources.sort();
    sources
}

fn hits(config: &Path, index: &Path, query: &str, source: &str) -> Vec<Value> {
    let found = json_of(&samspor(
        config,
        index,
        &[
            "search", query, "--source", source, "--json", "--limit", "50",
        ],
    ));
    found["hits"].as_array().unwrap().clone()
}

#[test]
fn landing_pages_give_whole_documents_and_listings_give_one_document_per_entry() {
    let server = TestServer::start();
    let responses: Responses = Arc::new(Mutex::new(vec![
        (
            "a1",
            "Bergen kommune",
            "Bergen kommune støttar felles legevakt og meiner fastlegeordninga treng meir pengar."
                .to_string(),
        ),
        (
            "b2",
            "Askøy kommune",
            "Askøy kommune manglar fastlegar og ønskjer fleire ALIS-avtalar.".to_string(),
        ),
        (
            "c3",
            "Helse Bergen HF",
            "Helse Bergen støttar at fastlegen får betre tilgang til spesialistråd.".to_string(),
        ),
    ]));
    serve(&server, &responses);
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &server);
    let index = dir.path().join("index");

    let first = samspor(&config, &index, &["run", "--json"]);
    let first_json = json_of(&first);
    assert!(
        first_json["failures"].as_array().unwrap().is_empty(),
        "{first_json}"
    );

    let status = json_of(&samspor(&config, &index, &["status", "--json"]));
    assert_eq!(
        status_of(&status),
        [
            ("horing".to_string(), 1),
            ("horing--horing-nou-demo-id200-a1".to_string(), 1),
            ("horing--horing-nou-demo-id200-b2".to_string(), 1),
            ("horing--horing-nou-demo-id200-c3".to_string(), 1),
            ("nou-kapittel".to_string(), 1),
            ("nou-pdf".to_string(), 1),
        ]
    );

    // The PDF: the demo NOU's own text, with its pages.
    let pdf_hits = hits(&config, &index, "fastlege", "nou-pdf");
    assert!(!pdf_hits.is_empty(), "the PDF is indexed");
    assert!(
        pdf_hits.iter().any(|h| h["page"].as_u64().unwrap_or(0) > 1),
        "{pdf_hits:?}"
    );

    // The chapters: both, in one document, without the landing page's menus.
    let chapter_hits = hits(&config, &index, "fastlege", "nou-kapittel");
    let headings: Vec<&str> = chapter_hits
        .iter()
        .filter_map(|h| h["heading"].as_str())
        .collect();
    assert!(
        headings.contains(&"Samandrag") && headings.contains(&"Tiltak for fastlegeordninga"),
        "{headings:?}"
    );
    assert!(hits(&config, &index, "\"Helse og omsorg\"", "nou-kapittel").is_empty());

    // Each response is a document of its own, of the listing's entry kind.
    let askoy = hits(&config, &index, "ALIS", "horing--horing-nou-demo-id200-b2");
    assert_eq!(askoy.len(), 1, "{askoy:?}");
    let kinds = json_of(&samspor(
        &config,
        &index,
        &[
            "search",
            "fastlege",
            "--kind",
            "horingsuttalelse",
            "--json",
            "--limit",
            "50",
            "--per-source",
            "0",
        ],
    ));
    let sources: std::collections::BTreeSet<&str> = kinds["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources.len(), 3, "{kinds}");
    assert!(
        server.hits(&format!("{HEARING}?sortby=1")) == 0,
        "sort links are not documents"
    );

    // Second run: Askøy's response is gone from the hearing, Bergen's has changed.
    {
        let mut listed = responses.lock().unwrap();
        listed.retain(|(uid, _, _)| *uid != "b2");
        listed[0].2 = "Bergen kommune støttar felles legevakt, men vil at staten tek over finansieringa av fastlegeordninga.".into();
    }
    let second = json_of(&samspor(&config, &index, &["run", "--json"]));
    assert!(
        second["failures"].as_array().unwrap().is_empty(),
        "{second}"
    );
    let status = json_of(&samspor(&config, &index, &["status", "--json"]));
    assert_eq!(
        status_of(&status),
        [
            ("horing".to_string(), 2),
            ("horing--horing-nou-demo-id200-a1".to_string(), 2),
            ("horing--horing-nou-demo-id200-c3".to_string(), 1),
            ("nou-kapittel".to_string(), 1),
            ("nou-pdf".to_string(), 1),
        ]
    );
    let alis = json_of(&samspor(
        &config,
        &index,
        &["search", "ALIS", "--json", "--limit", "50"],
    ));
    assert!(
        alis["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["source"] != "horing--horing-nou-demo-id200-b2"),
        "a response no longer listed leaves the index: {alis}"
    );
    assert_eq!(
        hits(
            &config,
            &index,
            "finansieringa",
            "horing--horing-nou-demo-id200-a1"
        )
        .len(),
        1
    );

    let changes = json_of(&samspor(&config, &index, &["changes", "--json"]));
    let removed: Vec<&str> = changes["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["source"].as_str().unwrap())
        .collect();
    assert_eq!(removed, ["horing--horing-nou-demo-id200-b2"], "{changes}");
    let changed: Vec<&str> = changes["documents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] == "changed")
        .map(|d| d["source"].as_str().unwrap())
        .collect();
    assert!(
        changed.contains(&"horing--horing-nou-demo-id200-a1"),
        "{changes}"
    );
    assert!(
        !changed.contains(&"nou-kapittel") && !changed.contains(&"nou-pdf"),
        "{changes}"
    );
    // The PDF was asked for conditionally and not downloaded again.
    let pdf_requests = server.requests(PDF);
    assert_eq!(pdf_requests.len(), 2);
    assert_eq!(
        pdf_requests[1]
            .headers
            .get("if-none-match")
            .map(String::as_str),
        Some("\"pdf1\"")
    );

    // The response coming back is tracked again under the same id, its versions kept.
    responses.lock().unwrap().push((
        "b2",
        "Askøy kommune",
        "Askøy kommune manglar fastlegar og ønskjer fleire ALIS-avtalar.".to_string(),
    ));
    let third = json_of(&samspor(&config, &index, &["run", "--json"]));
    assert!(third["failures"].as_array().unwrap().is_empty(), "{third}");
    assert_eq!(
        hits(&config, &index, "ALIS", "horing--horing-nou-demo-id200-b2").len(),
        1
    );
    let status = json_of(&samspor(&config, &index, &["status", "--json"]));
    assert!(status_of(&status).contains(&("horing--horing-nou-demo-id200-b2".to_string(), 1)));
}

#[test]
fn a_landing_page_without_the_link_fails_that_source_only() {
    let server = TestServer::start();
    server.route("/tom/", |_, _| {
        Response::ok(
            page("Tom side", "<p>Her er ingen lenkjer.</p>"),
            "text/html",
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "[fetch]\nretries = 0\n\n[[source]]\nid = \"tom\"\ntitle = \"Tom\"\nkind = \"nou\"\nurl = \"{}\"\nfollow = \"pdf\"\n\n[[source]]\nid = \"kap\"\ntitle = \"Kap\"\nkind = \"nou\"\nurl = \"{}\"\nfollow = \"chapters\"\n",
        server.url("/tom/"),
        server.url("/tom/")
    );
    let config = dir.path().join("sources.toml");
    std::fs::write(&config, text).unwrap();
    let output = samspor(&config, &dir.path().join("index"), &["run"]);
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("links to no PDF"), "{stderr}");
    assert!(stderr.contains("no chapter pages"), "{stderr}");
}

#[test]
fn sources_suggest_drafts_entries_for_cited_untracked_documents() {
    let server = TestServer::start();
    server.route("/sak.html", |_, _| {
        Response::ok(
            page(
                "Sak til SSU",
                "<h2>1 Bakgrunn</h2><p>Partnarskapsmøtet byggjer på NOU 2023: 4 og NOU 2023: 8 Fellesskapets sykehus. \
                 Regjeringa legg fram Meld. St. 9 (2023–2024) om samhandling, og helsepersonelloven § 4 gjeld framleis. \
                 Sjå òg Prop. 102 L (2020–2021).</p>",
            ),
            "text/html; charset=utf-8",
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("sources.toml");
    let original = format!(
        "[[source]]\nid = \"sak\"\ntitle = \"Sak til SSU\"\nkind = \"sak\"\nurl = \"{}\"\n\n[[source]]\nid = \"nou-2023-4\"\ntitle = \"NOU 2023: 4\"\nkind = \"nou\"\nurl = \"{}\"\ncites_as = \"NOU 2023: 4\"\n",
        server.url("/sak.html"),
        server.url("/sak.html")
    );
    std::fs::write(&config, &original).unwrap();
    let index = dir.path().join("index");
    json_of(&samspor(&config, &index, &["run", "--json"]));

    let suggested = json_of(&samspor(&config, &index, &["sources", "suggest", "--json"]));
    let list = suggested["suggestions"].as_array().unwrap();
    let documents: std::collections::BTreeSet<&str> = list
        .iter()
        .map(|s| s["document"].as_str().unwrap())
        .collect();
    assert_eq!(
        documents,
        [
            "Meld. St. 9 (2023–2024)",
            "NOU 2023: 8",
            "Prop. 102 L (2020–2021)",
            "helsepersonelloven"
        ]
        .into(),
        "tracked documents (NOU 2023: 4) are not suggested: {suggested}"
    );
    let meld = list
        .iter()
        .find(|s| s["document"] == "Meld. St. 9 (2023–2024)")
        .unwrap();
    assert_eq!(meld["kind"], "meld");
    assert_eq!(meld["cites_as"], "Meld. St. 9 (2023–2024)");
    assert_eq!(meld["follow"], "pdf");
    assert_eq!(
        meld["landing_pattern"],
        "https://www.regjeringen.no/no/dokumenter/meld.-st.-9-20232024/idNNNNNNN/"
    );
    let law = list
        .iter()
        .find(|s| s["document"] == "helsepersonelloven")
        .unwrap();
    assert_eq!(
        law["url"],
        "https://lovdata.no/dokument/NL/lov/1999-07-02-64"
    );

    let text = samspor(&config, &index, &["sources", "suggest"]);
    assert!(text.status.success());
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("[[source]]\nid = \"nou-2023-8\""), "{text}");
    assert!(
        text.contains("cites_as = \"Prop. 102 L (2020–2021)\""),
        "{text}"
    );
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        original,
        "the file is never edited"
    );
}
