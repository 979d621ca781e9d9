//! Nightly tracking through the real binary against a loopback web server that answers
//! conditional requests: changes between runs (sections added, removed, modified with word
//! diffs; identical text not reported; removed sources), new theme matches, staleness after
//! failed fetches, the Atom feed, the webhook, the unchanged (all-304) run that does no work,
//! readers that never block a run, and the NDJSON export.

mod common;
mod tracking;

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::demo;
use serde_json::Value;
use tracking::{Site, page};

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

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json_of(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "exit {:?}\nstderr: {}",
        output.status.code(),
        stderr(output)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

const PLAN_TITLE: &str = "Handlingsplan for samhandling 2099";

fn plan_sections() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        (
            "1",
            "Innledning",
            "Handlingsplanen beskriver hvordan kommunene og helseforetaket skal utvikle tjenestene sammen de neste fire årene.",
        ),
        (
            "2",
            "Fastlegeordningen",
            "Mange innbyggere står uten fast lege, og fastlegene melder om lange lister og høy arbeidsbelastning. Kommunene vil prøve ut fastlønn for nye leger.",
        ),
        (
            "3",
            "Legevakt",
            "Legevakten skal ha nok leger på vakt også om natten, og samarbeidet med fastlegene om oppfølging etter legevaktbesøk skal styrkes.",
        ),
        (
            "4",
            "Oppfølging og evaluering",
            "Partnerskapsmøtet følger opp planen hvert år og justerer tiltakene ved behov.",
        ),
    ]
}

const AVTALE_TITLE: &str = "Tenesteavtale om utskrivingsklare pasientar";

fn avtale_sections() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        (
            "1",
            "Formål",
            "Avtalen skal sikre trygge overgangar når pasientar blir skrivne ut frå sjukehuset til kommunale tenester.",
        ),
        (
            "2",
            "Varsling",
            "Sjukehuset varslar kommunen seinast tre dagar før venta utskriving, og kommunen stadfestar kva tenester pasienten får.",
        ),
        (
            "3",
            "Betaling for utskrivingsklare pasientar",
            "Kommunen betaler for kvart døgn ein utskrivingsklar pasient blir liggjande på sjukehuset etter at kommunen har fått melding.",
        ),
    ]
}

fn write_config(dir: &Path, sources: &[(&str, &str)], notify: Option<&str>) -> PathBuf {
    let mut text = String::from(
        "[fetch]\nretries = 0\nbackoff_ms = 10\ntimeout_secs = 10\nhost_delay_ms = 0\n\n",
    );
    if let Some(notify) = notify {
        text.push_str(&format!("[notify]\n{notify}\n\n"));
    }
    for (id, url) in sources {
        text.push_str(&format!(
            "[[source]]\nid = \"{id}\"\ntitle = \"Dokument {id}\"\nkind = \"avtale\"\nurl = \"{url}\"\n\n"
        ));
    }
    text.push_str(concat!(
        "[[theme]]\nid = \"fastlegekrise\"\nlabel = \"Fastlegekrise\"\n",
        "description = \"Fastlegeordningen under press\"\n",
        "terms = [\"fastlege\", \"fastlegar\", \"legevakt\", \"fastlønn\"]\n\n",
        "[[theme]]\nid = \"digitalisering\"\nlabel = \"Digitalisering og e-helse\"\n",
        "description = \"Digital samhandling\"\n",
        "terms = [\"digital\", \"digitalisering\", \"e-helse\", \"meldingsutveksling\", \"velferdsteknologi\"]\n",
    ));
    let path = dir.join("sources.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn sections_of(change: &Value) -> Vec<(&str, &str)> {
    change["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["kind"].as_str().unwrap(),
                s["number"].as_str().unwrap_or(""),
            )
        })
        .collect()
}

/// Checks the feed is well-formed XML with Atom's required elements; returns entry titles.
fn feed_entry_titles(index: &Path) -> Vec<String> {
    use quick_xml::events::Event;
    let text = std::fs::read_to_string(index.join("feed.atom")).expect("feed.atom written");
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut path: Vec<String> = Vec::new();
    let mut feed_children = HashSet::new();
    let mut entry_children: Vec<HashSet<String>> = Vec::new();
    let mut titles = Vec::new();
    let mut ids = HashSet::new();
    let mut current_text = String::new();
    let mut root_ns = None;
    loop {
        match reader.read_event().expect("feed.atom is well-formed XML") {
            Event::Start(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                if path.is_empty() {
                    root_ns = e
                        .try_get_attribute("xmlns")
                        .unwrap()
                        .map(|a| String::from_utf8(a.value.to_vec()).unwrap());
                }
                if path.len() == 1 {
                    feed_children.insert(name.clone());
                    if name == "entry" {
                        entry_children.push(HashSet::new());
                    }
                }
                if path.len() == 2
                    && path[1] == "entry"
                    && let Some(children) = entry_children.last_mut()
                {
                    children.insert(name.clone());
                }
                path.push(name);
                current_text.clear();
            }
            Event::Empty(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                if path.len() == 2
                    && let Some(children) = entry_children.last_mut()
                {
                    children.insert(name);
                }
            }
            Event::Text(t) => current_text.push_str(&t.decode().unwrap()),
            Event::GeneralRef(r) => {
                let name = String::from_utf8(r.to_vec()).unwrap();
                current_text.push_str(match name.as_str() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("unexpected entity {other}"),
                });
            }
            Event::End(_) => {
                let name = path.pop().unwrap();
                if path.len() == 2 && path[1] == "entry" {
                    if name == "title" {
                        titles.push(current_text.clone());
                    }
                    if name == "id" {
                        assert!(
                            ids.insert(current_text.clone()),
                            "entry ids are unique: {current_text}"
                        );
                        assert!(current_text.starts_with("urn:uuid:"), "{current_text}");
                    }
                }
                current_text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(root_ns.as_deref(), Some("http://www.w3.org/2005/Atom"));
    for required in ["id", "title", "updated", "author"] {
        assert!(feed_children.contains(required), "feed has <{required}>");
    }
    for children in &entry_children {
        for required in ["id", "title", "updated", "summary", "link"] {
            if required == "link" && !children.contains("link") {
                continue; // a removed document has nothing to link to
            }
            assert!(children.contains(required), "entry has <{required}>");
        }
    }
    titles
}

#[test]
fn nightly_changes_identical_text_failures_removal_and_feed() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let site = Site::start(&["/plan.html", "/avtale.html"]);
    site.set("/plan.html", &page(PLAN_TITLE, &plan_sections()));
    site.set("/avtale.html", &page(AVTALE_TITLE, &avtale_sections()));
    let both = [
        ("plan", site.url("/plan.html")),
        ("avtale", site.url("/avtale.html")),
    ];
    let sources: Vec<(&str, &str)> = both.iter().map(|(id, u)| (*id, u.as_str())).collect();
    let config = write_config(dir.path(), &sources, None);

    // Run 1: both documents are new.
    let first = json_of(&samspor(&config, &index, &["run", "--json"]));
    assert_eq!(first["counts"]["new_documents"], 2, "{first:#}");
    let changes = json_of(&samspor(&config, &index, &["changes", "--json"]));
    assert_eq!(changes["window"]["run"], first["run"]);
    let kinds: Vec<&str> = changes["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["new", "new"]);

    // Run 2: the plan changes one sentence, drops a section and gains one about e-helse.
    let mut sections = plan_sections();
    sections[1].2 = "Over 4000 innbyggere står uten fast lege, og fastlegene melder om lange lister og høy arbeidsbelastning. Kommunene vil prøve ut fastlønn for nye leger.";
    sections.remove(2);
    sections.push((
        "5",
        "Digital samhandling",
        "Kommunene og sykehuset tar i bruk digital meldingsutveksling og velferdsteknologi, og e-helse skal gjøre det lettere å følge opp pasienter hjemme.",
    ));
    site.set("/plan.html", &page(PLAN_TITLE, &sections));
    let second = json_of(&samspor(&config, &index, &["run", "--json"]));
    let counts = &second["counts"];
    assert_eq!(counts["changed_documents"], 1, "{counts:#}");
    assert_eq!(counts["sections_modified"], 1);
    assert_eq!(counts["sections_added"], 1);
    assert_eq!(counts["sections_removed"], 1);
    assert_eq!(counts["not_modified"], 1, "the unchanged page answered 304");
    let run2 = second["run"].as_u64().unwrap().to_string();
    let changes = json_of(&samspor(
        &config,
        &index,
        &["changes", "--run", &run2, "--json"],
    ));
    let documents = changes["documents"].as_array().unwrap();
    assert_eq!(documents.len(), 1, "{changes:#}");
    assert_eq!(documents[0]["source"], "plan");
    assert_eq!(documents[0]["kind"], "changed");
    assert_eq!(
        sections_of(&documents[0]),
        vec![("modified", "2"), ("added", "5"), ("removed", "3")]
    );
    let diff = documents[0]["sections"][0]["diff"].as_str().unwrap();
    assert!(
        diff.contains("[-Mange-]") && diff.contains("{+Over 4000+}"),
        "{diff}"
    );
    let new_matches: Vec<(&str, &str)> = changes["theme_matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["theme"].as_str().unwrap(), m["number"].as_str().unwrap()))
        .collect();
    assert!(
        new_matches.contains(&("digitalisering", "5")),
        "{new_matches:?}"
    );
    assert!(
        !new_matches
            .iter()
            .any(|(theme, _)| *theme == "fastlegekrise"),
        "section 2 carried fastlegekrise before: {new_matches:?}"
    );
    // Text output names the change in Norwegian.
    let text = samspor(&config, &index, &["changes", "--run", &run2]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Endret: Dokument plan (plan)"), "{text}");
    assert!(text.contains("Nye tematreff:"), "{text}");

    // Run 3: the avtale page is re-generated with different markup but the same text.
    site.set(
        "/avtale.html",
        &page(AVTALE_TITLE, &avtale_sections())
            .replace("<body>", "<body>\n<!-- generert på nytt -->\n"),
    );
    let third = json_of(&samspor(&config, &index, &["run", "--json"]));
    assert_eq!(
        third["counts"]["versions_fetched"], 1,
        "the new bytes are recorded"
    );
    assert_eq!(third["counts"]["identical_text_versions"], 1);
    assert_eq!(
        third["counts"]["changed_documents"], 0,
        "but not reported as a change"
    );
    let run3 = third["run"].as_u64().unwrap().to_string();
    let changes = json_of(&samspor(
        &config,
        &index,
        &["changes", "--run", &run3, "--json"],
    ));
    assert!(
        changes["documents"].as_array().unwrap().is_empty(),
        "{changes:#}"
    );
    assert_eq!(changes["identical_text"][0]["source"], "avtale");

    // Runs 4 and 5: the avtale server fails; its last good version stays searchable.
    site.fail("/avtale.html");
    for _ in 0..2 {
        let output = samspor(&config, &index, &["run"]);
        assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    }
    let status = json_of(&samspor(&config, &index, &["status", "--json"]));
    let avtale = status["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "avtale")
        .unwrap();
    assert_eq!(avtale["state"], "failed");
    assert_eq!(avtale["failures_since_ok"], 2);
    assert_eq!(avtale["versions"], 2);
    assert!(
        avtale["staleness"]
            .as_str()
            .unwrap()
            .starts_with("siste vellykkede henting"),
        "{avtale:#}"
    );
    assert!(
        avtale["staleness"]
            .as_str()
            .unwrap()
            .ends_with("2 feil siden")
    );
    assert!(avtale["last_good_fetch_age_secs"].as_i64().unwrap() >= 0);
    assert!(status["runs"].as_array().unwrap().len() >= 5);
    let text = String::from_utf8_lossy(&samspor(&config, &index, &["status"]).stdout).into_owned();
    assert!(text.contains("2 feil siden"), "{text}");
    assert!(text.contains("Siste kjøringer:"), "{text}");
    let hits = json_of(&samspor(
        &config,
        &index,
        &["search", "utskrivingsklar", "--source", "avtale", "--json"],
    ));
    assert!(hits["total"].as_u64().unwrap() >= 1, "{hits:#}");

    // The feed shows the changed sections and the new theme match, and parses as Atom.
    let titles = feed_entry_titles(&index);
    assert!(
        titles
            .iter()
            .any(|t| t == "Endret seksjon: Dokument plan – 2 Fastlegeordningen"),
        "{titles:#?}"
    );
    assert!(
        titles
            .iter()
            .any(|t| t.starts_with("Ny seksjon: Dokument plan – 5"))
    );
    assert!(
        titles
            .iter()
            .any(|t| t.starts_with("Fjernet seksjon: Dokument plan – 3"))
    );
    assert!(
        titles
            .iter()
            .any(|t| t.starts_with("Nytt tematreff – Digitalisering og e-helse: Dokument plan")),
        "{titles:#?}"
    );

    // Run 6: the avtale leaves sources.toml, and with it the index.
    let config = write_config(dir.path(), &sources[..1], None);
    let sixth = json_of(&samspor(&config, &index, &["run", "--json"]));
    assert_eq!(sixth["counts"]["removed_documents"], 1, "{sixth:#}");
    let changes = json_of(&samspor(&config, &index, &["changes", "--json"]));
    assert_eq!(changes["removed"][0]["source"], "avtale");
    let titles = feed_entry_titles(&index);
    assert!(
        titles
            .iter()
            .any(|t| t == "Følges ikke lenger: Dokument avtale")
    );
    let catalog = samspor::track::Catalog::load(&index).unwrap();
    assert_eq!(catalog.sources["avtale"].indexed_sha256, None);
    let indexed = samspor::index::SectionIndex::open(&index)
        .unwrap()
        .indexed_sources()
        .unwrap();
    assert!(!indexed.contains_key("avtale"));

    // --since covers every run since the date.
    let all = json_of(&samspor(
        &config,
        &index,
        &["changes", "--since", "2000-01-01", "--json"],
    ));
    assert_eq!(all["documents"].as_array().unwrap().len(), 3, "{all:#}");
    let bad = samspor(&config, &index, &["changes", "--since", "i går"]);
    assert_eq!(bad.status.code(), Some(2), "a bad date is a usage error");
    let missing = samspor(&config, &index, &["changes", "--run", "999"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("no run 999"),
        "{}",
        stderr(&missing)
    );
}

fn file_state(path: &Path) -> (Vec<u8>, std::time::SystemTime) {
    (
        std::fs::read(path).unwrap(),
        std::fs::metadata(path).unwrap().modified().unwrap(),
    )
}

#[test]
fn an_unchanged_nightly_run_extracts_indexes_and_matches_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let site = Site::start(&["/plan.html", "/avtale.html"]);
    site.set("/plan.html", &page(PLAN_TITLE, &plan_sections()));
    site.set("/avtale.html", &page(AVTALE_TITLE, &avtale_sections()));
    let (plan, avtale) = (site.url("/plan.html"), site.url("/avtale.html"));
    let config = write_config(dir.path(), &[("plan", &plan), ("avtale", &avtale)], None);
    let first = json_of(&samspor(&config, &index, &["run", "--json"]));
    let meta = file_state(&index.join("tantivy/meta.json"));
    let matches = file_state(&index.join("matches.json"));
    let feed = file_state(&index.join("feed.atom"));

    let started = Instant::now();
    let output = samspor(&config, &index, &["run", "--json"]);
    let elapsed = started.elapsed();
    let again = json_of(&output);
    assert_eq!(again["counts"]["not_modified"], 2, "{again:#}");
    assert_eq!(again["counts"]["versions_extracted"], 0);
    assert!(again["reindexed"].as_array().unwrap().is_empty());
    assert_eq!(again["ok"], true);
    assert_eq!(
        file_state(&index.join("tantivy/meta.json")),
        meta,
        "no index commit"
    );
    assert_eq!(
        file_state(&index.join("matches.json")),
        matches,
        "stored matches reused"
    );
    assert_eq!(
        file_state(&index.join("feed.atom")),
        feed,
        "nothing new for the feed"
    );
    assert!(
        first["themes"][0]["sections"].as_u64().unwrap() >= 1,
        "{first:#}"
    );
    assert_eq!(
        again["themes"], first["themes"],
        "the summary still lists the stored matches"
    );
    assert!(
        site.server.requests("/plan.html")[1]
            .headers
            .contains_key("if-none-match"),
        "conditional request"
    );
    // Generous bound for a debug build on a shared machine; the benchmark measures properly.
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");

    // The explicit `match` command still recomputes.
    let output = samspor(&config, &index, &["match", "--json"]);
    assert!(output.status.success());
    assert_ne!(file_state(&index.join("matches.json")).1, matches.1);
}

/// A one-shot HTTP server that records the bodies it is sent and answers 200.
fn capture_server() -> (String, Arc<Mutex<Vec<Vec<u8>>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let bodies: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
    let seen = bodies.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                    break;
                }
                if let Some((name, value)) = line.split_once(':')
                    && name.eq_ignore_ascii_case("content-length")
                {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            if reader.read_exact(&mut body).is_ok() {
                seen.lock().unwrap().push(body);
            }
            let mut stream = stream;
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    (url, bodies)
}

#[test]
fn the_webhook_gets_the_run_summary_and_a_dead_webhook_does_not_fail_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let avtale = demo("samarbeidsavtale-demo.html");
    let (url, bodies) = capture_server();
    let config = write_config(
        dir.path(),
        &[("avtale", avtale.to_str().unwrap())],
        Some(&format!("webhook = \"{url}\"")),
    );
    let output = samspor(&config, &index, &["run"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let bodies = bodies.lock().unwrap().clone();
    assert_eq!(bodies.len(), 1, "called once");
    let summary: Value = serde_json::from_slice(&bodies[0]).unwrap();
    assert_eq!(summary["outcome"], "ok");
    assert_eq!(summary["command"], "run");
    assert_eq!(summary["counts"]["new_documents"], 1, "{summary:#}");
    assert!(summary["stage_millis"]["fetch"].is_u64());
    assert!(summary["index_dir"].as_str().unwrap().ends_with("index"));
    let report: Value =
        serde_json::from_slice(&std::fs::read(index.join("last-run.json")).unwrap()).unwrap();
    assert_eq!(
        report["id"], summary["id"],
        "the same report as last-run.json"
    );

    // Nothing listens on this port any more: the webhook fails, the run does not.
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let config = write_config(
        dir.path(),
        &[("avtale", avtale.to_str().unwrap())],
        Some(&format!(
            "webhook = \"http://{closed}/hook\"\nwebhook_timeout_secs = 2"
        )),
    );
    let output = samspor(&config, &index, &["run"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("webhook failed"),
        "{}",
        stderr(&output)
    );

    // A typo in [notify] is a configuration error (exit 2) naming the key and line.
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("webhook_timeout_secs", "webhook_timout_secs");
    std::fs::write(&config, text).unwrap();
    let output = samspor(&config, &index, &["run"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("webhook_timout_secs"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn readers_never_block_a_run() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let avtale = demo("samarbeidsavtale-demo.html");
    let config = write_config(dir.path(), &[("avtale", avtale.to_str().unwrap())], None);
    json_of(&samspor(&config, &index, &["run", "--json"]));
    let reader = rusqlite::Connection::open(index.join("catalog.sqlite")).unwrap();
    let mode: String = reader
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    // A reader holding a read transaction open (a web server mid-request) …
    reader.execute_batch("BEGIN").unwrap();
    let sources: i64 = reader
        .query_row("SELECT count(*) FROM sources", [], |r| r.get(0))
        .unwrap();
    assert_eq!(sources, 1);
    // … does not hold up a run, and keeps its consistent view while the run commits.
    let started = Instant::now();
    let output = samspor(&config, &index, &["run"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(started.elapsed() < Duration::from_secs(8));
    let runs: i64 = reader
        .query_row("SELECT count(*) FROM runs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(runs, 1, "the reader still sees its snapshot");
    reader.execute_batch("COMMIT").unwrap();
    let runs: i64 = reader
        .query_row("SELECT count(*) FROM runs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(runs, 2, "and the new run once it looks again");
    let integrity: String = reader
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
}

#[test]
fn export_writes_bulk_ndjson_for_every_indexed_section() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let config = demo("sources.toml");
    let run = json_of(&samspor(&config, &index, &["run", "--json"]));
    let sections = run["sections_indexed"].as_u64().unwrap() as usize;
    let out = dir.path().join("export.ndjson");
    let output = samspor(
        &config,
        &index,
        &[
            "export",
            "--format",
            "ndjson",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains(&format!("Eksporterte {sections} seksjoner fra 4 kilder")));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.ends_with('\n'), "bulk bodies end with a newline");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        2 * sections,
        "an action and a document per section"
    );
    let mut ids = HashSet::new();
    let mut cited = 0;
    for pair in lines.chunks(2) {
        let action: Value = serde_json::from_str(pair[0]).expect("action line is JSON");
        let document: Value = serde_json::from_str(pair[1]).expect("document line is JSON");
        let object = action.as_object().unwrap();
        assert_eq!(object.len(), 1, "one action per line: {action}");
        let target = object["create"].as_object().expect("a create action");
        assert_eq!(target["_index"], "samspor-sections");
        let id = target["_id"].as_str().unwrap();
        assert!(ids.insert(id.to_string()), "ids are unique: {id}");
        assert_eq!(document["section_id"], id);
        assert!(!document.as_object().unwrap().contains_key("create"));
        for key in [
            "source",
            "source_title",
            "kind",
            "url",
            "link",
            "version",
            "text",
        ] {
            assert!(document[key].is_string(), "{key} in {document}");
        }
        assert_eq!(document["version"].as_str().unwrap().len(), 64);
        assert!(document["fetched_at"].is_string(), "{document}");
        assert!(document["page_start"].is_u64());
        assert!(document["themes"].is_array() && document["theme_labels"].is_array());
        assert_eq!(
            document["themes"].as_array().unwrap().len(),
            document["theme_labels"].as_array().unwrap().len()
        );
        if !document["citations"].as_array().unwrap().is_empty() {
            cited += 1;
        }
        if document["format"] == "pdf" {
            assert!(document["link"].as_str().unwrap().contains("#page="));
        }
    }
    assert!(cited > 0, "the demo documents cite each other");

    // The deployment configs in deploy/ map every field the export writes.
    let repo = common::repo();
    let mapping: Value = serde_json::from_slice(
        &std::fs::read(repo.join("deploy/opensearch/samspor-sections.json")).unwrap(),
    )
    .unwrap();
    let mapped = mapping["mappings"]["properties"].as_object().unwrap();
    let quickwit =
        std::fs::read_to_string(repo.join("deploy/quickwit/samspor-sections.yaml")).unwrap();
    let first: Value = serde_json::from_str(lines[1]).unwrap();
    for field in first.as_object().unwrap().keys() {
        assert!(
            mapped.contains_key(field),
            "OpenSearch mapping lacks {field}"
        );
        assert!(
            quickwit.contains(&format!("- name: {field}\n")),
            "Quickwit config lacks {field}"
        );
    }
    assert_eq!(
        mapped.len(),
        first.as_object().unwrap().len(),
        "and nothing else"
    );

    // stdout gives the same bytes; a bad index name is refused.
    let to_stdout = samspor(&config, &index, &["export", "--format", "ndjson"]);
    assert_eq!(String::from_utf8_lossy(&to_stdout.stdout), text);
    let bad = samspor(
        &config,
        &index,
        &[
            "export",
            "--format",
            "ndjson",
            "--index-name",
            "Store Bokstaver",
        ],
    );
    // A bad argument is a usage error (it exited 1 before issue 16).
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("index name"), "{}", stderr(&bad));
}

#[test]
fn json_logs_are_one_object_per_line_with_run_and_stage() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let avtale = demo("samarbeidsavtale-demo.html");
    let config = write_config(dir.path(), &[("avtale", avtale.to_str().unwrap())], None);
    let output = samspor(&config, &index, &["--log-format", "json", "-v", "run"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let lines: Vec<Value> = stderr(&output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let finished = lines
        .iter()
        .find(|l| l["fields"]["message"] == "stage finished" && l["span"]["stage"] == "extract")
        .expect("a stage-finished event inside the extract stage span");
    assert!(finished["fields"]["millis"].is_u64());
    assert!(
        finished["spans"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "run" && s["command"] == "run"),
        "{finished}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l["fields"]["message"] == "run finished")
    );
}
