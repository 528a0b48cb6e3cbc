//! Merged-request detection (RFC 3261 §8.2.2.2): the same request reaching
//! us twice by different paths (a forking proxy) gets 482 the second time.

use crate::message::{Method, Request};

/// From tag, Call-ID and CSeq of a request outside a dialog.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct MergeKey {
    from_tag: String,
    call_id: String,
    seq: u32,
    method: Method,
}

impl MergeKey {
    /// The key of a request without To tag; `None` for in-dialog requests
    /// and requests without From tag.
    pub(crate) fn of(request: &Request) -> Option<MergeKey> {
        let headers = request.headers();
        if headers.to().tag().is_some() {
            return None;
        }
        Some(MergeKey {
            from_tag: headers.from().tag()?.to_owned(),
            call_id: headers.call_id().to_owned(),
            seq: headers.cseq().seq,
            method: headers.cseq().method.clone(),
        })
    }
}
