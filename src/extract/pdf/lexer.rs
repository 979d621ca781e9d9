//! Content-stream lexer: operators and their operands, one at a time, without copying the
//! stream. lopdf's parser (nom combinators building a `Vec<Operation>` per stream or one
//! operation per call) took a quarter of all instructions on real documents; this one is a
//! byte loop that reuses one operand vector and borrows the operator from the input.
//!
//! Lenient like viewers: a stray delimiter is skipped, an unterminated string or array ends at
//! the end of the data, inline image data (BI … ID … EI) is skipped. Never panics; nesting of
//! arrays and dictionaries is bounded.

use lopdf::{Dictionary, Object, StringFormat};

/// Deepest array/dictionary nesting read; deeper content is skipped.
const MAX_DEPTH: usize = 32;

pub struct Lexer<'a> {
    data: &'a [u8],
    pos: usize,
    /// Operands of the operator last returned.
    pub operands: Vec<Object>,
}

fn is_white(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t' | b'\x0c' | b'\0')
}

fn is_delim(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn is_regular(b: u8) -> bool {
    !is_white(b) && !is_delim(b)
}

fn hexval(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

impl<'a> Lexer<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Lexer {
            data,
            pos: 0,
            operands: Vec::new(),
        }
    }

    /// The next operator (its operands in `self.operands`), or None at the end.
    pub fn next_op(&mut self) -> Option<&'a [u8]> {
        self.operands.clear();
        loop {
            self.skip_white();
            let b = *self.data.get(self.pos)?;
            if is_regular(b) && !matches!(b, b'+' | b'-' | b'.' | b'0'..=b'9') {
                let word = self.word();
                match word {
                    b"true" => self.operands.push(Object::Boolean(true)),
                    b"false" => self.operands.push(Object::Boolean(false)),
                    b"null" => self.operands.push(Object::Null),
                    b"BI" => {
                        self.skip_inline_image();
                        return Some(b"BI");
                    }
                    op => return Some(op),
                }
            } else if let Some(o) = self.object(0)
                && self.operands.len() < 4096
            {
                self.operands.push(o);
            }
        }
    }

    fn skip_white(&mut self) {
        while let Some(&b) = self.data.get(self.pos) {
            if is_white(b) {
                self.pos += 1;
            } else if b == b'%' {
                while let Some(&c) = self.data.get(self.pos) {
                    if c == b'\n' || c == b'\r' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    fn word(&mut self) -> &'a [u8] {
        let start = self.pos;
        while self.data.get(self.pos).is_some_and(|&b| is_regular(b)) {
            self.pos += 1;
        }
        &self.data[start..self.pos]
    }

    /// One object at the current position; None (and the offending byte consumed) for a
    /// stray delimiter or a keyword where an object was expected.
    fn object(&mut self, depth: usize) -> Option<Object> {
        if depth > MAX_DEPTH {
            self.pos += 1;
            return None;
        }
        self.skip_white();
        let b = *self.data.get(self.pos)?;
        match b {
            b'/' => {
                self.pos += 1;
                Some(Object::Name(self.name()))
            }
            b'(' => {
                self.pos += 1;
                Some(Object::String(self.literal(), StringFormat::Literal))
            }
            b'<' if self.data.get(self.pos + 1) == Some(&b'<') => {
                self.pos += 2;
                let mut d = Dictionary::new();
                loop {
                    self.skip_white();
                    match self.data.get(self.pos) {
                        None => break,
                        Some(b'>') => {
                            self.pos += 2;
                            break;
                        }
                        Some(b'/') => {
                            self.pos += 1;
                            let key = self.name();
                            if let Some(v) = self.object(depth + 1) {
                                d.set(key, v);
                            }
                        }
                        Some(_) => {
                            // A value without a key: read and drop it.
                            if self.object(depth + 1).is_none() {
                                self.pos += 1;
                            }
                        }
                    }
                }
                Some(Object::Dictionary(d))
            }
            b'<' => {
                self.pos += 1;
                Some(Object::String(self.hex(), StringFormat::Hexadecimal))
            }
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_white();
                    match self.data.get(self.pos) {
                        None => break,
                        Some(b']') => {
                            self.pos += 1;
                            break;
                        }
                        Some(_) => {
                            if depth >= MAX_DEPTH {
                                self.pos += 1;
                                continue;
                            }
                            let before = self.pos;
                            match self.object(depth + 1) {
                                Some(o) => items.push(o),
                                None if self.pos == before => self.pos += 1,
                                None => {}
                            }
                        }
                    }
                }
                Some(Object::Array(items))
            }
            b'+' | b'-' | b'.' | b'0'..=b'9' => self.number(),
            _ if is_regular(b) => {
                // A keyword inside an array or dictionary (true/false/null, or junk).
                match self.word() {
                    b"true" => Some(Object::Boolean(true)),
                    b"false" => Some(Object::Boolean(false)),
                    _ => Some(Object::Null),
                }
            }
            _ => {
                // ')', '>', ']', '{', '}' out of place.
                self.pos += 1;
                None
            }
        }
    }

    /// A number, computed from its digits (no string round trip: content streams are mostly
    /// numbers). Malformed tails ("5-", "1.2.3") end the number where it stops making sense.
    fn number(&mut self) -> Option<Object> {
        let t = self.word();
        let (mut int, mut frac, mut scale) = (0i64, 0i64, 1i64);
        let (mut neg, mut dot, mut digits) = (false, false, 0usize);
        for (i, &b) in t.iter().enumerate() {
            match b {
                b'-' if i == 0 => neg = true,
                b'+' if i == 0 => {}
                b'0'..=b'9' if !dot => {
                    int = int.saturating_mul(10).saturating_add((b - b'0') as i64);
                    digits += 1;
                }
                b'0'..=b'9' => {
                    if scale < 1_000_000_000 {
                        frac = frac * 10 + (b - b'0') as i64;
                        scale *= 10;
                    }
                    digits += 1;
                }
                b'.' if !dot => dot = true,
                _ => break,
            }
        }
        if digits == 0 {
            return Some(Object::Integer(0));
        }
        let sign = if neg { -1 } else { 1 };
        if !dot {
            return Some(Object::Integer(sign * int));
        }
        let v = int as f64 + frac as f64 / scale as f64;
        Some(Object::Real((sign as f64 * v) as f32))
    }

    fn name(&mut self) -> Vec<u8> {
        let raw = self.word();
        if !raw.contains(&b'#') {
            return raw.to_vec();
        }
        let mut out = Vec::with_capacity(raw.len());
        let mut i = 0;
        while i < raw.len() {
            if raw[i] == b'#'
                && let (Some(h), Some(l)) = (
                    raw.get(i + 1).and_then(|&b| hexval(b)),
                    raw.get(i + 2).and_then(|&b| hexval(b)),
                )
            {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
            out.push(raw[i]);
            i += 1;
        }
        out
    }

    fn literal(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut depth = 1usize;
        while let Some(&b) = self.data.get(self.pos) {
            self.pos += 1;
            match b {
                b'(' => {
                    depth += 1;
                    out.push(b);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                    out.push(b);
                }
                b'\\' => {
                    let Some(&e) = self.data.get(self.pos) else {
                        break;
                    };
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'0'..=b'7' => {
                            let mut v = (e - b'0') as u32;
                            for _ in 0..2 {
                                match self.data.get(self.pos) {
                                    Some(&d @ b'0'..=b'7') => {
                                        v = v * 8 + (d - b'0') as u32;
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push(v as u8);
                        }
                        b'\r' => {
                            if self.data.get(self.pos) == Some(&b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        other => out.push(other),
                    }
                }
                b => out.push(b),
            }
        }
        out
    }

    fn hex(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut hi: Option<u8> = None;
        while let Some(&b) = self.data.get(self.pos) {
            self.pos += 1;
            if b == b'>' {
                break;
            }
            if let Some(v) = hexval(b) {
                match hi.take() {
                    Some(h) => out.push(h << 4 | v),
                    None => hi = Some(v),
                }
            }
        }
        if let Some(h) = hi {
            out.push(h << 4);
        }
        out
    }

    /// Past an inline image: its dictionary up to `ID`, then the data up to an `EI` that
    /// stands alone (white space before, white space or the end after).
    fn skip_inline_image(&mut self) {
        loop {
            self.skip_white();
            match self.data.get(self.pos) {
                None => return,
                Some(&b) if is_regular(b) && !matches!(b, b'+' | b'-' | b'.' | b'0'..=b'9') => {
                    let w = self.word();
                    if w == b"ID" {
                        break;
                    }
                    if w == b"EI" {
                        return;
                    }
                }
                Some(_) => {
                    let before = self.pos;
                    if self.object(0).is_none() && self.pos == before {
                        self.pos += 1;
                    }
                }
            }
        }
        self.pos += 1; // the single white-space byte after ID
        let d = self.data;
        let mut i = self.pos;
        while i + 1 < d.len() {
            if d[i] == b'E'
                && d[i + 1] == b'I'
                && i > 0
                && is_white(d[i - 1])
                && d.get(i + 2).is_none_or(|&b| is_white(b))
            {
                self.pos = i + 2;
                return;
            }
            i += 1;
        }
        self.pos = d.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(src: &[u8]) -> Vec<(String, Vec<Object>)> {
        let mut l = Lexer::new(src);
        let mut v = Vec::new();
        while let Some(op) = l.next_op() {
            v.push((String::from_utf8_lossy(op).into_owned(), l.operands.clone()));
        }
        v
    }

    #[test]
    fn operators_and_operands() {
        let v = ops(
            b"BT /F1 12 Tf 1 0 0 1 72.5 -.5 Tm [(Hei)-250(p\\345 deg)] TJ <00e6 f>Tj ET % c\nq",
        );
        let names: Vec<&str> = v.iter().map(|(o, _)| o.as_str()).collect();
        assert_eq!(names, ["BT", "Tf", "Tm", "TJ", "Tj", "ET", "q"]);
        assert_eq!(
            v[1].1,
            vec![Object::Name(b"F1".to_vec()), Object::Integer(12)]
        );
        assert_eq!(v[2].1[4], Object::Real(72.5));
        assert_eq!(v[2].1[5], Object::Real(-0.5));
        let Object::Array(items) = &v[3].1[0] else {
            panic!("{:?}", v[3])
        };
        assert_eq!(
            items[0],
            Object::String(b"Hei".to_vec(), StringFormat::Literal)
        );
        assert_eq!(items[1], Object::Integer(-250));
        assert_eq!(items[2].as_str().unwrap(), b"p\xe5 deg");
        assert_eq!(v[4].1[0].as_str().unwrap(), b"\x00\xe6\xf0");
    }

    #[test]
    fn strings_names_dicts_and_images() {
        let v = ops(
            b"(a(b)c\\)\\\nd\\101) Tj /Na#6De BMC /P <</MCID 3 /A [1 true]>> BDC \
              BI /W 2 /H 1 ID \x00EI\xffEI EI (after) Tj",
        );
        assert_eq!(v[0].1[0].as_str().unwrap(), b"a(b)c)dA");
        assert_eq!(v[1].1[0], Object::Name(b"Name".to_vec()));
        assert_eq!(v[2].0, "BDC");
        let Object::Dictionary(d) = &v[2].1[1] else {
            panic!()
        };
        assert_eq!(d.get(b"MCID").unwrap(), &Object::Integer(3));
        assert_eq!(v[3].0, "BI");
        assert_eq!(v[4].0, "Tj");
        assert_eq!(v[4].1[0].as_str().unwrap(), b"after");
    }

    #[test]
    fn malformed_input_ends() {
        for src in [
            &b"(unterminated"[..],
            b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[ 1",
            b"<< /A << /B",
            b") ] } > 5- --3 .  Tj",
            b"BI /W 1 ID",
            b"<abc",
            b"/",
        ] {
            let _ = ops(src);
        }
        let v = ops(b"5- --3 Td");
        assert_eq!(v[0].0, "Td");
        assert_eq!(v[0].1.len(), 2);
    }
}
