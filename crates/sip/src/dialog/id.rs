//! Dialog identity (RFC 3261 §12): Call-ID, local tag, remote tag.

use crate::message::{Request, Response};

/// Call-ID, local tag and remote tag, as seen from our side.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DialogId {
    call_id: String,
    local_tag: String,
    remote_tag: String,
}

impl DialogId {
    /// A dialog id from its three parts.
    pub fn new(call_id: &str, local_tag: &str, remote_tag: &str) -> DialogId {
        DialogId { call_id: call_id.to_owned(), local_tag: local_tag.to_owned(), remote_tag: remote_tag.to_owned() }
    }

    /// The id of the dialog a received request belongs to: our tag is in
    /// To, theirs in From. `None` outside a dialog (no To tag).
    pub fn of_received_request(request: &Request) -> Option<DialogId> {
        let h = request.headers();
        Some(DialogId::new(h.call_id(), h.to().tag()?, h.from().tag()?))
    }

    /// The id of the dialog a received response belongs to: our tag is in
    /// From, theirs in To.
    pub fn of_received_response(response: &Response) -> Option<DialogId> {
        let h = response.headers();
        Some(DialogId::new(h.call_id(), h.from().tag()?, h.to().tag()?))
    }

    /// The Call-ID.
    pub fn call_id(&self) -> &str {
        &self.call_id
    }

    /// Our tag.
    pub fn local_tag(&self) -> &str {
        &self.local_tag
    }

    /// The peer's tag.
    pub fn remote_tag(&self) -> &str {
        &self.remote_tag
    }
}
