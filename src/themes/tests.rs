use super::*;
use crate::index::analyzer;

fn theme(id: &str, terms: &[&str]) -> Theme {
    Theme {
        id: id.into(),
        label: id.into(),
        description: String::new(),
        terms: terms.iter().map(|t| t.to_string()).collect(),
        context: Vec::new(),
        paraphrases: Vec::new(),
        exclude: Vec::new(),
        threshold: None,
        prototypes: Vec::new(),
    }
}

fn matcher() -> ThemeMatcher {
    ThemeMatcher::new(&[
        theme(
            "fastlegekrise",
            &["fastlege", "legemangel", "listelengde", "allmennlege"],
        ),
        theme("barn-unge", &["barn og unge", "ungdom"]),
    ])
}

#[test]
fn context_terms_count_only_beside_a_term() {
    let mut planning = theme("felles-planlegging", &["årsplan", "felles planlegging"]);
    planning.context = vec!["helsefellesskap".into(), "områdeutvalg".into()];
    let matcher = ThemeMatcher::new(&[planning]);
    let only_context = "Helsefellesskapet og områdeutvalet møtest fire gonger i året.";
    assert!(matcher.score(None, only_context).is_empty());
    let with_term = "Helsefellesskapet vedtek årsplanen. Områdeutvalet følgjer opp årsplanen.";
    let m = &matcher.score(None, with_term)[0];
    assert_eq!(m.parts.distinct_terms, 3, "{m:?}");
    assert!(m.passed);
}

#[test]
fn a_group_named_in_a_list_is_not_the_topic() {
    let matcher = ThemeMatcher::new(&[
        theme("barn-unge", &["barn og unge"]),
        theme("psykisk-rus", &["psykiske lidelser", "rusproblemer"]),
        theme("skropelige-eldre", &["skrøpelige eldre"]),
        theme("kroniske", &["kroniske lidelser"]),
    ]);
    let text = "Helsefellesskapene skal prioritere barn og unge, personer med alvorlige \
                psykiske lidelser og rusproblemer, skrøpelige eldre og personer med flere \
                kroniske lidelser. Budsjettet for neste år er vedtatt.";
    for m in matcher.score(Some("Prioriterte grupper"), text) {
        assert!(m.parts.passing_only, "{m:?}");
        assert!(!m.passed, "{m:?}");
    }
}

#[test]
fn one_word_counts_for_one_term() {
    let matcher = ThemeMatcher::new(&[theme(
        "rekruttering",
        &["helsepersonell", "personell", "Helsepersonellkommisjonen"],
    )]);
    let m = &matcher.score(None, "Helsepersonellkommisjonen la fram rapporten.")[0];
    assert_eq!(m.parts.distinct_terms, 1, "{m:?}");
    assert_eq!(m.terms, vec!["Helsepersonellkommisjonen"]);
}

#[test]
fn terms_match_inside_compounds_and_nynorsk() {
    let rekruttering = ThemeMatcher::new(&[theme("rekruttering", &["rekruttering", "sykepleier"])]);
    let m = &rekruttering.score(
        Some("Legerekruttering"),
        "Kommunane slit med å halde på sjukepleiarane.",
    )[0];
    assert_eq!(m.parts.heading_terms, 1, "{m:?}");
    assert_eq!(m.parts.distinct_terms, 2, "{m:?}");
    assert_eq!(
        m.evidence,
        vec!["Kommunane slit med å halde på sjukepleiarane."]
    );
}

#[test]
fn a_section_about_the_theme_passes_with_evidence() {
    let text = "Mange kommuner mangler fastleger. Legemangelen er størst i distriktene. \
                Listelengden har gått ned, og flere allmennleger slutter. Tiltak må til.";
    let matches = matcher().score(Some("Fastlegeordningen under press"), text);
    let m = &matches[0];
    assert_eq!(m.theme, "fastlegekrise");
    assert!(m.passed, "{m:?}");
    assert_eq!(
        m.parts.heading_terms, 1,
        "fastlegeordningen is a compound of fastlege"
    );
    assert_eq!(m.parts.distinct_terms, 4);
    assert_eq!(m.evidence.len(), 2);
    for sentence in &m.evidence {
        assert!(text.contains(sentence.as_str()), "verbatim: {sentence}");
    }
}

#[test]
fn a_passing_mention_stays_below_the_threshold() {
    let filler =
        "Helseforetaket har hatt økte kostnader til bygg, utstyr og legemidler. ".repeat(12);
    let text = format!("{filler}Samarbeidet med fastlegene er godt. {filler}");
    let matches = matcher().score(Some("Økonomi i helseforetaket"), &text);
    let m = &matches[0];
    assert_eq!(m.parts.occurrences, 1);
    assert!(!m.passed, "passing mention passed: {m:?}");
    assert_eq!(m.evidence, vec!["Samarbeidet med fastlegene er godt."]);
}

#[test]
fn phrases_match_across_stop_words_and_inflection() {
    let matches = matcher().score(None, "Tilbodet til barn og unge må styrkjast.");
    assert_eq!(matches[0].theme, "barn-unge");
    assert_eq!(matches[0].terms, vec!["barn og unge"]);
    assert!(
        matcher()
            .score(None, "Barn skal ha unge foreldre.")
            .is_empty()
    );
}

#[test]
fn inflected_variants_of_one_term_count_once() {
    let matcher = ThemeMatcher::new(&[theme("f", &["fastlege", "fastlegar", "fastlegen"])]);
    let matches = matcher.score(None, "Samarbeidet med fastlegene er godt.");
    assert_eq!(matches[0].parts.distinct_terms, 1);
    assert_eq!(matches[0].parts.occurrences, 1);
    assert_eq!(matches[0].terms, vec!["fastlege"]);
}

#[test]
fn a_heading_over_text_about_something_else_is_discounted() {
    let short = "Kort tekst om tiltak.";
    let with = matcher().score(Some("Legemangel i distriktene"), short);
    assert_eq!(with[0].parts.heading_terms, 1);
    assert_eq!(with[0].parts.sentences, 0);
    assert!(!with[0].passed, "{:?}", with[0]);
    assert_eq!(with[0].evidence, vec!["Legemangel i distriktene"]);
    let backed = matcher().score(
        Some("Legemangel i distriktene"),
        "Legemangelen rammer distriktene hardest.",
    );
    assert!(backed[0].passed, "{:?}", backed[0]);
}

fn recruitment() -> Theme {
    let mut t = theme("rekruttering", &["rekruttering", "turnover"]);
    t.paraphrases = vec![
        "ledige stillinger".into(),
        "slutter".into(),
        "skaffe og beholde".into(),
        "forlater yrket".into(),
    ];
    t.context = vec!["sykepleier".into()];
    t
}

#[test]
fn paraphrases_make_a_theme_without_its_words() {
    let matcher = ThemeMatcher::new(&[recruitment()]);
    let text = "Kommunen har mange ledige stillinger for sykepleiere. Mange slutter etter                     kort tid, og flere forlater yrket. Det blir vanskeligere å skaffe og beholde                     fagfolk.";
    let m = &matcher.score(None, text)[0];
    assert!(m.terms.iter().all(|t| t == "sykepleier"), "{m:?}");
    assert_eq!(
        m.paraphrases,
        vec![
            "ledige stillinger",
            "slutter",
            "skaffe og beholde",
            "forlater yrket"
        ]
    );
    assert!(m.passed, "{m:?}");
    // One paraphrase in a side sentence is not enough.
    let once = "Budsjettet er vedtatt. Noen sykepleiere slutter. Bygget er nytt. Taket lekker.";
    let m = &matcher.score(None, once)[0];
    assert!(!m.passed, "{m:?}");
}

#[test]
fn an_item_in_an_enumeration_of_other_things_is_passing() {
    let matcher = ThemeMatcher::new(&[theme("fastlegekrise", &["legevakt", "listelengde"])]);
    let text = "Kommunen driver sykehjem, hjemmetjeneste, legevakt, helsestasjon og                     fysioterapi. Tjenestene ble evaluert i fjor. De fleste var fornøyd.";
    let m = &matcher.score(None, text)[0];
    assert_eq!(
        m.passing,
        vec![PassingMention {
            words: "legevakt".into(),
            reason: Passing::Enumeration
        }]
    );
    assert!(m.parts.passing_only && !m.passed, "{m:?}");
    // A list of the theme's own things is its topic.
    let own = "Utfordringene er legevakt, listelengde og vikarer. Legevakten er sårbar.";
    let m = &matcher.score(None, own)[0];
    assert!(m.passing.is_empty(), "{m:?}");
}

#[test]
fn a_side_remark_is_passing() {
    let matcher = ThemeMatcher::new(&[theme("digitalisering", &["velferdsteknologi"])]);
    let text = "Hjemmetjenesten skal ha nok tid til hver bruker (blant annet gjennom                     velferdsteknologi). Turnusen endres.";
    let m = &matcher.score(None, text)[0];
    assert_eq!(m.passing[0].reason, Passing::Aside, "{m:?}");
    assert!(!m.passed);
}

#[test]
fn topics_are_terms_and_candidates_include_paraphrases() {
    let matcher = ThemeMatcher::new(&[recruitment()]);
    let topics = matcher.topics();
    let words: Vec<&String> = topics.values().flatten().collect();
    assert_eq!(words.len(), 2, "{words:?}");
    let candidates = matcher.analysed_terms("rekruttering");
    assert_eq!(candidates.len(), 6, "{candidates:?}");
}

#[test]
fn keyword_counts_are_the_terms_only() {
    let matcher = ThemeMatcher::new(&[recruitment()]);
    let counts = matcher.keyword_counts(
        Some("Rekruttering"),
        "Turnover og ledige stillinger for sykepleiere.",
    );
    assert_eq!(counts, vec![("rekruttering".to_string(), 2)]);
}

/// The shipped vocabulary: the three copies agree, and no multi-word entry loses all but
/// one word to stop words ("halde på" would match every "halde").
#[test]
fn shipped_theme_blocks_agree_and_phrases_stay_phrases() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let blocks: Vec<String> = [
        "sources.toml",
        "examples/demo/sources.toml",
        "eval/sources.toml",
    ]
    .iter()
    .map(|f| {
        let text = std::fs::read_to_string(root.join(f)).expect("readable");
        let at = text.find("[[theme]]").expect("themes");
        text[at..].to_string()
    })
    .collect();
    assert_eq!(blocks[0], blocks[1], "examples/demo/sources.toml differs");
    assert_eq!(blocks[0], blocks[2], "eval/sources.toml differs");
    let config = crate::config::Config::load(&root.join("sources.toml")).expect("valid");
    let mut collapsed = Vec::new();
    for theme in &config.themes {
        for entry in theme
            .terms
            .iter()
            .chain(&theme.paraphrases)
            .chain(&theme.context)
        {
            let words = entry.split_whitespace().count();
            if words > 1 && analyzer::analyze(entry).len() < 2 {
                collapsed.push(entry.clone());
            }
        }
    }
    assert!(collapsed.is_empty(), "{collapsed:?}");
}

proptest::proptest! {
    #[test]
    fn scoring_never_panics_and_evidence_is_verbatim(
        heading in "[A-Za-zæøå ]{0,40}",
        text in "(fastlege|legemangel|barn og unge|ungdom|[a-zæøå]{1,12}|[.!?] |\n\n| ){0,80}",
    ) {
        for m in matcher().score(Some(&heading), &text) {
            for sentence in &m.evidence {
                proptest::prop_assert!(text.contains(sentence.as_str()) || heading.contains(sentence.as_str()));
            }
            proptest::prop_assert!(m.score.is_finite() && m.score >= 0.0);
        }
    }
}
