//! Norwegian text analysis for bokmål and nynorsk.
//!
//! `nb_stem`: words split on non-alphanumerics (æøå stay inside words), lowercased without
//! folding æøå, Norwegian stop words (the Snowball list covers both written standards), nynorsk
//! spellings rewritten to their bokmål variants ("tenester" → "tjenester", "sjukehus" →
//! "sykehus"; [`VARIANTS`]), then the Snowball Norwegian stemmer — except for the `-lege`
//! compounds that Snowball reduces to their first part ("fastlege" → "fast", the adjective), which
//! get a minimal plural/definite stemmer instead — and finally verbal nouns in `-ing` joined with
//! their verbs ("rekruttering" and "rekruttere" → "rekrutter").
//! `nb_exact`: the same words lowercased but unstemmed, for exact forms and phrases.
//! `nb_fold`: `nb_stem` with æ→ae, ø→o, å→a afterwards, so a query typed without Norwegian
//! letters ("skropelige") still finds "skrøpelige" — in a separate field, ranked lower, because
//! folding conflates real words ("får" and "far").

use std::borrow::Cow;
use std::sync::LazyLock;

use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, StopWordFilter, TextAnalyzer, Token,
    TokenFilter, TokenStream, Tokenizer,
};

/// Name of the stemmed analyzer in the index's tokenizer manager.
pub const STEMMED: &str = "nb_stem";
/// Name of the exact-form analyzer.
pub const EXACT: &str = "nb_exact";
/// Name of the ASCII-folded stemmed analyzer.
pub const FOLDED: &str = "nb_fold";

/// Compounds and inflections of Norwegian words can be long; the limit is in bytes.
const MAX_TOKEN_BYTES: usize = 80;

pub fn stemmed_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(
            StopWordFilter::new(Language::Norwegian).expect("tantivy ships Norwegian stop words"),
        )
        .filter(NORWEGIAN_STEMMER)
        .build()
}

pub fn folded_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(
            StopWordFilter::new(Language::Norwegian).expect("tantivy ships Norwegian stop words"),
        )
        .filter(NORWEGIAN_STEMMER)
        .filter(ASCII_FOLD)
        .build()
}

pub fn exact_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .build()
}

/// Registers both analyzers on an index.
pub fn register(index: &tantivy::Index) {
    index.tokenizers().register(STEMMED, stemmed_analyzer());
    index.tokenizers().register(EXACT, exact_analyzer());
    index.tokenizers().register(FOLDED, folded_analyzer());
}

/// A token with its byte range in the analysed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub text: String,
    pub position: usize,
    pub from: usize,
    pub to: usize,
}

/// Runs the stemmed analyzer over a text.
pub fn analyze(text: &str) -> Vec<Term> {
    thread_local! {
        static ANALYZER: std::cell::RefCell<TextAnalyzer> = std::cell::RefCell::new(stemmed_analyzer());
    }
    ANALYZER.with(|analyzer| run(&mut analyzer.borrow_mut(), text))
}

/// Runs the exact-form analyzer over a text.
pub fn analyze_exact(text: &str) -> Vec<Term> {
    thread_local! {
        static ANALYZER: std::cell::RefCell<TextAnalyzer> = std::cell::RefCell::new(exact_analyzer());
    }
    ANALYZER.with(|analyzer| run(&mut analyzer.borrow_mut(), text))
}

/// Runs the folded analyzer over a text.
pub fn analyze_folded(text: &str) -> Vec<Term> {
    thread_local! {
        static ANALYZER: std::cell::RefCell<TextAnalyzer> = std::cell::RefCell::new(folded_analyzer());
    }
    ANALYZER.with(|analyzer| run(&mut analyzer.borrow_mut(), text))
}

fn run(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Term> {
    {
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let t = stream.token();
            out.push(Term {
                text: t.text.clone(),
                position: t.position,
                from: t.offset_from,
                to: t.offset_to,
            });
        }
        out
    }
}

/// Stems one lowercase word as the index does (stop words are not removed here).
///
/// Snippets stem every distinct word of every hit, and a language's words repeat from section
/// to section: the stems are remembered per thread, up to [`MEMO_WORDS`] words (then the memo
/// starts over, so memory stays bounded).
pub fn stem_word(word: &str) -> String {
    let mut text = word.to_string();
    stem_in_place(&mut text);
    text
}

/// Replaces a lowercase word by its stem, through the per-thread memo of [`stem_word`]. The
/// index's stemming filter calls this for every token: a word seen before costs one lookup
/// and no allocation (stemming is the costliest step of indexing).
fn stem_in_place(text: &mut String) {
    thread_local! {
        static MEMO: std::cell::RefCell<rustc_hash::FxHashMap<String, String>> =
            std::cell::RefCell::new(rustc_hash::FxHashMap::default());
    }
    MEMO.with(|memo| {
        if let Some(stem) = memo.borrow().get(text.as_str()) {
            if stem != text {
                text.clear();
                text.push_str(stem);
            }
            return;
        }
        let stemmed = stem(&SNOWBALL, text).into_owned();
        let mut memo = memo.borrow_mut();
        if memo.len() >= MEMO_WORDS {
            memo.clear();
        }
        let word = std::mem::replace(text, stemmed);
        memo.insert(word, text.clone());
    })
}

/// Most words a thread's stem memo ([`stem_word`]) and compound memo hold (a few MB).
pub(crate) const MEMO_WORDS: usize = 50_000;

/// æ→ae, ø→o, å→a and other letters without their accents, for the folded field.
pub fn fold(word: &str) -> Cow<'_, str> {
    if word.is_ascii() {
        return Cow::Borrowed(word);
    }
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        match c {
            'æ' => out.push_str("ae"),
            'ø' => out.push('o'),
            'å' => out.push('a'),
            c if c.is_ascii() => out.push(c),
            c => out.extend(
                c.nfd()
                    .filter(|d| !unicode_normalization::char::is_combining_mark(*d)),
            ),
        }
    }
    Cow::Owned(out)
}

/// Nynorsk spellings rewritten to their bokmål variants before stemming, so one search finds
/// both written standards. Each rule replaces a letter sequence anywhere in the word (compounds
/// included: "heimetenester" → "hjemmetjenester") unless the next letter is the one given
/// (so "utval" does not turn "utvalg" into "utvalgg"). Only sequences that occur in no bokmål
/// word of the domain are listed.
pub const VARIANTS: &[(&str, &str, Option<char>)] = &[
    ("tenest", "tjenest", None),
    ("sjuk", "syk", None),
    ("heime", "hjemme", None),
    ("heim", "hjem", None),
    ("pleiar", "pleier", None),
    ("brukar", "bruker", None),
    ("arbeidar", "arbeider", None),
    ("innbyggjar", "innbygger", None),
    ("deltakar", "deltaker", None),
    ("medverknad", "medvirkning", None),
    ("leiing", "ledelse", None),
    ("samanheng", "sammenheng", None),
    ("saman", "sammen", None),
    ("vidare", "videre", None),
    ("tilbod", "tilbud", None),
    ("verksemd", "virksomhet", None),
    ("utval", "utvalg", Some('g')),
    ("lidingar", "lidelser", None),
    ("liding", "lidelse", None),
    ("rusavhengigheit", "rusavhengighet", None),
    ("eigenomsorg", "egenomsorg", None),
    ("kvardag", "hverdag", None),
    ("løysing", "løsning", None),
    ("tryggleik", "trygghet", None),
    ("utskriving", "utskrivning", None),
];

fn apply_variants(word: &str) -> Cow<'_, str> {
    let mut current = Cow::Borrowed(word);
    for (from, to, unless_next) in VARIANTS {
        if !current.contains(from) {
            continue;
        }
        let mut out = String::with_capacity(current.len() + 4);
        let mut rest: &str = &current;
        while let Some(at) = rest.find(from) {
            let after = &rest[at + from.len()..];
            out.push_str(&rest[..at]);
            if unless_next.is_some_and(|c| after.starts_with(c)) {
                out.push_str(from);
            } else {
                out.push_str(to);
            }
            rest = after;
        }
        out.push_str(rest);
        current = Cow::Owned(out);
    }
    current
}

static SNOWBALL: LazyLock<frostem::Stemmer> =
    LazyLock::new(|| frostem::Stemmer::new(frostem::Algorithm::Norwegian));

/// First parts of `-lege` compounds (doctor) that must not lose their `-leg` to Snowball's
/// derivational step.
const LEGE_HEADS: &[&str] = &[
    "",
    "fast",
    "allmenn",
    "turnus",
    "kommune",
    "over",
    "under",
    "assistent",
    "spesialist",
    "sykehus",
    "sjukehus",
    "bedrift",
    "distrikt",
    "vikar",
    "tilsyns",
    "skole",
    "sykehjems",
    "sjukeheims",
    "legevakt",
    "lis",
    "alis",
    "fastlege",
    "privat",
    "avtale",
    "barne",
    "dyr",
];

fn stem(snowball: &frostem::Stemmer, word: &str) -> Cow<'static, str> {
    let word = apply_variants(word);
    let minimal = minimal_stem(&word);
    if let Some(head) = minimal.strip_suffix("leg")
        && LEGE_HEADS.contains(&head)
    {
        return Cow::Owned(minimal.to_string());
    }
    if let Some(agent) = agent_noun(&word) {
        return Cow::Owned(agent.to_string());
    }
    // Snowball strips -ar as a plural ending, also from adjectives: "utskrivningsklar" →
    // "utskrivningskl", while "utskrivningsklare" loses only its -e. A second pass over such a
    // stem puts both on the same stem.
    let once = snowball.stem(&word).into_owned();
    let stemmed = if once.ends_with("ar") && word.strip_suffix('e') == Some(once.as_str()) {
        snowball.stem(&once).into_owned()
    } else {
        once
    };
    // Verbal nouns join their verbs: "rekruttering" (Snowball keeps -ing) and "rekruttere"
    // (→ "rekrutter"); "planlegging"/"planlegge", "behandling"/"behandle". Short words keep
    // their -ing ("ting", "ordning").
    let joined = match stemmed.strip_suffix("ing") {
        Some(base) if base.chars().count() >= 5 => base,
        _ => &stemmed,
    };
    Cow::Owned(undouble(joined).to_string())
}

/// Inflection doubles a final consonant ("hjem" → "hjemmet", "sykehjemmene"), which Snowball
/// leaves in the stem; one of them goes, on both sides of the search.
fn undouble(stem: &str) -> &str {
    let mut chars = stem.chars().rev();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if a == b && !is_vowel(a) && stem.chars().count() >= 4 => {
            &stem[..stem.len() - a.len_utf8()]
        }
        _ => stem,
    }
}

use crate::norwegian::is_vowel;

/// Agent nouns in -er that Snowball stems inconsistently ("sykepleier" → "sykeplei" but
/// "sykepleierne" → "sykepleiern"): every inflection maps to the singular.
const AGENT_ENDINGS: &[&str] = &[
    "pleier", "bygger", "arbeider", "bruker", "taker", "giver", "leder", "yter", "søker",
];

fn agent_noun(word: &str) -> Option<&str> {
    for inflection in ["", "e", "en", "ne", "ens", "nes", "ar", "ane", "s"] {
        let Some(base) = word.strip_suffix(inflection) else {
            continue;
        };
        if AGENT_ENDINGS.iter().any(|ending| base.ends_with(ending)) {
            return Some(base);
        }
    }
    None
}

/// Plural and definite endings only (after Lucene's NorwegianMinimalStemmer, both standards).
fn minimal_stem(word: &str) -> &str {
    let chars = word.chars().count();
    for (suffix, min_len) in [
        ("ene", 5),
        ("ane", 5),
        ("er", 4),
        ("en", 4),
        ("et", 4),
        ("ar", 4),
        ("a", 3),
        ("e", 3),
    ] {
        if chars >= min_len + suffix.len() - 1
            && let Some(stem) = word.strip_suffix(suffix)
        {
            return stem;
        }
    }
    word
}

/// A token filter that rewrites each token's text in place: the stemmer and the folding step
/// are both word-for-word maps.
#[derive(Clone, Copy)]
struct WordMap(fn(&mut String));

/// The Norwegian stemmer as a token filter.
const NORWEGIAN_STEMMER: WordMap = WordMap(stem_in_place);

/// ASCII folding as a token filter (after stemming).
const ASCII_FOLD: WordMap = WordMap(|word| {
    if let Cow::Owned(folded) = fold(word) {
        *word = folded;
    }
});

impl TokenFilter for WordMap {
    type Tokenizer<T: Tokenizer> = WordMapFilter<T>;
    fn transform<T: Tokenizer>(self, inner: T) -> WordMapFilter<T> {
        WordMapFilter { inner, map: self.0 }
    }
}

#[derive(Clone)]
struct WordMapFilter<T> {
    inner: T,
    map: fn(&mut String),
}

impl<T: Tokenizer> Tokenizer for WordMapFilter<T> {
    type TokenStream<'a> = WordMapStream<T::TokenStream<'a>>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        WordMapStream {
            tail: self.inner.token_stream(text),
            map: self.map,
        }
    }
}

struct WordMapStream<S> {
    tail: S,
    map: fn(&mut String),
}

impl<S: TokenStream> TokenStream for WordMapStream<S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        (self.map)(&mut self.tail.token_mut().text);
        true
    }
    fn token(&self) -> &Token {
        self.tail.token()
    }
    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(text: &str) -> Vec<String> {
        analyze(text).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn fastlege_is_not_the_adjective_fast() {
        let forms = stems("fastlege fastlegen fastleger fastlegane fastlegene");
        assert!(forms.iter().all(|s| s == "fastleg"), "{forms:?}");
        assert_eq!(stems("faste"), vec!["fast"]);
    }

    #[test]
    fn keeps_norwegian_letters_and_drops_stop_words() {
        assert_eq!(
            stems("Skrøpelige eldre og barn"),
            vec!["skrøp", "eldr", "barn"]
        );
        assert_eq!(
            stems("skrøpelege"),
            vec!["skrøp"],
            "nynorsk adjective joins bokmål"
        );
        assert_eq!(stems("tjenestene tjenester"), vec!["tjenest", "tjenest"]);
        assert_eq!(
            stems("tenestene tenester tenesta"),
            vec!["tjenest", "tjenest", "tjenest"]
        );
    }

    #[test]
    fn nynorsk_variants_join_bokmal() {
        for (nn, nb) in [
            ("sjukehusa", "sykehusene"),
            ("sjukepleiarane", "sykepleierne"),
            ("heimetenesta", "hjemmetjenesten"),
            ("brukarmedverknad", "brukermedvirkning"),
            ("områdeutvalet", "områdeutvalget"),
            ("psykiske lidingar", "psykiske lidelser"),
        ] {
            assert_eq!(stems(nn), stems(nb), "{nn} / {nb}");
        }
        assert_eq!(stems("utvalget"), stems("utvalg"));
        assert_eq!(stems("sykehjemmene"), stems("sykehjem"));
        assert_eq!(stems("sjukeheimen"), stems("sykehjem"));
        assert_eq!(stems("utskrivingsklare"), stems("utskrivningsklar"));
        for form in [
            "sykepleier",
            "sykepleiere",
            "sykepleierne",
            "sjukepleiar",
            "sjukepleiarar",
        ] {
            assert_eq!(stems(form), vec!["sykepleier"], "{form}");
        }
    }

    #[test]
    fn verbal_nouns_join_their_verbs() {
        for (noun, verb) in [
            ("rekruttering", "rekruttere"),
            ("rekrutteringen", "rekrutterer"),
            ("planlegging", "planlegge"),
            ("behandlingen", "behandle"),
        ] {
            assert_eq!(stems(noun), stems(verb), "{noun} / {verb}");
        }
        assert_eq!(stems("ting"), vec!["ting"]);
    }

    #[test]
    fn folding_finds_words_typed_without_norwegian_letters() {
        let folded = |text: &str| -> Vec<String> {
            analyze_folded(text).into_iter().map(|t| t.text).collect()
        };
        assert_eq!(folded("skrøpelige"), folded("skropelige"));
        assert_eq!(folded("pasientforløp"), folded("pasientforlop"));
        assert_eq!(folded("Tromsø"), vec!["tromso"]);
        assert_eq!(fold("særlig"), "saerlig");
    }

    #[test]
    fn remembered_stems_are_the_stems() {
        for word in [
            "fastlegen",
            "sjukepleiarane",
            "rekruttering",
            "og",
            "ting",
            "2",
        ] {
            let direct = stem(&SNOWBALL, word).into_owned();
            // First call fills the memo, the second reads it; both rewrite in place.
            for _ in 0..2 {
                let mut text = word.to_string();
                stem_in_place(&mut text);
                assert_eq!(text, direct, "{word}");
                assert_eq!(stem_word(word), direct, "{word}");
            }
        }
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        let text = "Fastlegeordningen er under press.";
        let terms = analyze(text);
        assert_eq!(&text[terms[0].from..terms[0].to], "Fastlegeordningen");
    }
}
