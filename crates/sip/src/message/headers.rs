//! The header section of a message: the headers every transaction needs,
//! typed and checked once, and every header as received, in order.

use std::fmt;

use ezk_sip_types::{Headers as RawHeaders, Name};

use super::address::Address;
use super::error::ParseError;
use super::method::Method;
use super::via::Via;

/// The `CSeq` header: sequence number and method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CSeq {
    /// The sequence number (below 2^31, RFC 3261 §8.1.1.5).
    pub seq: u32,
    /// The method of the request this CSeq belongs to.
    pub method: Method,
}

impl CSeq {
    fn parse(value: &str) -> Option<CSeq> {
        let mut parts = value.split_ascii_whitespace();
        let seq: u32 = parts.next()?.parse().ok()?;
        let method = Method::parse(parts.next()?)?;
        (parts.next().is_none() && seq < 1 << 31).then_some(CSeq { seq, method })
    }
}

impl fmt::Display for CSeq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.seq, self.method)
    }
}

/// Headers of a request or response. Via, From, To, Call-ID and CSeq are
/// always present and valid; other headers are kept as text.
#[derive(Debug, Clone)]
pub struct Headers {
    raw: RawHeaders,
    vias: Vec<Via>,
    from: Address,
    to: Address,
    call_id: String,
    cseq: CSeq,
    max_forwards: Option<u32>,
}

impl Headers {
    /// The headers a new request needs (RFC 3261 §8.1.1), in that order.
    pub fn new(via: Via, from: Address, to: Address, call_id: &str, cseq: CSeq) -> Headers {
        Headers::build(vec![via], from, to, call_id, cseq)
    }

    fn build(vias: Vec<Via>, from: Address, to: Address, call_id: &str, cseq: CSeq) -> Headers {
        let mut raw = RawHeaders::new();
        for via in &vias {
            raw.insert(Name::VIA, via.to_string());
        }
        raw.insert(Name::FROM, from.to_string());
        raw.insert(Name::TO, to.to_string());
        raw.insert(Name::CALL_ID, call_id.to_owned());
        raw.insert(Name::CSEQ, cseq.to_string());
        Headers { raw, vias, from, to, call_id: call_id.to_owned(), cseq, max_forwards: None }
    }

    /// Via, From, To, Call-ID and CSeq only: the base of a response, an
    /// ACK or a CANCEL.
    pub(crate) fn clone_core(&self) -> Headers {
        Headers::build(self.vias.clone(), self.from.clone(), self.to.clone(), &self.call_id, self.cseq.clone())
    }

    /// Checks and types the headers parsed from a message head. Returns the
    /// headers and the Content-Length, which is removed (it is written from
    /// the body on output).
    pub(crate) fn from_raw(mut raw: RawHeaders) -> Result<(Headers, Option<usize>), ParseError> {
        let mut vias = Vec::new();
        for value in raw.get_raw(&Name::VIA) {
            vias.extend(Via::parse_list(value).ok_or(ParseError::InvalidHeader("Via"))?);
        }
        if vias.is_empty() {
            return Err(ParseError::MissingHeader("Via"));
        }
        let from = single(&raw, &Name::FROM, "From")?;
        let from = Address::parse(from).ok_or(ParseError::InvalidHeader("From"))?;
        let to = single(&raw, &Name::TO, "To")?;
        let to = Address::parse(to).ok_or(ParseError::InvalidHeader("To"))?;
        let call_id = single(&raw, &Name::CALL_ID, "Call-ID")?.trim().to_owned();
        if call_id.is_empty() || call_id.bytes().any(|b| b.is_ascii_whitespace()) {
            return Err(ParseError::InvalidHeader("Call-ID"));
        }
        let cseq = single(&raw, &Name::CSEQ, "CSeq")?;
        let cseq = CSeq::parse(cseq).ok_or(ParseError::InvalidHeader("CSeq"))?;
        let max_forwards = match raw.get_raw(&Name::MAX_FORWARDS).as_slice() {
            [] => None,
            [one] => Some(
                one.trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|v| *v <= 255)
                    .ok_or(ParseError::InvalidHeader("Max-Forwards"))?,
            ),
            _ => return Err(ParseError::InvalidHeader("Max-Forwards")),
        };
        let content_length = content_length(&raw)?;
        raw.remove(&Name::CONTENT_LENGTH);
        let headers = Headers { raw, vias, from, to, call_id, cseq, max_forwards };
        Ok((headers, content_length))
    }

    /// Every Via, topmost first.
    pub fn vias(&self) -> &[Via] {
        &self.vias
    }

    /// The topmost Via: the one that names the transaction.
    pub fn top_via(&self) -> &Via {
        // `vias` is never empty: checked when parsed, set when built.
        &self.vias[0]
    }

    /// The From header.
    pub fn from(&self) -> &Address {
        &self.from
    }

    /// The To header.
    pub fn to(&self) -> &Address {
        &self.to
    }

    /// The Call-ID.
    pub fn call_id(&self) -> &str {
        &self.call_id
    }

    /// The CSeq.
    pub fn cseq(&self) -> &CSeq {
        &self.cseq
    }

    /// Max-Forwards, when present.
    pub fn max_forwards(&self) -> Option<u32> {
        self.max_forwards
    }

    /// Every Contact (a `*` Contact is an error here: read it with
    /// [`Headers::get`]).
    pub fn contacts(&self) -> Result<Vec<Address>, ParseError> {
        self.address_list(&Name::CONTACT, "Contact")
    }

    /// The Route set, in order.
    pub fn routes(&self) -> Result<Vec<Address>, ParseError> {
        self.address_list(&Name::ROUTE, "Route")
    }

    /// The Record-Route set, in order.
    pub fn record_routes(&self) -> Result<Vec<Address>, ParseError> {
        self.address_list(&Name::RECORD_ROUTE, "Record-Route")
    }

    fn address_list(&self, name: &Name, label: &'static str) -> Result<Vec<Address>, ParseError> {
        let mut out = Vec::new();
        for value in self.raw.get_raw(name) {
            out.extend(Address::parse_list(value).ok_or(ParseError::InvalidHeader(label))?);
        }
        Ok(out)
    }

    /// The first value of header `name` (long or compact form, any case).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.raw.get_raw(&Name::from(name.to_owned())).next().map(|v| v.as_str())
    }

    /// Every value of header `name`, in order.
    pub fn get_all(&self, name: &str) -> Vec<&str> {
        self.raw.get_raw(&Name::from(name.to_owned())).map(|v| v.as_str()).collect()
    }

    /// Appends a header that the message does not manage itself.
    pub fn push(&mut self, name: &str, value: &str) -> Result<(), ParseError> {
        let key = Name::from(name.to_owned());
        if is_managed(&key) {
            return Err(ParseError::ManagedHeader(name.to_owned()));
        }
        self.raw.insert(key, value.to_owned());
        Ok(())
    }

    /// Removes every value of a header the message does not manage itself.
    pub fn remove(&mut self, name: &str) -> Result<(), ParseError> {
        let key = Name::from(name.to_owned());
        if is_managed(&key) {
            return Err(ParseError::ManagedHeader(name.to_owned()));
        }
        self.raw.remove(&key);
        Ok(())
    }

    /// Sets Max-Forwards.
    pub fn set_max_forwards(&mut self, hops: u8) {
        self.max_forwards = Some(u32::from(hops));
        self.raw.remove(&Name::MAX_FORWARDS);
        self.raw.insert(Name::MAX_FORWARDS, hops.to_string());
    }

    /// Sets the To tag.
    pub fn set_to_tag(&mut self, tag: &str) {
        self.to.set_tag(tag);
        self.raw.remove(&Name::TO);
        self.raw.insert(Name::TO, self.to.to_string());
    }

    /// Replaces the To header.
    pub fn set_to(&mut self, to: Address) {
        self.to = to;
        self.raw.remove(&Name::TO);
        self.raw.insert(Name::TO, self.to.to_string());
    }

    /// Sets the CSeq.
    pub fn set_cseq(&mut self, cseq: CSeq) {
        self.cseq = cseq;
        self.raw.remove(&Name::CSEQ);
        self.raw.insert(Name::CSEQ, self.cseq.to_string());
    }

    /// Marks the top Via with the source address (received, and rport
    /// when asked for), RFC 3261 §18.2.1 and RFC 3581 §4.
    pub fn set_top_via_received(&mut self, ip: &str, port: u16) {
        self.vias[0].set_received(ip, port);
        self.rewrite_vias();
    }

    /// Replaces the topmost Via (a request sent again in a new transaction).
    pub fn replace_top_via(&mut self, via: Via) {
        self.vias[0] = via;
        self.rewrite_vias();
    }

    /// Keeps only the topmost Via (for ACK and CANCEL, §17.1.1.3, §9.1).
    pub fn keep_top_via_only(&mut self) {
        self.vias.truncate(1);
        self.rewrite_vias();
    }

    fn rewrite_vias(&mut self) {
        self.raw.remove(&Name::VIA);
        for via in &self.vias {
            // The first call puts the Via entry first; later ones append to it.
            self.raw.insert_front(Name::VIA, via.to_string());
        }
    }

    /// Copies every value of header `name` from `other`.
    pub(crate) fn copy_raw_from(&mut self, other: &Headers, name: &str) {
        let key = Name::from(name.to_owned());
        for value in other.raw.get_raw(&key) {
            self.raw.insert(key.clone(), value.as_str().to_owned());
        }
    }

    /// Writes every header line (Content-Length excluded) to `out`.
    pub(crate) fn write_to(&self, out: &mut String) {
        for (name, value) in self.raw.iter() {
            out.push_str(name.as_print_str());
            out.push_str(": ");
            out.push_str(value.as_str());
            out.push_str("\r\n");
        }
    }
}

/// Whether `name` has a typed copy and is changed only through typed setters.
fn is_managed(name: &Name) -> bool {
    [Name::VIA, Name::FROM, Name::TO, Name::CALL_ID, Name::CSEQ, Name::MAX_FORWARDS, Name::CONTENT_LENGTH]
        .iter()
        .any(|m| m == name)
}

fn single<'a>(raw: &'a RawHeaders, name: &Name, label: &'static str) -> Result<&'a str, ParseError> {
    let mut values = raw.get_raw(name);
    let first = values.next().ok_or(ParseError::MissingHeader(label))?;
    if values.next().is_some() {
        return Err(ParseError::InvalidHeader(label));
    }
    Ok(first.as_str())
}

fn content_length(raw: &RawHeaders) -> Result<Option<usize>, ParseError> {
    let mut length = None;
    for value in raw.get_raw(&Name::CONTENT_LENGTH) {
        let value = value.trim();
        if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseError::InvalidContentLength);
        }
        let parsed: usize = value.parse().map_err(|_| ParseError::InvalidContentLength)?;
        if length.is_some_and(|l| l != parsed) {
            return Err(ParseError::InvalidContentLength);
        }
        length = Some(parsed);
    }
    Ok(length)
}
