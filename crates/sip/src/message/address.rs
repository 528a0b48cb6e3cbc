//! name-addr / addr-spec values: `From`, `To`, `Contact`, `Route`,
//! `Record-Route` (RFC 3261 §20.10, §25.1).
//!
//! Parsed here rather than with ezk's `NameAddr`, which accepts only
//! `sip:`/`sips:` URIs; carriers send `tel:` URIs in From and To.

use std::fmt;

use super::params::{Params, split_outside_quotes};

/// A URI kept as text with its scheme checked (`sip`, `sips`, `tel`…).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uri(String);

impl Uri {
    /// Parses a URI: a scheme (`ALPHA *(ALPHA / DIGIT / "+" / "-" / ".")`),
    /// a colon and at least one character that is neither white space, a
    /// control character nor one of `<`, `>`, `"` (RFC 3986 §2: they delimit
    /// URIs in text and never occur inside one).
    pub fn parse(text: &str) -> Option<Uri> {
        let (scheme, rest) = text.split_once(':')?;
        let mut bytes = scheme.bytes();
        let first_ok = bytes.next().is_some_and(|b| b.is_ascii_alphabetic());
        let scheme_ok = bytes.all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b));
        let rest_ok =
            !rest.is_empty() && !rest.bytes().any(|b| b.is_ascii_whitespace() || b < 0x20 || b"<>\"".contains(&b));
        (first_ok && scheme_ok && rest_ok).then(|| Uri(text.to_owned()))
    }

    /// The scheme, lower case as compared (`sip`, `sips`, `tel`…).
    pub fn scheme(&self) -> String {
        self.0.split_once(':').map(|(s, _)| s.to_ascii_lowercase()).unwrap_or_default()
    }

    /// Whether the scheme is `sip` or `sips`.
    pub fn is_sip(&self) -> bool {
        matches!(self.scheme().as_str(), "sip" | "sips")
    }

    /// The URI as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An address with an optional display name and header parameters
/// (`tag`, `expires`, `lr`…).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    display_name: Option<String>,
    uri: Uri,
    params: Params,
}

impl Address {
    /// An address for `uri` without display name or parameters.
    pub fn new(uri: Uri) -> Address {
        Address { display_name: None, uri, params: Params::default() }
    }

    /// Parses a single name-addr or addr-spec with its parameters.
    pub fn parse(text: &str) -> Option<Address> {
        let text = text.trim();
        let (display_name, uri, params) = if let Some(lt) = find_unquoted(text, b'<') {
            let display = text[..lt].trim();
            let close = text[lt..].find('>')? + lt;
            let display_name = parse_display_name(display)?;
            (display_name, &text[lt + 1..close], &text[close + 1..])
        } else {
            // addr-spec: parameters after ';' belong to the header.
            match text.find(';') {
                Some(i) => (None, &text[..i], &text[i..]),
                None => (None, text, ""),
            }
        };
        Some(Address { display_name, uri: Uri::parse(uri.trim())?, params: Params::parse(params)? })
    }

    /// Parses a comma-separated list (Contact, Route, Record-Route).
    pub(crate) fn parse_list(value: &str) -> Option<Vec<Address>> {
        split_outside_quotes(value, b',').into_iter().map(Address::parse).collect()
    }

    /// The display name, unquoted.
    pub fn display_name(&self) -> Option<&str> {
        self.display_name.as_deref()
    }

    /// The URI.
    pub fn uri(&self) -> &Uri {
        &self.uri
    }

    /// The `tag` parameter (From and To).
    pub fn tag(&self) -> Option<&str> {
        self.params.get("tag").flatten()
    }

    /// Sets the `tag` parameter.
    pub fn set_tag(&mut self, tag: &str) {
        self.params.set("tag", Some(tag));
    }

    /// All header parameters.
    pub fn params(&self) -> &Params {
        &self.params
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(name) = &self.display_name {
            write!(f, "\"{}\" ", name.replace('\\', "\\\\").replace('"', "\\\""))?;
        }
        write!(f, "<{}>{}", self.uri, self.params)
    }
}

fn find_unquoted(text: &str, needle: u8) -> Option<usize> {
    let mut quoted = false;
    let mut escaped = false;
    for (i, b) in text.bytes().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' if quoted => escaped = true,
            b'"' => quoted = !quoted,
            _ if b == needle && !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

/// `"quoted \" name"`, `token words` or nothing.
fn parse_display_name(text: &str) -> Option<Option<String>> {
    if text.is_empty() {
        return Some(None);
    }
    if let Some(inner) = text.strip_prefix('"') {
        let inner = inner.strip_suffix('"')?;
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => out.push(chars.next()?),
                '"' => return None,
                c => out.push(c),
            }
        }
        return Some(Some(out));
    }
    let ok = text.bytes().all(|b| super::method::is_token_byte(b) || b == b' ' || b == b'\t' || b >= 0x80);
    ok.then(|| Some(text.to_owned()))
}
