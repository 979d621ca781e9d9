//! Norwegian text analysis for bokmål and nynorsk.
//!
//! `nb_stem`: words split on non-alphanumerics (æøå stay inside words), lowercased without
//! folding æøå, Norwegian stop words (the Snowball list covers both written standards), then
//! the Snowball Norwegian stemmer — except for the `-lege` compounds that Snowball reduces to
//! their first part ("fastlege" → "fast", the adjective), which get a minimal plural/definite
//! stemmer instead. `nb_exact`: the same words lowercased but unstemmed, for exact forms.

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

/// Compounds and inflections of Norwegian words can be long; the limit is in bytes.
const MAX_TOKEN_BYTES: usize = 80;

pub fn stemmed_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(
            StopWordFilter::new(Language::Norwegian).expect("tantivy ships Norwegian stop words"),
        )
        .filter(NorwegianStemmer)
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
    ANALYZER.with(|analyzer| {
        let mut analyzer = analyzer.borrow_mut();
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
    })
}

/// Stems one lowercase word as the index does (stop words are not removed here).
pub fn stem_word(word: &str) -> String {
    stem(&SNOWBALL, word).into_owned()
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

fn stem<'a>(snowball: &frostem::Stemmer, word: &'a str) -> Cow<'a, str> {
    let minimal = minimal_stem(word);
    if let Some(head) = minimal.strip_suffix("leg")
        && LEGE_HEADS.contains(&head)
    {
        return Cow::Owned(minimal.to_string());
    }
    snowball.stem(word)
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

#[derive(Clone, Copy)]
struct NorwegianStemmer;

impl TokenFilter for NorwegianStemmer {
    type Tokenizer<T: Tokenizer> = NorwegianStemFilter<T>;
    fn transform<T: Tokenizer>(self, inner: T) -> NorwegianStemFilter<T> {
        NorwegianStemFilter { inner }
    }
}

#[derive(Clone)]
struct NorwegianStemFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for NorwegianStemFilter<T> {
    type TokenStream<'a> = NorwegianStemStream<T::TokenStream<'a>>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        NorwegianStemStream {
            tail: self.inner.token_stream(text),
        }
    }
}

struct NorwegianStemStream<S> {
    tail: S,
}

impl<S: TokenStream> TokenStream for NorwegianStemStream<S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        // A borrowed stem is a prefix of the word (stemmers only strip suffixes).
        let stemmed = match stem(&SNOWBALL, &token.text) {
            Cow::Borrowed(prefix) => Ok(prefix.len()),
            Cow::Owned(owned) => Err(owned),
        };
        match stemmed {
            Ok(len) => token.text.truncate(len),
            Err(owned) => token.text = owned,
        }
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
        assert_eq!(stems("tenestene tenester"), vec!["tenest", "tenest"]);
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        let text = "Fastlegeordningen er under press.";
        let terms = analyze(text);
        assert_eq!(&text[terms[0].from..terms[0].to], "Fastlegeordningen");
    }
}
