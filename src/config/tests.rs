//! Tests of reading sources.toml.

use std::path::Path;

use super::*;

#[test]
fn years_come_from_references_and_titles() {
    assert_eq!(first_year("Prop. 102 L (2020–2021)"), Some(2020));
    assert_eq!(first_year("NOU 2023: 4"), Some(2023));
    assert_eq!(first_year("Høring 12345 og 2019"), Some(2019));
    assert_eq!(first_year("Tenesteavtale 1"), None);
}

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, Path::new("sources.toml"), Path::new("/base"))
}

const GOOD: &str = r#"
[fetch]
retries = 1

[[source]]
id = "nou-2023-4"
title = "NOU 2023: 4 Tid for handling"
kind = "nou"
url = "https://www.regjeringen.no/no/dokumenter/nou-2023-4/id2961552/"
cites_as = "NOU 2023: 4"

[[source]]
id = "avtale"
title = "Samarbeidsavtale"
kind = "avtale"
url = "docs/avtale.html"
language = "nn"
selector = "main article"

[[theme]]
id = "fastlegekrise"
label = "Fastlegekrise"
description = "Fastlegeordningen under press"
terms = ["fastlege", "legemangel"]
"#;

#[test]
fn parses_a_good_file() {
    let config = parse(GOOD).unwrap();
    assert_eq!(config.sources.len(), 2);
    assert_eq!(config.fetch.retries, 1);
    assert_eq!(
        config.fetch.concurrency, 4,
        "unset keys keep their defaults"
    );
    assert_eq!(
        config.sources[1].location,
        Location::File(PathBuf::from("/base/docs/avtale.html"))
    );
    assert_eq!(config.sources[1].language, Some(Language::Nn));
    assert_eq!(config.sources[0].cites_as.as_deref(), Some("NOU 2023: 4"));
    assert_eq!(config.sources[0].year, Some(2023));
    assert_eq!(config.themes[0].terms, vec!["fastlege", "legemangel"]);
}

fn error_of(text: &str) -> String {
    parse(text).unwrap_err().to_string()
}

#[test]
fn a_typo_in_a_key_fails_with_its_line() {
    let text = GOOD.replace("cites_as", "cite_as");
    let err = error_of(&text);
    assert!(err.starts_with("sources.toml:10: "), "{err}");
    assert!(err.contains("cite_as"), "{err}");
    assert!(!err.contains('\n'), "one line: {err}");
}

#[test]
fn a_typo_in_the_fetch_table_fails() {
    let err = error_of(&GOOD.replace("retries = 1", "retry = 1"));
    assert!(err.contains("retry"), "{err}");
    assert!(err.starts_with("sources.toml:3: "), "{err}");
}

#[test]
fn the_notify_table_is_strict_too() {
    let with_notify = GOOD.replace(
        "[fetch]\nretries = 1\n",
        "[fetch]\nretries = 1\n\n[notify]\nwebhook = \"https://hooks.example.org/samspor\"\n",
    );
    let config = parse(&with_notify).unwrap();
    assert_eq!(
        config.notify.webhook.as_deref(),
        Some("https://hooks.example.org/samspor")
    );
    assert_eq!(parse(GOOD).unwrap().notify.webhook, None);

    let err = error_of(&with_notify.replace("webhook =", "webhok ="));
    assert!(err.starts_with("sources.toml:6: "), "{err}");
    assert!(err.contains("webhok"), "{err}");
    let err = error_of(&with_notify.replace("https://hooks", "ftp://hooks"));
    assert!(err.contains("must be an http:// or https:// URL"), "{err}");
    assert!(err.starts_with("sources.toml:5: "), "{err}");
}

#[test]
fn fetch_politeness_settings_and_the_robots_override() {
    let config = parse(GOOD).unwrap();
    assert_eq!(
        config.sources[0].robots,
        RobotsPolicy::Respect,
        "the default"
    );
    assert_eq!(config.fetch.host_delay_ms, 1000);
    assert_eq!(config.fetch.robots_token(), "samspor");
    assert_eq!(config.fetch.user_agent_header(), config.fetch.user_agent);

    let text = GOOD
        .replace(
            "retries = 1\n",
            "retries = 1\ncontact = \"post@helsefellesskap.example\"\nsource_budget_secs = 30\n",
        )
        .replace("cites_as = \"NOU 2023: 4\"", "robots = \"ignore\"");
    let config = parse(&text).unwrap();
    assert_eq!(config.sources[0].robots, RobotsPolicy::Ignore);
    assert_eq!(config.fetch.source_budget_secs, 30.0);
    let ua = config.fetch.user_agent_header();
    assert!(ua.starts_with("samspor/"), "{ua}");
    assert!(
        ua.ends_with("conditional requests; contact: post@helsefellesskap.example)"),
        "{ua}"
    );

    let err = error_of(&GOOD.replace("cites_as = \"NOU 2023: 4\"", "robots = \"maybe\""));
    assert!(err.starts_with("sources.toml:10: "), "{err}");
    let err = error_of(&GOOD.replace("retries = 1\n", "contact = \"Åse <åse@x.no>\"\n"));
    assert!(err.contains("printable ASCII"), "{err}");
    let err = error_of(&GOOD.replace("retries = 1\n", "run_budget_secs = 0\n"));
    assert!(err.contains("run_budget_secs"), "{err}");
}

#[test]
fn duplicate_ids_name_both_lines() {
    let err = error_of(&GOOD.replace("id = \"avtale\"", "id = \"nou-2023-4\""));
    assert_eq!(
        err,
        "sources.toml:13: duplicate source id \"nou-2023-4\" (first defined at line 6)"
    );
}

#[test]
fn bad_urls_are_rejected() {
    for bad in [
        "htps://example.org/x.pdf",
        "ftp://example.org/x",
        "https://",
        "",
    ] {
        let text = GOOD.replace("docs/avtale.html", bad);
        let err = error_of(&text);
        assert!(err.starts_with("sources.toml:16: "), "{bad}: {err}");
    }
}

#[test]
fn empty_terms_are_rejected() {
    let err = error_of(&GOOD.replace(r#"["fastlege", "legemangel"]"#, "[]"));
    assert_eq!(err, "sources.toml:24: theme \"fastlegekrise\": empty terms");
    let err = error_of(&GOOD.replace(r#""legemangel""#, r#""  ""#));
    assert!(err.contains("term number 2 is empty"), "{err}");
}

#[test]
fn unknown_kind_and_bad_selector_are_rejected() {
    let err = error_of(&GOOD.replace("kind = \"nou\"", "kind = \"rapport\""));
    assert!(err.starts_with("sources.toml:8: "), "{err}");
    let err = error_of(&GOOD.replace("main article", "main >>> ["));
    assert!(err.contains("invalid CSS selector"), "{err}");
}

#[test]
fn ids_must_be_safe_file_names() {
    let err = error_of(&GOOD.replace("id = \"avtale\"", "id = \"../etc\""));
    assert!(err.contains("source id \"../etc\""), "{err}");
}

#[test]
fn file_urls_resolve() {
    let text = GOOD.replace("docs/avtale.html", "file:///srv/avtale.html");
    let config = parse(&text).unwrap();
    assert_eq!(
        config.sources[1].location,
        Location::File(PathBuf::from("/srv/avtale.html"))
    );
}

#[test]
fn follow_keys_parse_and_are_checked() {
    let text = GOOD.replace(
        "cites_as = \"NOU 2023: 4\"",
        "cites_as = \"NOU 2023: 4\"\nfollow = \"listing\"\nlink_pattern = '\\?uid='\nmax_links = 50\nentry_kind = \"horingsuttalelse\"",
    );
    let config = parse(&text).unwrap();
    let source = &config.sources[0];
    assert_eq!(source.follow, Some(Follow::Listing));
    assert_eq!(source.max_links, 50);
    assert_eq!(source.entry_kind, Some(Kind::Horingsuttalelse));
    assert!(
        source
            .link_pattern
            .as_ref()
            .unwrap()
            .is_match("https://x/?uid=1")
    );
    assert_eq!(source.parent, None);
    assert_eq!(config.sources[1].follow, None);
    assert_eq!(config.sources[1].max_links, DEFAULT_MAX_LINKS);

    // Strict as everything else: a misspelt key or value is an error with its line.
    let err = error_of(&text.replace("follow =", "folow ="));
    assert!(
        err.starts_with("sources.toml:11: ") && err.contains("folow"),
        "{err}"
    );
    let err = error_of(&text.replace("\"listing\"", "\"kapitler\""));
    assert!(err.starts_with("sources.toml:11: "), "{err}");
    let err = error_of(&text.replace("'\\?uid='", "'(uid'"));
    assert!(
        err.starts_with("sources.toml:12: ") && err.contains("invalid link_pattern"),
        "{err}"
    );
    assert!(!err.contains('\n'), "{err}");
    let err = error_of(&text.replace("max_links = 50", "max_links = 0"));
    assert!(err.contains("max_links must be between"), "{err}");
    // Following needs a web page, and the link filters need following.
    let err = error_of(&GOOD.replace("language = \"nn\"", "language = \"nn\"\nfollow = \"pdf\""));
    assert!(err.contains("follow needs an http(s) url"), "{err}");
    let err = error_of(&GOOD.replace("language = \"nn\"", "language = \"nn\"\nlink_pattern = 'x'"));
    assert!(err.contains("need follow"), "{err}");
}

#[test]
fn the_shipped_sources_toml_is_valid_and_follows_whole_documents() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("sources.toml");
    let config = Config::load(&path).unwrap();
    for source in &config.sources {
        let url = source.url.as_str();
        let whole = source.follow.is_some()
            || url.ends_with(".pdf")
            || url.contains("/api/fil/")
            || url.starts_with("https://lovdata.no/dokument/")
            || url.starts_with("https://www.saman.no/");
        assert!(whole, "{} must fetch the whole document: {url}", source.id);
        if url.starts_with("https://www.regjeringen.no/no/dokumenter/") {
            assert_eq!(source.follow, Some(Follow::Pdf), "{}", source.id);
        }
    }
    for cited in [
        "NOU 2023: 4",
        "NOU 2023: 8",
        "Prop. 102 L (2020–2021)",
        "Meld. St. 7 (2019–2020)",
        "Meld. St. 9 (2023–2024)",
        "helse- og omsorgstjenesteloven",
    ] {
        assert!(
            config
                .sources
                .iter()
                .any(|s| s.cites_as.as_deref() == Some(cited)),
            "{cited} is tracked"
        );
    }
}

proptest::proptest! {
    #[test]
    fn arbitrary_text_never_panics_and_errors_are_one_line(text in "\\PC{0,400}") {
        if let Err(err) = parse(&text) {
            let message = err.to_string();
            proptest::prop_assert!(message.starts_with("sources.toml:"));
            proptest::prop_assert!(!message.contains('\n'));
        }
    }

    #[test]
    fn mutated_good_config_never_panics(cut in 0usize..700, insert in "[a-z_=\\[\\]\" \n]{0,5}") {
        let mut text = GOOD.to_string();
        let at = (cut % text.len()..text.len()).find(|&i| text.is_char_boundary(i)).unwrap_or(text.len());
        text.insert_str(at, &insert);
        let _ = parse(&text);
    }
}
