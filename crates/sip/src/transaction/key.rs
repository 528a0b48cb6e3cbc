//! Transaction matching (RFC 3261 §17.1.3, §17.2.3, §9.2).

use crate::message::{BRANCH_MAGIC_COOKIE, Method, Request, Response};

/// Identifies a transaction: the top Via branch and sent-by, and the
/// method (ACK counts as INVITE on the server side).
///
/// Only RFC 3261 branches (starting with `z9hG4bK`) give a key; the
/// RFC 2543 fallback matching is not supported.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransactionKey {
    branch: String,
    sent_by: String,
    method: Method,
}

impl TransactionKey {
    /// The key of the server transaction a received request belongs to
    /// (§17.2.3): an ACK maps to its INVITE transaction.
    pub fn for_server(request: &Request) -> Option<TransactionKey> {
        let method = match request.method() {
            Method::Ack => Method::Invite,
            other => other.clone(),
        };
        Self::from_via(request.headers().top_via(), method)
    }

    /// The key of a client transaction, from the request it sends.
    pub fn for_client(request: &Request) -> Option<TransactionKey> {
        Self::from_via(request.headers().top_via(), request.method().clone())
    }

    /// The key of the client transaction a received response belongs to
    /// (§17.1.3): top Via branch and the CSeq method.
    pub fn for_response(response: &Response) -> Option<TransactionKey> {
        let headers = response.headers();
        Self::from_via(headers.top_via(), headers.cseq().method.clone())
    }

    /// For a CANCEL's key, the key of the INVITE server transaction it
    /// cancels (§9.2): same branch and sent-by, method INVITE.
    pub fn cancelled_invite(&self) -> Option<TransactionKey> {
        (self.method == Method::Cancel).then(|| TransactionKey { method: Method::Invite, ..self.clone() })
    }

    /// The method part of the key.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The branch part of the key.
    pub fn branch(&self) -> &str {
        &self.branch
    }

    fn from_via(via: &crate::message::Via, method: Method) -> Option<TransactionKey> {
        let branch =
            via.branch().filter(|b| b.starts_with(BRANCH_MAGIC_COOKIE) && b.len() > BRANCH_MAGIC_COOKIE.len())?;
        Some(TransactionKey { branch: branch.to_owned(), sent_by: via.sent_by().to_ascii_lowercase(), method })
    }
}
