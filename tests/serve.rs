//! `samspor serve` end to end: the real binary on a free loopback port over a real index, real
//! HTTP requests. Pages, filters, errors, escaping, path traversal, the Host guard, a pipeline
//! run while serving, and shutdown.

mod serve_support;

use std::path::Path;
use std::time::Duration;

use serve_support::{
    Server, demo_index, demo_sources, eventually, get, href_of, raw_get, run_pipeline, samspor,
};

fn demo_server() -> Server {
    Server::start(&demo_sources(), &demo_index())
}

fn hits(body: &str) -> usize {
    body.matches(r#"<li class="hit">"#).count()
}

#[test]
fn pages_are_norwegian_html_with_security_headers() {
    let server = demo_server();
    for (path, h1) in [
        ("/", "Søk i styringsdokumentene"),
        ("/sok?q=fastlege", "Søk i styringsdokumentene"),
        ("/dokument", "Dokumenter"),
        ("/tema", "Tema"),
        ("/notat", "Lag notat"),
        ("/status", "Status"),
    ] {
        let page = get(&server.url(path));
        assert_eq!(page.status, 200, "{path}");
        page.expect(r#"<html lang="nb">"#)
            .expect(&format!("<h1>{h1}</h1>"))
            .expect(r##"<a class="skip" href="#innhold">Hopp til innholdet</a>"##);
        assert!(page.header("content-type").starts_with("text/html"));
        let csp = page.header("content-security-policy");
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        assert_eq!(page.header("x-content-type-options"), "nosniff");
        // Every form control has a label.
        for id in ["q", "kilde", "type", "tema", "ar"] {
            if page.body.contains(&format!(r#"id="{id}""#)) {
                page.expect(&format!(r#"<label for="{id}">"#));
            }
        }
    }
    let css = get(&server.url("/static/style.css"));
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").starts_with("text/css"));
    assert!(css.body.contains(":focus-visible"), "visible focus");
    assert_eq!(get(&server.url("/helse")).status, 200);
}

#[test]
fn search_shows_highlighted_hits_with_section_page_and_link() {
    let server = demo_server();
    let page = get(&server.url("/sok?q=listelengde&kilde=nou-demo"));
    assert_eq!(page.status, 200);
    page.expect("1 treff for «listelengde»")
        .expect("3.4.1 Listelengde og arbeidsbelastning")
        .expect("<mark>listelengde</mark>")
        .expect("Side ")
        .expect("nou-demo.pdf#page=")
        .expect(r#"href="/dokument/nou-demo/"#)
        .expect(r#"href="/tema/fastlegekrise">Fastlegekrise</a>"#);
    // The filter is kept in the form.
    page.expect(r#"<option value="nou-demo" selected>"#);
}

#[test]
fn filters_by_kind_theme_and_year() {
    let server = demo_server();
    let all = get(&server.url("/sok?q=helsefellesskap"));
    let avtale = get(&server.url("/sok?q=helsefellesskap&type=avtale"));
    assert!(hits(&avtale.body) > 0 && hits(&avtale.body) < hits(&all.body));
    assert_eq!(
        hits(&avtale.body),
        avtale
            .body
            .matches(r#"<a href="/dokument/samarbeidsavtale-demo">"#)
            .count(),
        "every hit is from the agreement"
    );

    let theme = get(&server.url("/sok?q=sykepleiere&tema=rekruttering"));
    assert!(hits(&theme.body) > 0);
    for hit in theme.body.split(r#"<li class="hit">"#).skip(1) {
        assert!(hit.contains(r#"href="/tema/rekruttering""#), "{hit}");
    }

    let year = get(&server.url("/sok?q=helsefellesskap&ar=2023"));
    assert!(hits(&year.body) > 0);
    assert_eq!(
        hits(&year.body),
        year.body.matches(" · 2023</p>").count(),
        "every hit is from 2023"
    );
    let none = get(&server.url("/sok?q=helsefellesskap&ar=1999"));
    none.expect("0 treff for «helsefellesskap»");

    let some = get(&server.url("/sok?q=listelengde%20sjiraffpark"));
    assert!(hits(&some.body) > 0);
    some.expect("Ingen treff på alle ordene – viser treff på noen av dem");
    let all = get(&server.url("/sok?q=fastlege%20listelengde"));
    assert!(!all.body.contains("Ingen treff på alle ordene"));
}

#[test]
fn bad_input_is_a_400_page_with_a_norwegian_message() {
    let server = demo_server();
    let page = get(&server.url("/sok?q=fastlege%20AND%20("));
    assert_eq!(page.status, 400);
    page.expect(r#"role="alert""#)
        .expect("Søket kunne ikke tolkes")
        .expect(r#"value="fastlege AND (""#);

    let long = "fastlege+".repeat(60);
    let page = get(&server.url(&format!("/sok?q={long}")));
    assert_eq!(page.status, 400);
    page.expect("Søket er for langt: bruk høyst 500 tegn.");

    for (query, message) in [
        ("q=x&kilde=finnes-ikke", "Ukjent kilde «finnes-ikke»."),
        ("q=x&tema=fastlegekrisa", "Ukjent tema «fastlegekrisa»."),
        ("q=x&type=roman", "Ukjent dokumenttype «roman»."),
        ("q=x&ar=tjue", "Ugyldig år «tjue»."),
    ] {
        let page = get(&server.url(&format!("/sok?{query}")));
        assert_eq!(page.status, 400, "{query}");
        page.expect(message);
    }
    let huge = get(&server.url(&format!("/sok?q={}", "a".repeat(5000))));
    assert_eq!(huge.status, 400);
}

#[test]
fn result_count_is_bounded() {
    let server = demo_server();
    // Matches every section with text: more than a page of hits.
    let query = "/sok?q=og%20OR%20i%20OR%20er%20OR%20helse%20OR%20kommunane";
    let first = get(&server.url(query));
    assert_eq!(hits(&first.body), 20, "one page");
    first.expect("Vis flere treff");
    let capped = get(&server.url(&format!("{query}&antall=100000")));
    assert!(hits(&capped.body) > 20 && hits(&capped.body) <= 100);
}

#[test]
fn document_page_has_sections_in_order_themes_citations_versions_and_changes() {
    let server = demo_server();
    let page = get(&server.url("/dokument/nou-demo"));
    assert_eq!(page.status, 200);
    page.expect("<h1>NOU 2099: 3 Helsefellesskap i praksis</h1>")
        .expect("Siterer")
        .expect("Sitert av")
        .expect("Versjoner")
        .expect("Endringer")
        .expect("I søket")
        .expect("Første versjon");
    let at = |text: &str| {
        page.body
            .find(text)
            .unwrap_or_else(|| panic!("{text} missing"))
    };
    assert!(at(">3.4 Allmennlegetjenesten") < at(">3.4.1 Listelengde"));
    assert!(at(">3.4.1 Listelengde") < at(">3.4.2 ALIS-avtaler"));
    // Cited by the proposition, which is tracked: a link to it.
    let cited_by = &page.body[at("id=\"sitert-av\"")..at("id=\"versjoner\"")];
    assert!(
        cited_by.contains(r#"href="/dokument/prop-demo""#),
        "{cited_by}"
    );
    // It cites documents that are not tracked.
    let cites = &page.body[at("id=\"siterer\"")..at("id=\"sitert-av\"")];
    assert!(cites.contains("(følges ikke)"), "{cites}");

    // A section page, reached from the document page.
    let href = href_of(&page.body, "3.4.1 Listelengde");
    let section = get(&server.url(&href));
    assert_eq!(section.status, 200, "{href}");
    section
        .expect("<h1>3.4.1 Listelengde og arbeidsbelastning</h1>")
        .expect(r#"rel="prev""#)
        .expect(r#"rel="next""#)
        .expect("Fastlegekrise");
}

#[test]
fn theme_page_ranks_sections_with_evidence() {
    let server = demo_server();
    let page = get(&server.url("/tema/fastlegekrise"));
    assert_eq!(page.status, 200);
    page.expect("<h1>Fastlegekrise</h1>")
        .expect("<blockquote>")
        .expect("Listelengde og arbeidsbelastning")
        .expect(r#"href="/notat?tema=fastlegekrise""#);
}

#[test]
fn status_page_lists_sources_and_runs() {
    let server = demo_server();
    let page = get(&server.url("/status"));
    for id in [
        "nou-demo",
        "prop-demo",
        "samarbeidsavtale-demo",
        "horingsuttalelse-demo",
    ] {
        page.expect(&format!(r#"<a href="/dokument/{id}">{id}</a>"#));
    }
    page.expect("Siste kjøringer")
        .expect("4 kilder, <strong>0 feiler</strong>, <strong>0 foreldet</strong>")
        .expect("76 seksjoner i søket");
}

#[test]
fn brief_form_is_prefilled_and_checks_its_parameters() {
    let server = demo_server();
    let form = get(&server.url("/notat?tema=fastlegekrise"));
    assert_eq!(form.status, 200);
    form.expect(r#"value="fastlegekrise" id="tema-fastlegekrise" checked"#)
        .expect(r#"<label for="siden">"#)
        .expect(r#"<label for="format-docx">Word (.docx)</label>"#);
    for (query, message) in [
        ("tema=finnes-ikke", "Ukjent tema «finnes-ikke»."),
        ("siden=1.2.2024", "Ugyldig dato «1.2.2024»"),
        (
            "antall=50",
            "Antall seksjoner per tema må være et tall fra 1 til 20.",
        ),
        ("format=pdf", "Ukjent format «pdf»"),
    ] {
        let page = get(&server.url(&format!("/notat/last-ned?{query}")));
        assert_eq!(page.status, 400, "{query}");
        page.expect(message);
    }
}

#[test]
fn unknown_pages_and_path_traversal_are_404() {
    let server = demo_server();
    for path in [
        "/dokument/finnes-ikke",
        "/dokument/..%2F..%2F..%2Fetc%2Fpasswd",
        "/dokument/nou-demo/999999",
        "/dokument/nou-demo/abc",
        "/tema/finnes-ikke",
        "/static/..%2F..%2FCargo.toml",
        "/finnes-ikke",
    ] {
        let page = get(&server.url(path));
        assert_eq!(page.status, 404, "{path}");
        page.expect("<h1>Fant ikke siden</h1>");
        assert!(!page.body.contains("[package]") && !page.body.contains("root:"));
    }
    // Dot segments sent as they are, without a client normalising them.
    for target in [
        "/static/../../Cargo.toml",
        "/dokument/../../../../etc/passwd",
        "/../../../../etc/passwd",
    ] {
        let (status, response) = raw_get(server.addr, target, "127.0.0.1");
        assert!(matches!(status, 400 | 404), "{target}: {status}");
        assert!(!response.contains("[package]") && !response.contains("root:x:0"));
    }
}

#[test]
fn requests_for_another_host_name_are_refused() {
    let server = demo_server();
    let (status, _) = raw_get(server.addr, "/", "evil.example");
    assert_eq!(status, 421, "DNS rebinding guard");
    let (status, _) = raw_get(
        server.addr,
        "/",
        &format!("localhost:{}", server.addr.port()),
    );
    assert_eq!(status, 200);
}

#[test]
fn non_loopback_address_needs_allow_remote() {
    let output = samspor(&[
        "--sources",
        demo_sources().to_str().unwrap(),
        "serve",
        "--addr",
        "0.0.0.0:0",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--allow-remote"), "{stderr}");
}

#[test]
fn missing_configuration_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let output = samspor(&[
        "--sources",
        dir.path().join("finnes-ikke.toml").to_str().unwrap(),
        "--index-dir",
        dir.path().to_str().unwrap(),
        "serve",
        "--addr",
        "127.0.0.1:0",
    ]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let mut server = demo_server();
    assert_eq!(get(&server.url("/")).status, 200);
    let status = server
        .terminate(Duration::from_secs(15))
        .expect("stopped within 15 s");
    assert!(status.success(), "{status:?}");
}

/// An invented HTML source whose text talks about `<script>` tags, and a config title with
/// markup: both must reach the page as text.
fn write_markup_corpus(dir: &Path, extra_section: &str) -> std::path::PathBuf {
    let html = format!(
        r#"<!DOCTYPE html>
<html lang="nb"><head><meta charset="utf-8"><title>Retningslinje for nettsider</title>
<script>alert("ekte skript i kilden")</script></head>
<body><main><article>
<h1>Retningslinje for kommunale nettsider</h1>
<h2>1 Om &lt;script&gt;-elementer i saksdokumenter</h2>
<p>Saksbehandlere skal ikke lime inn &lt;script&gt;alert(1)&lt;/script&gt; eller annen kode i
saksframlegg om fastlegeordningen. Teksten &lt;img src=x onerror=alert(2)&gt; skal vises som tekst,
og &amp;-tegn og "anførselstegn" skal stå urørt.</p>
<h2>2 Ansvar</h2>
<p>Kommunedirektøren har ansvaret for at retningslinjen følges i alle tjenester.</p>
{extra_section}
</article></main></body></html>
"#
    );
    std::fs::write(dir.join("retningslinje.html"), html).unwrap();
    let config = r#"
[[source]]
id = "retningslinje"
title = "Retningslinje <b>fet</b> & \"sitat\" <script>alert(3)</script>"
kind = "sak"
url = "retningslinje.html"
language = "nb"

[[theme]]
id = "fastlegekrise"
label = "Fastlegekrise <i>kursiv</i>"
description = "Fastlegeordningen"
terms = ["fastlege", "fastlegeordningen"]
"#;
    let path = dir.join("sources.toml");
    std::fs::write(&path, config).unwrap();
    path
}

#[test]
fn document_text_with_script_tags_is_shown_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let sources = write_markup_corpus(dir.path(), "");
    let index = dir.path().join("index");
    run_pipeline(&sources, &index);
    let server = Server::start(&sources, &index);

    let search = get(&server.url("/sok?q=saksframlegg"));
    assert_eq!(search.status, 200);
    let document = get(&server.url("/dokument/retningslinje"));
    let section = get(&server.url(&href_of(&document.body, "1 Om &lt;script&gt;")));
    let query = get(&server.url("/sok?q=%3Cscript%3Ealert(4)%3C%2Fscript%3E"));
    for page in [&search, &document, &section, &query] {
        // The only script element is the site's own.
        assert_eq!(page.body.matches("<script").count(), 1, "{}", page.body);
        page.expect(r#"<script src="/static/app.js" defer></script>"#);
        for raw in [
            "<img src=x",
            "<b>fet</b>",
            "<i>kursiv</i>",
            "alert(3)</script>",
        ] {
            assert!(!page.body.contains(raw), "{raw} unescaped in {}", page.body);
        }
    }
    search
        .expect("&lt;script&gt;alert(1)&lt;/script&gt;")
        .expect("Retningslinje &lt;b&gt;fet&lt;/b&gt; &amp; &quot;sitat&quot;");
    section
        .expect("Om &lt;script&gt;-elementer i saksdokumenter")
        .expect("&lt;img src=x onerror=alert(2)&gt;");
    // Theme labels from the configuration, in the filter and on the theme pages.
    search.expect(">Fastlegekrise &lt;i&gt;kursiv&lt;/i&gt;</option>");
    get(&server.url("/tema")).expect(">Fastlegekrise &lt;i&gt;kursiv&lt;/i&gt;</a>");
    document.expect("<h1>Retningslinje &lt;b&gt;fet&lt;/b&gt; &amp; &quot;sitat&quot; &lt;script&gt;alert(3)&lt;/script&gt;</h1>");
    query.expect("&lt;script&gt;alert(4)&lt;/script&gt;");
    assert!(!query.body.contains("<script>alert(4)"));
    assert!(
        !document.body.contains("ekte skript"),
        "the source's own script was dropped"
    );
}

#[test]
fn a_run_proceeds_while_serving_and_the_new_commit_shows_up() {
    let dir = tempfile::tempdir().unwrap();
    let sources = write_markup_corpus(dir.path(), "");
    let index = dir.path().join("index");
    // Serving starts before there is any index.
    let server = Server::start(&sources, &index);
    let page = get(&server.url("/sok?q=kommunedirektøren"));
    assert_eq!(page.status, 503);
    page.expect("Søkeindeksen er ikke klar");
    assert_eq!(get(&server.url("/helse")).status, 503);

    // The first run takes the index-dir lock and proceeds: the server never holds it.
    run_pipeline(&sources, &index);
    assert!(
        eventually(Duration::from_secs(20), || {
            get(&server.url("/sok?q=kommunedirektøren"))
                .body
                .contains("1 treff for «kommunedirektøren»")
        }),
        "the first index shows up without a restart"
    );
    get(&server.url("/sok?q=kvitvoldbjørn")).expect("0 treff for «kvitvoldbjørn»");

    // A new version with a new section; the next run commits it while the server serves.
    write_markup_corpus(
        dir.path(),
        "<h2>3 Kvitvoldbjørn-prosjektet</h2><p>Kvitvoldbjørn-prosjektet prøver ut felles legevakt.</p>",
    );
    run_pipeline(&sources, &index);
    assert!(
        eventually(Duration::from_secs(20), || {
            get(&server.url("/sok?q=kvitvoldbjørn"))
                .body
                .contains("3 Kvitvoldbjørn-prosjektet")
        }),
        "the new commit shows up without a restart"
    );
    let document = get(&server.url("/dokument/retningslinje"));
    document
        .expect("Ny versjon")
        .expect("Kvitvoldbjørn-prosjektet");
    assert_eq!(
        document.body.matches("<code>").count(),
        2,
        "two versions listed"
    );
    get(&server.url("/status")).expect("<th scope=\"row\">2</th>");
}

#[test]
fn hits_read_by_ocr_carry_a_notice() {
    let langs = std::process::Command::new("tesseract")
        .arg("--list-langs")
        .output();
    let has_nor = langs.is_ok_and(|o| {
        String::from_utf8_lossy(&[o.stdout, o.stderr].concat())
            .lines()
            .any(|l| l.trim() == "nor")
    });
    if !has_nor {
        eprintln!(
            "SKIP: tesseract with 'nor' data not found (install tesseract-ocr tesseract-ocr-nor)"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let fixtures = serve_support::repo().join("tests/fixtures/ocr");
    // The same agreement twice: typeset (text layer) and scanned (OCR).
    let config = format!(
        r#"
[[source]]
id = "avtale-tekst"
title = "Samarbeidsavtale (tekst)"
kind = "avtale"
url = "{}"
language = "nn"

[[source]]
id = "avtale-skann"
title = "Samarbeidsavtale (skannet)"
kind = "avtale"
url = "{}"
language = "nn"
"#,
        fixtures.join("avtale.text.pdf").display(),
        fixtures.join("avtale-300-g4.pdf").display()
    );
    let sources = dir.path().join("sources.toml");
    std::fs::write(&sources, config).unwrap();
    let index = dir.path().join("index");
    run_pipeline(&sources, &index);
    let server = Server::start(&sources, &index);
    let notice = "OCR-tekst – kontroller mot originalen";
    let page = get(&server.url("/sok?q=tjuefire+timar&kilde=avtale-skann"));
    assert_eq!(hits(&page.body), 1, "{}", page.body);
    page.expect(&format!(r#"<p class="ocr">{notice}</p>"#));
    let page = get(&server.url("/sok?q=tjuefire+timar&kilde=avtale-tekst"));
    assert_eq!(hits(&page.body), 1, "{}", page.body);
    assert!(!page.body.contains(notice), "{}", page.body);
}
