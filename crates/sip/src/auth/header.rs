//! The `Authorization` header (RFC 7616 §3.4): `Digest` followed by
//! comma-separated `name=value` or `name="quoted"` parameters. Parsing
//! never panics; anything unexpected is an [`AuthError`].

use super::hash::Algorithm;

/// Why an `Authorization` header was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The scheme is not `Digest`.
    #[error("not a Digest authorization")]
    NotDigest,
    /// A parameter is not `name=value` or a quoted string is unterminated.
    #[error("malformed digest parameter")]
    Malformed,
    /// A required parameter is missing.
    #[error("missing digest parameter {0}")]
    Missing(&'static str),
    /// The algorithm is not MD5 or SHA-256.
    #[error("unsupported digest algorithm")]
    UnsupportedAlgorithm,
    /// `qop` is present but not `auth`, or `nc` is not 8 hex digits.
    #[error("unsupported qop or bad nonce count")]
    BadQop,
}

/// A parsed digest `Authorization` (or `Proxy-Authorization`) header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// `username`.
    pub username: String,
    /// `realm`.
    pub realm: String,
    /// `nonce`.
    pub nonce: String,
    /// `uri` (the digest-uri, compared with H(A2) as sent).
    pub uri: String,
    /// `response`, lowercase hex.
    pub response: String,
    /// `algorithm` (MD5 when absent).
    pub algorithm: Algorithm,
    /// `qop=auth` with its `nc` and `cnonce`; `None` for RFC 2069 style.
    pub qop: Option<QopAuth>,
    /// `opaque`, if sent.
    pub opaque: Option<String>,
}

/// The `qop=auth` parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QopAuth {
    /// `nc`, the nonce count.
    pub nc: u32,
    /// `nc` as sent (8 hex digits), which enters the hash verbatim.
    pub nc_text: String,
    /// `cnonce`.
    pub cnonce: String,
}

impl Authorization {
    /// Parses a header value such as `Digest username="bob", realm=...`.
    pub fn parse(value: &str) -> Result<Authorization, AuthError> {
        let value = value.trim_start();
        let (scheme, rest) = value.split_once(|c: char| c.is_ascii_whitespace()).ok_or(AuthError::NotDigest)?;
        if !scheme.eq_ignore_ascii_case("Digest") {
            return Err(AuthError::NotDigest);
        }
        let params = parse_params(rest)?;
        let get =
            |name: &'static str| params.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
        let need = |name: &'static str| get(name).ok_or(AuthError::Missing(name));
        let algorithm = match get("algorithm") {
            None => Algorithm::Md5,
            Some(a) => Algorithm::parse(&a).ok_or(AuthError::UnsupportedAlgorithm)?,
        };
        let qop = match get("qop") {
            None => None,
            Some(q) if q.eq_ignore_ascii_case("auth") => {
                let nc_text = need("nc")?;
                if nc_text.len() != 8 {
                    return Err(AuthError::BadQop);
                }
                let nc = u32::from_str_radix(&nc_text, 16).map_err(|_| AuthError::BadQop)?;
                Some(QopAuth { nc, nc_text, cnonce: need("cnonce")? })
            }
            Some(_) => return Err(AuthError::BadQop),
        };
        Ok(Authorization {
            username: need("username")?,
            realm: need("realm")?,
            nonce: need("nonce")?,
            uri: need("uri")?,
            response: need("response")?.to_ascii_lowercase(),
            algorithm,
            qop,
            opaque: get("opaque"),
        })
    }
}

/// Splits `a=b, c="d, e"` into pairs, unquoting quoted values.
pub(crate) fn parse_params(text: &str) -> Result<Vec<(String, String)>, AuthError> {
    let mut out = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let eq = rest.find('=').ok_or(AuthError::Malformed)?;
        let name = rest[..eq].trim();
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            return Err(AuthError::Malformed);
        }
        let after = rest[eq + 1..].trim_start();
        let (value, remainder) = if let Some(quoted) = after.strip_prefix('"') {
            unquote(quoted)?
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_owned(), &after[end..])
        };
        out.push((name.to_owned(), value));
        let remainder = remainder.trim_start();
        rest = match remainder.strip_prefix(',') {
            Some(r) => r.trim_start(),
            None if remainder.is_empty() => remainder,
            None => return Err(AuthError::Malformed),
        };
    }
    Ok(out)
}

/// Reads a quoted string's body (after the opening quote) with `\`
/// escapes; returns it and the text after the closing quote.
fn unquote(text: &str) -> Result<(String, &str), AuthError> {
    let mut value = String::new();
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((value, &text[i + 1..])),
            '\\' => value.push(chars.next().ok_or(AuthError::Malformed)?.1),
            c => value.push(c),
        }
    }
    Err(AuthError::Malformed)
}

/// `value` as a quoted string: quotes and backslashes escaped, control characters
/// (which no header may carry) dropped.
pub(crate) fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars().filter(|c| !c.is_control()) {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}
