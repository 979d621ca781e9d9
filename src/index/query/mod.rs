//! The search language: what a secretariat officer types, parsed into a tree and then into
//! tantivy queries over the section fields.
//!
//! - A plain list of words is a best match: `fastlege rekruttering` finds sections with any of
//!   the words, those with all of them first, then by how many they contain ([`Node::Best`]).
//!   `+word` requires a word; `a AND b` (`OG`) requires both. `OR`/`ELLER` between words or
//!   groups, `-word`, `NOT word` or `IKKE word` to exclude, parentheses to group: inside
//!   parentheses and OR alternatives words are all required, as before.
//! - `"a phrase"` matches those exact words in order; a quoted single word (`"fastlegen"`)
//!   matches that form only, unstemmed.
//! - `fastlege*` matches words starting with "fastlege".
//! - `source:ID` (`kilde:`), `kind:nou` (`type:`), `theme:ID` (`tema:`), `year:2023` or
//!   `year:2020..2023` (`år:`) filter.
//! - Policy references in any spelling ("NOU 2023:4", "nou 2023 4", "prop 102 l", "§ 6-2",
//!   "paragraf 6-2") match the sections citing them, through the `refs` field.
//!
//! The user's boolean semantics are never relaxed: a query that cannot be parsed is an error
//! naming what is wrong, not a looser search.
//!
//! Architecture invariant: parsing is a pure function of the query string; it knows the index
//! only through the field handles it is given.

use std::collections::BTreeSet;

mod references;
use references::{Cited, references};

/// Why a query cannot be parsed. `Display` is one line in English (the CLI's message);
/// [`QueryError::norwegian`] says the same to the secretariat on the search page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("empty query")]
    Empty,
    #[error("query longer than {} characters", MAX_QUERY_CHARS)]
    TooLong,
    #[error("query has more than {} terms", MAX_NODES)]
    TooManyTerms,
    #[error("unbalanced '('")]
    UnclosedParen,
    #[error("unbalanced ')'")]
    UnopenedParen,
    #[error("empty parentheses or unbalanced ')'")]
    EmptyParens,
    #[error("unexpected {0}")]
    Unexpected(String),
    #[error("query ends too early")]
    EndsEarly,
    #[error("unclosed quote")]
    UnclosedQuote,
    #[error("empty quotes")]
    EmptyQuotes,
    #[error("a query cannot only exclude: add a word to search for")]
    OnlyExclusions,
    #[error("OR needs a term on both sides")]
    OrNeedsTerms,
    #[error("AND needs a term on both sides")]
    AndNeedsTerms,
    #[error("'-' or NOT needs a term after it")]
    NotNeedsTerm,
    #[error("'+' needs a term after it")]
    PlusNeedsTerm,
    #[error("unknown field '{name}' (known: {known})")]
    UnknownField { name: String, known: String },
    #[error("'{0}:' needs a value")]
    FieldNeedsValue(String),
    #[error("'{0}': a prefix needs at least three letters before '*'")]
    ShortPrefix(String),
    #[error("'{0}': '*' is only allowed at the end of a word")]
    StarInside(String),
    #[error("'{0}' is not a year or a range like 2020..2023")]
    NotAYear(String),
    #[error("year range {0} runs backwards")]
    YearBackwards(String),
}

impl QueryError {
    /// The problem in Norwegian, for the search page.
    pub fn norwegian(&self) -> String {
        match self {
            QueryError::Empty => "skriv inn noe å søke etter.".into(),
            QueryError::TooLong => "søket er for langt.".into(),
            QueryError::TooManyTerms => "søket har for mange ord.".into(),
            QueryError::UnclosedParen | QueryError::UnopenedParen => {
                "en parentes mangler sin make.".into()
            }
            QueryError::UnclosedQuote => "et anførselstegn er ikke lukket.".into(),
            QueryError::EmptyQuotes => "det står ingenting mellom anførselstegnene.".into(),
            QueryError::OnlyExclusions => {
                "et søk kan ikke bare utelate ord: legg til et ord å søke etter.".into()
            }
            QueryError::OrNeedsTerms => "ELLER (OR) trenger et ord på begge sider.".into(),
            QueryError::AndNeedsTerms => "OG (AND) trenger et ord på begge sider.".into(),
            QueryError::NotNeedsTerm => "minus eller IKKE (NOT) trenger et ord etter seg.".into(),
            QueryError::PlusNeedsTerm => "pluss trenger et ord etter seg.".into(),
            QueryError::EndsEarly | QueryError::Unexpected(_) => {
                "søket slutter eller fortsetter på et uventet sted.".into()
            }
            QueryError::UnknownField { name, .. } => {
                format!("ukjent filter «{name}:» (bruk kilde:, type:, tema: eller år:).")
            }
            QueryError::FieldNeedsValue(name) => format!("filteret «{name}:» trenger en verdi."),
            QueryError::ShortPrefix(word) => format!("«{word}»: skriv minst tre bokstaver før *."),
            QueryError::StarInside(word) => format!("«{word}»: * kan bare stå sist i et ord."),
            QueryError::NotAYear(_) | QueryError::YearBackwards(_) => {
                "året må være et årstall eller et intervall som 2020..2023.".into()
            }
            QueryError::EmptyParens => {
                "sjekk parenteser, anførselstegn og filtre (kilde:, type:, tema:, år:).".into()
            }
        }
    }
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A word as typed: stemmed, compound parts and folded forms all match.
    Word(String),
    /// A quoted single word: this form only.
    Exact(String),
    /// A quoted phrase: these words in this order.
    Phrase(Vec<String>),
    /// `word*`.
    Prefix(String),
    /// A policy reference in canonical form, with the words as typed.
    Reference {
        canonical: String,
        written: String,
    },
    /// A numbered service agreement ("tjenesteavtale 3", "delavtale 3", nynorsk
    /// "tenesteavtale nr. 3"): the sections of the agreement with that number, and the sections
    /// naming it.
    Agreement {
        number: u32,
        written: String,
    },
    Filter(Filter),
    /// All required.
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    /// Typed with `+`, or joined to a neighbour with `AND`: must match (only meaningful in a
    /// [`Node::Best`] list; elsewhere everything is required anyway).
    Required(Box<Node>),
    /// The words typed side by side at the top of a query: a best match. Words, prefixes and
    /// references are optional and rank by how many of them a section contains; `Required`
    /// items, quoted phrases and words, and parenthesised groups must match; `Not` excludes;
    /// filters restrict.
    Best(Vec<Node>),
}

impl Node {
    /// Whether this item of a [`Node::Best`] list is optional (ranks by coverage).
    pub fn is_optional(&self) -> bool {
        matches!(
            self,
            Node::Word(_) | Node::Prefix(_) | Node::Reference { .. } | Node::Agreement { .. }
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Source(String),
    Kind(String),
    Theme(String),
    Year { from: u32, to: u32 },
}

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;
/// Most clauses in one query: bounds the work per search.
const MAX_NODES: usize = 64;

#[derive(Debug, Clone, PartialEq)]
enum Lexeme {
    Word(String),
    Quoted(String),
    Open,
    Close,
    Minus,
    Plus,
    And,
    Or,
    Not,
    Reference { canonical: String, written: String },
    Agreement { number: u32, written: String },
}

/// Parses a query. Errors are one line, in English, naming the problem.
pub fn parse(query: &str) -> Result<Node, QueryError> {
    let query = query.trim();
    if query.is_empty() {
        return Err(QueryError::Empty);
    }
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(QueryError::TooLong);
    }
    let lexemes = lex(query)?;
    let mut parser = Parser {
        lexemes,
        at: 0,
        nodes: 0,
    };
    let node = parser.or_expr()?;
    // Words side by side at the top are a best match, not a conjunction.
    let node = match node {
        Node::And(children) => Node::Best(children),
        Node::Required(inner) => *inner,
        other => other,
    };
    if let Some(rest) = parser.lexemes.get(parser.at) {
        return Err(match rest {
            Lexeme::Close => QueryError::UnopenedParen,
            other => QueryError::Unexpected(format!("{other:?}")),
        });
    }
    if !has_positive(&node) {
        return Err(QueryError::OnlyExclusions);
    }
    Ok(node)
}

fn has_positive(node: &Node) -> bool {
    match node {
        Node::Not(_) | Node::Filter(_) => false,
        Node::Required(inner) => has_positive(inner),
        Node::And(children) | Node::Best(children) => children.iter().any(has_positive),
        Node::Or(children) => children.iter().all(has_positive),
        _ => true,
    }
}

fn lex(query: &str) -> Result<Vec<Lexeme>, QueryError> {
    let refs = references(query);
    let mut out = Vec::new();
    let mut chars = query.char_indices().peekable();
    while let Some(&(at, c)) = chars.peek() {
        if let Some((_, end, cited)) = refs.iter().find(|(start, _, _)| *start == at) {
            let written = query[at..*end].to_string();
            out.push(match cited {
                Cited::Reference(canonical) => Lexeme::Reference {
                    canonical: canonical.clone(),
                    written,
                },
                Cited::Agreement(number) => Lexeme::Agreement {
                    number: *number,
                    written,
                },
            });
            while chars.peek().is_some_and(|&(i, _)| i < *end) {
                chars.next();
            }
            continue;
        }
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' => {
                chars.next();
                out.push(Lexeme::Open);
            }
            ')' => {
                chars.next();
                out.push(Lexeme::Close);
            }
            '"' | '«' | '“' | '”' => {
                chars.next();
                let closing = match c {
                    '«' => '»',
                    _ => '"',
                };
                let mut text = String::new();
                let mut closed = false;
                for (_, c) in chars.by_ref() {
                    if c == closing || (closing == '"' && matches!(c, '”' | '“')) {
                        closed = true;
                        break;
                    }
                    text.push(c);
                }
                if !closed {
                    return Err(QueryError::UnclosedQuote);
                }
                if text.trim().is_empty() {
                    return Err(QueryError::EmptyQuotes);
                }
                out.push(Lexeme::Quoted(text));
            }
            // At the start of a word a minus excludes; inside one it is part of it ("covid-19").
            '-' | '–' => {
                chars.next();
                out.push(Lexeme::Minus);
            }
            // At the start of a word a plus requires it.
            '+' => {
                chars.next();
                out.push(Lexeme::Plus);
            }
            _ => {
                let mut word = String::new();
                while let Some(&(i, c)) = chars.peek() {
                    if c.is_whitespace()
                        || matches!(c, '(' | ')' | '"' | '«' | '“' | '”')
                        || refs.iter().any(|(start, _, _)| *start == i)
                    {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                out.push(match word.as_str() {
                    "AND" | "OG" | "&&" => Lexeme::And,
                    "OR" | "ELLER" | "||" => Lexeme::Or,
                    "NOT" | "IKKE" => Lexeme::Not,
                    _ => Lexeme::Word(word),
                });
            }
        }
    }
    Ok(out)
}

struct Parser {
    lexemes: Vec<Lexeme>,
    at: usize,
    nodes: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Lexeme> {
        self.lexemes.get(self.at)
    }

    fn count(&mut self) -> Result<(), QueryError> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(QueryError::TooManyTerms);
        }
        Ok(())
    }

    fn or_expr(&mut self) -> Result<Node, QueryError> {
        let mut alternatives = vec![self.and_expr()?];
        while self.peek() == Some(&Lexeme::Or) {
            self.at += 1;
            if matches!(self.peek(), None | Some(Lexeme::Close | Lexeme::Or)) {
                return Err(QueryError::OrNeedsTerms);
            }
            alternatives.push(self.and_expr()?);
        }
        Ok(if alternatives.len() == 1 {
            alternatives.pop().expect("one")
        } else {
            Node::Or(alternatives)
        })
    }

    fn and_expr(&mut self) -> Result<Node, QueryError> {
        let mut all = Vec::new();
        // Whether the next item follows an explicit AND (both sides are required).
        let mut joined = false;
        loop {
            match self.peek() {
                None | Some(Lexeme::Close | Lexeme::Or) => break,
                Some(Lexeme::And) => {
                    self.at += 1;
                    if all.is_empty() || matches!(self.peek(), None | Some(Lexeme::Close)) {
                        return Err(QueryError::AndNeedsTerms);
                    }
                    if let Some(last) = all.pop() {
                        all.push(required(last));
                    }
                    joined = true;
                }
                _ => {
                    let item = self.unary()?;
                    all.push(if joined { required(item) } else { item });
                    joined = false;
                }
            }
        }
        match all.len() {
            0 => Err(match self.peek() {
                Some(Lexeme::Or) => QueryError::OrNeedsTerms,
                Some(Lexeme::Close) => QueryError::EmptyParens,
                _ => QueryError::Empty,
            }),
            1 => Ok(all.pop().expect("one")),
            _ => Ok(Node::And(all)),
        }
    }

    fn unary(&mut self) -> Result<Node, QueryError> {
        match self.peek() {
            Some(Lexeme::Minus | Lexeme::Not) => {
                self.at += 1;
                if matches!(
                    self.peek(),
                    None | Some(Lexeme::Close | Lexeme::Or | Lexeme::And | Lexeme::Plus)
                ) {
                    return Err(QueryError::NotNeedsTerm);
                }
                Ok(Node::Not(Box::new(self.unary()?)))
            }
            Some(Lexeme::Plus) => {
                self.at += 1;
                if matches!(
                    self.peek(),
                    None | Some(
                        Lexeme::Close | Lexeme::Or | Lexeme::And | Lexeme::Plus | Lexeme::Minus
                    ) | Some(Lexeme::Not)
                ) {
                    return Err(QueryError::PlusNeedsTerm);
                }
                Ok(required(self.primary()?))
            }
            _ => self.primary(),
        }
    }

    fn primary(&mut self) -> Result<Node, QueryError> {
        self.count()?;
        let lexeme = self.lexemes.get(self.at).cloned();
        self.at += 1;
        match lexeme {
            Some(Lexeme::Open) => {
                if self.peek().is_none() {
                    return Err(QueryError::UnclosedParen);
                }
                let inner = match self.or_expr()? {
                    // `+` inside a group changes nothing: everything there is required.
                    Node::Required(inner) => *inner,
                    other => other,
                };
                if self.peek() != Some(&Lexeme::Close) {
                    return Err(QueryError::UnclosedParen);
                }
                self.at += 1;
                Ok(inner)
            }
            Some(Lexeme::Quoted(text)) => {
                let words: Vec<String> = text.split_whitespace().map(str::to_string).collect();
                Ok(match words.as_slice() {
                    [one] => Node::Exact(one.clone()),
                    _ => Node::Phrase(words),
                })
            }
            Some(Lexeme::Reference { canonical, written }) => {
                Ok(Node::Reference { canonical, written })
            }
            Some(Lexeme::Agreement { number, written }) => Ok(Node::Agreement { number, written }),
            Some(Lexeme::Word(word)) => word_node(&word),
            Some(other) => Err(QueryError::Unexpected(describe(&other).to_string())),
            None => Err(QueryError::EndsEarly),
        }
    }
}

fn describe(lexeme: &Lexeme) -> &'static str {
    match lexeme {
        Lexeme::Close => "')'",
        Lexeme::And => "AND",
        Lexeme::Or => "OR",
        Lexeme::Not => "NOT",
        Lexeme::Minus => "'-'",
        Lexeme::Plus => "'+'",
        _ => "term",
    }
}

/// Fields a user may name, with their Norwegian aliases.
const FIELDS: &[(&str, &str)] = &[
    ("source", "source"),
    ("kilde", "source"),
    ("kind", "kind"),
    ("type", "kind"),
    ("theme", "theme"),
    ("tema", "theme"),
    ("year", "year"),
    ("år", "year"),
    ("aar", "year"),
];

/// Marks an item as required (once; exclusions and filters are already constraints).
fn required(node: Node) -> Node {
    match node {
        Node::Required(_) | Node::Not(_) | Node::Filter(_) => node,
        other => Node::Required(Box::new(other)),
    }
}

fn word_node(word: &str) -> Result<Node, QueryError> {
    if let Some((name, value)) = word.split_once(':')
        && !name.is_empty()
        && name.chars().all(|c| c.is_alphabetic())
    {
        let Some((_, field)) = FIELDS
            .iter()
            .find(|(alias, _)| *alias == name.to_lowercase())
        else {
            let known: BTreeSet<&str> = FIELDS.iter().map(|(_, f)| *f).collect();
            return Err(QueryError::UnknownField {
                name: name.to_string(),
                known: known.into_iter().collect::<Vec<_>>().join(", "),
            });
        };
        if value.is_empty() {
            return Err(QueryError::FieldNeedsValue(name.to_string()));
        }
        return Ok(Node::Filter(match *field {
            "source" => Filter::Source(value.to_string()),
            "kind" => Filter::Kind(value.to_lowercase()),
            "theme" => Filter::Theme(value.to_string()),
            _ => year_filter(value)?,
        }));
    }
    if let Some(prefix) = word.strip_suffix('*') {
        let prefix = prefix.to_lowercase();
        if prefix.chars().count() < 3 || !prefix.chars().all(char::is_alphanumeric) {
            return Err(QueryError::ShortPrefix(word.to_string()));
        }
        return Ok(Node::Prefix(prefix));
    }
    if word.contains('*') || word.contains('?') {
        return Err(QueryError::StarInside(word.to_string()));
    }
    Ok(Node::Word(word.to_string()))
}

fn year_filter(value: &str) -> Result<Filter, QueryError> {
    let year = |s: &str| -> Result<u32, QueryError> {
        s.trim()
            .parse::<u32>()
            .ok()
            .filter(|y| (1800..=2200).contains(y))
            .ok_or_else(|| QueryError::NotAYear(value.to_string()))
    };
    Ok(match value.split_once("..") {
        Some((from, to)) => {
            let (from, to) = (year(from)?, year(to)?);
            if from > to {
                return Err(QueryError::YearBackwards(value.to_string()));
            }
            Filter::Year { from, to }
        }
        None => {
            let y = year(value)?;
            Filter::Year { from: y, to: y }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(w: &str) -> Node {
        Node::Word(w.into())
    }

    fn req(node: Node) -> Node {
        Node::Required(Box::new(node))
    }

    #[test]
    fn words_side_by_side_are_a_best_match() {
        assert_eq!(
            parse("rekruttering sykepleiere").unwrap(),
            Node::Best(vec![word("rekruttering"), word("sykepleiere")])
        );
        // `+word` and `AND` require; parentheses and OR alternatives stay all-required.
        assert_eq!(
            parse("+fastlege rekruttering").unwrap(),
            Node::Best(vec![req(word("fastlege")), word("rekruttering")])
        );
        assert_eq!(
            parse("fastlege AND legevakt rekruttering").unwrap(),
            Node::Best(vec![
                req(word("fastlege")),
                req(word("legevakt")),
                word("rekruttering")
            ])
        );
        assert_eq!(
            parse("(fastlege legevakt) OR turnover").unwrap(),
            Node::Or(vec![
                Node::And(vec![word("fastlege"), word("legevakt")]),
                word("turnover")
            ])
        );
        assert_eq!(parse("+fastlege").unwrap(), word("fastlege"));
        assert_eq!(parse("(+fastlege)").unwrap(), word("fastlege"));
        assert!(!Node::Phrase(vec!["a".into(), "b".into()]).is_optional());
        assert!(word("a").is_optional());
        for query in ["+", "fastlege +", "+-fastlege", "+OR fastlege"] {
            assert!(parse(query).is_err(), "{query}");
        }
    }

    #[test]
    fn boolean_operators_group_as_typed() {
        assert_eq!(
            parse("fastlege OR legevakt").unwrap(),
            Node::Or(vec![word("fastlege"), word("legevakt")])
        );
        assert_eq!(
            parse("fastlege -legevakt").unwrap(),
            Node::Best(vec![
                word("fastlege"),
                Node::Not(Box::new(word("legevakt")))
            ])
        );
        assert_eq!(
            parse("(fastlege ELLER allmennlege) IKKE legevakt").unwrap(),
            Node::Best(vec![
                Node::Or(vec![word("fastlege"), word("allmennlege")]),
                Node::Not(Box::new(word("legevakt")))
            ])
        );
    }

    #[test]
    fn quotes_prefixes_and_fields() {
        assert_eq!(
            parse("\"fastlegen\"").unwrap(),
            Node::Exact("fastlegen".into())
        );
        assert_eq!(
            parse("«felles planlegging»").unwrap(),
            Node::Phrase(vec!["felles".into(), "planlegging".into()])
        );
        assert_eq!(parse("fastlege*").unwrap(), Node::Prefix("fastlege".into()));
        assert_eq!(
            parse("fastlege kind:prop år:2020..2023").unwrap(),
            Node::Best(vec![
                word("fastlege"),
                Node::Filter(Filter::Kind("prop".into())),
                Node::Filter(Filter::Year {
                    from: 2020,
                    to: 2023
                })
            ])
        );
    }

    #[test]
    fn references_in_any_spelling() {
        for (typed, canonical) in [
            ("NOU 2023:4", "NOU 2023: 4"),
            ("NOU 2023: 4", "NOU 2023: 4"),
            ("nou 2023 4", "NOU 2023: 4"),
            ("§ 6-2", "§ 6-2"),
            ("paragraf 6-2", "§ 6-2"),
        ] {
            match parse(typed).unwrap() {
                Node::Reference { canonical: c, .. } => assert_eq!(c, canonical, "{typed}"),
                other => panic!("{typed}: {other:?}"),
            }
        }
        let mixed = parse("fastlege NOU 2023: 4").unwrap();
        assert!(
            matches!(&mixed, Node::Best(v) if matches!(&v[1], Node::Reference { canonical, .. } if canonical == "NOU 2023: 4")),
            "{mixed:?}"
        );
    }

    fn canonical_of(node: &Node) -> Vec<String> {
        let items = match node {
            Node::Best(items) => items.clone(),
            other => vec![other.clone()],
        };
        items
            .iter()
            .filter_map(|i| match i {
                Node::Reference { canonical, .. } => Some(canonical.clone()),
                Node::Agreement { number, .. } => Some(format!("avtale {number}")),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn sloppy_references_are_normalised() {
        for (typed, canonical) in [
            ("§ 6-2a", "§ 6-2 a"),
            ("§6-2 a", "§ 6-2 a"),
            ("§6-2a", "§ 6-2 a"),
            ("paragraf 6-2a", "§ 6-2 a"),
            ("paragrafen 6-2", "§ 6-2"),
            ("NOU 23:4", "NOU 2023: 4"),
            ("hol 6-2", "helse- og omsorgstjenesteloven § 6-2"),
            ("tjenesteavtale 3", "avtale 3"),
            ("delavtale 3", "avtale 3"),
            ("tenesteavtale nr. 3", "avtale 3"),
            ("Tjenesteavtalen nr 3", "avtale 3"),
        ] {
            assert_eq!(
                canonical_of(&parse(typed).unwrap()),
                vec![canonical],
                "{typed}"
            );
        }
        // Among other words, the reference is one item and the words stay words.
        for (typed, canonical, words) in [
            (
                "hol 6-2 utskriving",
                "helse- og omsorgstjenesteloven § 6-2",
                vec!["utskriving"],
            ),
            (
                "tjenesteavtale 3 utskriving",
                "avtale 3",
                vec!["utskriving"],
            ),
            (
                "brukerrepresentanter § 6-2a",
                "§ 6-2 a",
                vec!["brukerrepresentanter"],
            ),
            (
                "høringssvar NOU 23:4 sykehus",
                "NOU 2023: 4",
                vec!["høringssvar", "sykehus"],
            ),
            (
                "prop 47 l høringsinstanser",
                "Prop. 47 L",
                vec!["høringsinstanser"],
            ),
        ] {
            let node = parse(typed).unwrap();
            assert_eq!(canonical_of(&node), vec![canonical], "{typed}");
            let Node::Best(items) = &node else {
                panic!("{typed}: {node:?}")
            };
            let plain: Vec<&str> = items
                .iter()
                .filter_map(|i| match i {
                    Node::Word(w) => Some(w.as_str()),
                    _ => None,
                })
                .collect();
            assert_eq!(plain, words, "{typed}");
        }
        // Operators keep their meaning around a reference.
        assert!(matches!(
            parse("fastlege -§6-2a").unwrap(),
            Node::Best(v) if matches!(&v[1], Node::Not(inner) if matches!(&**inner, Node::Reference { canonical, .. } if canonical == "§ 6-2 a"))
        ));
        assert!(matches!(
            parse("tjenesteavtale 3 OR delavtale 5").unwrap(),
            Node::Or(v) if matches!(v.as_slice(), [Node::Agreement { number: 3, .. }, Node::Agreement { number: 5, .. }])
        ));
        // Quoted text and filters are never references; numbers alone are words.
        assert_eq!(
            parse("\"tjenesteavtale 3\"").unwrap(),
            Node::Phrase(vec!["tjenesteavtale".into(), "3".into()])
        );
        assert_eq!(
            parse("år:2023 fase 2").unwrap(),
            Node::Best(vec![
                Node::Filter(Filter::Year {
                    from: 2023,
                    to: 2023
                }),
                word("fase"),
                word("2")
            ])
        );
        assert_eq!(parse("covid-19").unwrap(), word("covid-19"));
    }

    #[test]
    fn malformed_queries_are_errors() {
        for (query, message) in [
            ("fastlege AND (", "unbalanced '('"),
            ("fastlege)", "unbalanced ')'"),
            ("\"fastlege", "unclosed quote"),
            ("fastlege OR", "OR needs a term"),
            ("-fastlege", "cannot only exclude"),
            ("fo*", "at least three letters"),
            ("farge:blå", "unknown field 'farge'"),
            ("year:tjue", "not a year"),
            ("", "empty query"),
        ] {
            let err = parse(query).unwrap_err().to_string();
            assert!(err.contains(message), "{query}: {err}");
        }
    }

    #[test]
    fn hyphenated_words_stay_words() {
        assert_eq!(parse("covid-19").unwrap(), word("covid-19"));
        assert_eq!(parse("ALIS-avtale").unwrap(), word("ALIS-avtale"));
    }

    proptest::proptest! {
        #[test]
        fn parsing_never_panics(query in "\\PC{0,80}") {
            let _ = parse(&query);
        }

        /// Any spacing and spelling of a paragraph with a letter, alone or among words, is the
        /// same canonical reference; the other words are kept as words.
        #[test]
        fn typed_paragraphs_are_one_reference(
            chapter in 1u32..20, number in 1u32..30, letter in "[a-e]",
            sign in proptest::sample::select(vec!["§", "§ ", "paragraf ", "Paragraf "]),
            gap in proptest::sample::select(vec!["", " "]),
            before in proptest::option::of("[a-zæøå]{4,10}"),
            after in proptest::option::of("[a-zæøå]{4,10}"),
        ) {
            let typed = format!("{sign}{chapter}-{number}{gap}{letter}");
            let query = [before.clone(), Some(typed), after.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            let node = parse(&query).unwrap();
            proptest::prop_assert_eq!(
                canonical_of(&node),
                vec![format!("§ {chapter}-{number} {letter}")]
            );
            let words = match &node {
                Node::Best(items) => items.iter().filter(|i| matches!(i, Node::Word(_))).count(),
                _ => 0,
            };
            proptest::prop_assert_eq!(words, before.iter().chain(after.iter())
                .filter(|w| !matches!(w.as_str(), "og" | "ikke" | "eller")).count());
        }

        /// A numbered agreement in any of its names and spellings is one agreement item.
        #[test]
        fn typed_agreements_are_one_item(
            number in 1u32..15,
            name in proptest::sample::select(vec![
                "tjenesteavtale", "Tjenesteavtale", "tenesteavtale", "delavtale", "tjenesteavtalen",
            ]),
            nr in proptest::sample::select(vec!["", "nr ", "nr. ", "Nr. "]),
            after in proptest::option::of("[a-zæøå]{4,10}"),
        ) {
            let query = format!("{name} {nr}{number} {}", after.clone().unwrap_or_default());
            let node = parse(&query).unwrap();
            proptest::prop_assert_eq!(canonical_of(&node), vec![format!("avtale {number}")]);
        }

        /// A list of plain words, some with `+`: a best match whose required items are exactly
        /// the `+` words; the same words joined by AND are all required.
        #[test]
        fn plus_marks_exactly_the_required_words(
            words in proptest::collection::vec(("[a-zæøå]{3,10}", proptest::bool::ANY), 2..6)
        ) {
            let words: Vec<(String, bool)> = words
                .into_iter()
                .filter(|(w, _)| !matches!(w.as_str(), "og" | "ikke" | "eller"))
                .collect();
            proptest::prop_assume!(words.len() >= 2);
            let typed: Vec<String> = words
                .iter()
                .map(|(w, plus)| if *plus { format!("+{w}") } else { w.clone() })
                .collect();
            let Node::Best(items) = parse(&typed.join(" ")).unwrap() else {
                panic!("not a best match: {typed:?}");
            };
            proptest::prop_assert_eq!(items.len(), words.len());
            for (item, (w, plus)) in items.iter().zip(&words) {
                let expected = if *plus { req(word(w)) } else { word(w) };
                proptest::prop_assert_eq!(item, &expected);
            }
            let plain: Vec<&str> = words.iter().map(|(w, _)| w.as_str()).collect();
            let Node::Best(all) = parse(&plain.join(" AND ")).unwrap() else {
                panic!("not a list");
            };
            proptest::prop_assert!(all.iter().all(|i| matches!(i, Node::Required(_))));
        }
    }
}
