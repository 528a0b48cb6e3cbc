//! What a REGISTER asks for: its Contacts with their expiries, or `*`.

use crate::message::{Address, Request};

/// One Contact of a REGISTER with the expiry it asks for.
#[derive(Debug, Clone)]
pub(crate) struct Requested {
    /// The Contact as sent.
    pub(crate) contact: Address,
    /// Seconds asked for (Contact `expires`, else the Expires header, else
    /// the default).
    pub(crate) expires: u32,
    pub(crate) instance: Option<String>,
    pub(crate) reg_id: Option<u32>,
    pub(crate) outbound: bool,
}

/// The Contact part of a REGISTER.
#[derive(Debug, Clone)]
pub(crate) enum Contacts {
    /// No Contact: a query for the current bindings.
    Query,
    /// `Contact: *` with `Expires: 0`: remove every binding.
    RemoveAll,
    /// Contacts to add, refresh or remove.
    Bind(Vec<Requested>),
}

/// Reads the Contacts and expiries of `request`; `Err` carries the reason
/// phrase of a 400.
pub(crate) fn requested(request: &Request, default_expires: u32) -> Result<Contacts, &'static str> {
    let headers = request.headers();
    let expires_header = match headers.get("Expires") {
        None => None,
        Some(v) => Some(parse_expires(v).ok_or("Bad Expires")?),
    };
    let raw = headers.get_all("Contact");
    if raw.is_empty() {
        return Ok(Contacts::Query);
    }
    if raw.iter().any(|v| v.trim() == "*") {
        return if raw.len() == 1 && expires_header == Some(0) {
            Ok(Contacts::RemoveAll)
        } else {
            Err("Bad Wildcard Contact")
        };
    }
    let contacts = headers.contacts().map_err(|_| "Bad Contact")?;
    let default = expires_header.unwrap_or(default_expires);
    contacts.into_iter().map(|contact| one(contact, default)).collect::<Result<_, _>>().map(Contacts::Bind)
}

fn one(contact: Address, default: u32) -> Result<Requested, &'static str> {
    let params = contact.params();
    let expires = match params.get("expires") {
        None => default,
        Some(v) => v.and_then(parse_expires).ok_or("Bad Contact expires")?,
    };
    let instance = params.get("+sip.instance").flatten().map(str::to_owned);
    let reg_id = match params.get("reg-id") {
        None => None,
        Some(v) => Some(v.and_then(|v| v.parse().ok()).ok_or("Bad reg-id")?),
    };
    // RFC 5626 §5.1 puts `ob` in the Contact URI; some UAs put it beside.
    let outbound = params.get("ob").is_some() || uri_has_param(contact.uri().as_str(), "ob");
    Ok(Requested { contact, expires, instance, reg_id, outbound })
}

/// Delta-seconds; values too large for u32 saturate (RFC 3261 §20.19).
fn parse_expires(text: &str) -> Option<u32> {
    let text = text.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(text.parse::<u64>().map_or(u32::MAX, |v| u32::try_from(v).unwrap_or(u32::MAX)))
}

/// Whether a URI's parameters (after the host, before any `?`) include `name`.
fn uri_has_param(uri: &str, name: &str) -> bool {
    let before_headers = uri.split('?').next().unwrap_or_default();
    before_headers.split(';').skip(1).any(|p| p.split('=').next().is_some_and(|n| n.trim().eq_ignore_ascii_case(name)))
}
