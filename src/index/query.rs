//! The search language: what a secretariat officer types, parsed into a tree and then into
//! tantivy queries over the section fields.
//!
//! - Words are all required: `fastlege rekruttering`. `OR`/`ELLER` between words or groups,
//!   `-word`, `NOT word` or `IKKE word` to exclude, parentheses to group.
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
    Filter(Filter),
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
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
    And,
    Or,
    Not,
    Reference { canonical: String, written: String },
}

/// Parses a query. Errors are one line, in English, naming the problem.
pub fn parse(query: &str) -> Result<Node, String> {
    let query = query.trim();
    if query.is_empty() {
        return Err("empty query".into());
    }
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(format!("query longer than {MAX_QUERY_CHARS} characters"));
    }
    let lexemes = lex(query)?;
    let mut parser = Parser {
        lexemes,
        at: 0,
        nodes: 0,
    };
    let node = parser.or_expr()?;
    if let Some(rest) = parser.lexemes.get(parser.at) {
        return Err(match rest {
            Lexeme::Close => "unbalanced ')'".into(),
            other => format!("unexpected {other:?}"),
        });
    }
    if !has_positive(&node) {
        return Err("a query cannot only exclude: add a word to search for".into());
    }
    Ok(node)
}

fn has_positive(node: &Node) -> bool {
    match node {
        Node::Not(_) | Node::Filter(_) => false,
        Node::And(children) => children.iter().any(has_positive),
        Node::Or(children) => children.iter().all(has_positive),
        _ => true,
    }
}

/// The reference spans of a query: citations in their formal spelling anywhere in it, or the
/// whole query in a lenient spelling ("nou 2023 4").
fn references(query: &str) -> Vec<(usize, usize, String)> {
    let found: Vec<_> = crate::refs::find_citations(query)
        .into_iter()
        .map(|c| (c.start, c.end, c.canonical))
        .collect();
    if !found.is_empty() {
        return found;
    }
    if let Some(canonical) = crate::refs::canonicalize(query) {
        return vec![(0, query.len(), canonical)];
    }
    // "paragraf 6-2", "§6-2": a bare paragraph.
    bare_paragraph(query)
        .map(|(start, end, number)| vec![(start, end, format!("§ {number}"))])
        .unwrap_or_default()
}

/// `§ 6-2`, `§6-2`, `paragraf 6-2`, `paragrafen 6-2` anywhere in the query.
fn bare_paragraph(query: &str) -> Option<(usize, usize, String)> {
    static RE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)(?:§\s*|\bparagraf(?:en)?\s+)(\d+[a-z]?(?:\s*-\s*\d+[a-z]?)?)\b")
            .expect("valid regex")
    });
    let m = RE.captures(query)?;
    let whole = m.get(0)?;
    let number: String = m[1].chars().filter(|c| !c.is_whitespace()).collect();
    Some((whole.start(), whole.end(), number))
}

fn lex(query: &str) -> Result<Vec<Lexeme>, String> {
    let refs = references(query);
    let mut out = Vec::new();
    let mut chars = query.char_indices().peekable();
    while let Some(&(at, c)) = chars.peek() {
        if let Some((_, end, canonical)) = refs.iter().find(|(start, _, _)| *start == at) {
            out.push(Lexeme::Reference {
                canonical: canonical.clone(),
                written: query[at..*end].to_string(),
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
                    return Err("unclosed quote".into());
                }
                if text.trim().is_empty() {
                    return Err("empty quotes".into());
                }
                out.push(Lexeme::Quoted(text));
            }
            // At the start of a word a minus excludes; inside one it is part of it ("covid-19").
            '-' | '–' => {
                chars.next();
                out.push(Lexeme::Minus);
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

    fn count(&mut self) -> Result<(), String> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(format!("query has more than {MAX_NODES} terms"));
        }
        Ok(())
    }

    fn or_expr(&mut self) -> Result<Node, String> {
        let mut alternatives = vec![self.and_expr()?];
        while self.peek() == Some(&Lexeme::Or) {
            self.at += 1;
            if matches!(self.peek(), None | Some(Lexeme::Close | Lexeme::Or)) {
                return Err("OR needs a term on both sides".into());
            }
            alternatives.push(self.and_expr()?);
        }
        Ok(if alternatives.len() == 1 {
            alternatives.pop().expect("one")
        } else {
            Node::Or(alternatives)
        })
    }

    fn and_expr(&mut self) -> Result<Node, String> {
        let mut all = Vec::new();
        loop {
            match self.peek() {
                None | Some(Lexeme::Close | Lexeme::Or) => break,
                Some(Lexeme::And) => {
                    self.at += 1;
                    if all.is_empty() || matches!(self.peek(), None | Some(Lexeme::Close)) {
                        return Err("AND needs a term on both sides".into());
                    }
                }
                _ => all.push(self.unary()?),
            }
        }
        match all.len() {
            0 => Err(match self.peek() {
                Some(Lexeme::Or) => "OR needs a term on both sides".into(),
                Some(Lexeme::Close) => "empty parentheses or unbalanced ')'".into(),
                _ => "empty query".into(),
            }),
            1 => Ok(all.pop().expect("one")),
            _ => Ok(Node::And(all)),
        }
    }

    fn unary(&mut self) -> Result<Node, String> {
        match self.peek() {
            Some(Lexeme::Minus | Lexeme::Not) => {
                self.at += 1;
                if matches!(
                    self.peek(),
                    None | Some(Lexeme::Close | Lexeme::Or | Lexeme::And)
                ) {
                    return Err("'-' or NOT needs a term after it".into());
                }
                Ok(Node::Not(Box::new(self.unary()?)))
            }
            _ => self.primary(),
        }
    }

    fn primary(&mut self) -> Result<Node, String> {
        self.count()?;
        let lexeme = self.lexemes.get(self.at).cloned();
        self.at += 1;
        match lexeme {
            Some(Lexeme::Open) => {
                if self.peek().is_none() {
                    return Err("unbalanced '('".into());
                }
                let inner = self.or_expr()?;
                if self.peek() != Some(&Lexeme::Close) {
                    return Err("unbalanced '('".into());
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
            Some(Lexeme::Word(word)) => word_node(&word),
            Some(other) => Err(format!("unexpected {}", describe(&other))),
            None => Err("query ends too early".into()),
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

fn word_node(word: &str) -> Result<Node, String> {
    if let Some((name, value)) = word.split_once(':')
        && !name.is_empty()
        && name.chars().all(|c| c.is_alphabetic())
    {
        let Some((_, field)) = FIELDS
            .iter()
            .find(|(alias, _)| *alias == name.to_lowercase())
        else {
            let known: BTreeSet<&str> = FIELDS.iter().map(|(_, f)| *f).collect();
            return Err(format!(
                "unknown field '{name}' (known: {})",
                known.into_iter().collect::<Vec<_>>().join(", ")
            ));
        };
        if value.is_empty() {
            return Err(format!("'{name}:' needs a value"));
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
            return Err(format!(
                "'{word}': a prefix needs at least three letters before '*'"
            ));
        }
        return Ok(Node::Prefix(prefix));
    }
    if word.contains('*') || word.contains('?') {
        return Err(format!(
            "'{word}': '*' is only allowed at the end of a word"
        ));
    }
    Ok(Node::Word(word.to_string()))
}

fn year_filter(value: &str) -> Result<Filter, String> {
    let year = |s: &str| -> Result<u32, String> {
        s.trim()
            .parse::<u32>()
            .ok()
            .filter(|y| (1800..=2200).contains(y))
            .ok_or_else(|| format!("'{value}' is not a year or a range like 2020..2023"))
    };
    Ok(match value.split_once("..") {
        Some((from, to)) => {
            let (from, to) = (year(from)?, year(to)?);
            if from > to {
                return Err(format!("year range {value} runs backwards"));
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

    #[test]
    fn words_are_all_required() {
        assert_eq!(
            parse("rekruttering sykepleiere").unwrap(),
            Node::And(vec![word("rekruttering"), word("sykepleiere")])
        );
    }

    #[test]
    fn boolean_operators_group_as_typed() {
        assert_eq!(
            parse("fastlege OR legevakt").unwrap(),
            Node::Or(vec![word("fastlege"), word("legevakt")])
        );
        assert_eq!(
            parse("fastlege -legevakt").unwrap(),
            Node::And(vec![
                word("fastlege"),
                Node::Not(Box::new(word("legevakt")))
            ])
        );
        assert_eq!(
            parse("(fastlege ELLER allmennlege) IKKE legevakt").unwrap(),
            Node::And(vec![
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
            Node::And(vec![
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
            matches!(&mixed, Node::And(v) if matches!(&v[1], Node::Reference { canonical, .. } if canonical == "NOU 2023: 4")),
            "{mixed:?}"
        );
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
            let err = parse(query).unwrap_err();
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
    }
}
