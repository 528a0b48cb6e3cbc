//! Header parameters (`;name=value`), kept verbatim.
//!
//! Parameters are not percent-decoded: a Via `branch` must compare byte for
//! byte with the one that was sent (RFC 3261 §17.2.3).

use std::fmt;

/// An ordered list of `;name[=value]` parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(Vec<(String, Option<String>)>);

impl Params {
    /// Parses `;a=b;c` (the text after the header's main part). Empty input
    /// gives no parameters.
    pub(crate) fn parse(text: &str) -> Option<Params> {
        let text = text.trim();
        if text.is_empty() {
            return Some(Params::default());
        }
        let rest = text.strip_prefix(';')?;
        let mut params = Vec::new();
        for part in split_outside_quotes(rest, b';') {
            let (name, value) = match part.split_once('=') {
                Some((n, v)) => (n.trim(), Some(v.trim())),
                None => (part.trim(), None),
            };
            if name.is_empty() || !name.bytes().all(is_param_byte) {
                return None;
            }
            if let Some(v) = value {
                let quoted = v.len() >= 2 && v.starts_with('"') && v.ends_with('"');
                if v.is_empty() || (!quoted && !v.bytes().all(is_param_value_byte)) {
                    return None;
                }
            }
            params.push((name.to_owned(), value.map(str::to_owned)));
        }
        Some(Params(params))
    }

    /// The value of parameter `name` (case-insensitive name): `Some(None)`
    /// when present without a value.
    pub fn get(&self, name: &str) -> Option<Option<&str>> {
        self.0.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_deref())
    }

    /// Sets (or replaces) parameter `name`.
    pub fn set(&mut self, name: &str, value: Option<&str>) {
        let value = value.map(str::to_owned);
        match self.0.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
            Some(slot) => slot.1 = value,
            None => self.0.push((name.to_owned(), value)),
        }
    }

    /// Iterates over `(name, value)` pairs in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_deref()))
    }
}

impl fmt::Display for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, value) in &self.0 {
            match value {
                Some(v) => write!(f, ";{name}={v}")?,
                None => write!(f, ";{name}")?,
            }
        }
        Ok(())
    }
}

fn is_param_byte(b: u8) -> bool {
    super::method::is_token_byte(b)
}

fn is_param_value_byte(b: u8) -> bool {
    // token, IPv6 references and the unreserved/escaped characters of
    // RFC 3261 `paramchar`.
    super::method::is_token_byte(b) || b"[]:/&$@?".contains(&b)
}

/// Splits `text` at `sep`, ignoring separators inside double quotes and
/// angle brackets.
pub(crate) fn split_outside_quotes(text: &str, sep: u8) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut quoted, mut escaped, mut angle, mut start) = (false, false, false, 0);
    for (i, b) in text.bytes().enumerate() {
        if quoted {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => quoted = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => quoted = true,
            b'<' => angle = true,
            b'>' => angle = false,
            _ if b == sep && !angle => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}
