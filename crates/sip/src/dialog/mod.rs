//! Dialogs (RFC 3261 §12), sans-IO: the state two user agents share after
//! an INVITE is answered: identity, route set, remote target and CSeq
//! spaces. A dialog builds the in-dialog requests it sends and checks the
//! ones it receives; transactions carry them.
//!
//! Only loose routing (`;lr`) route sets are supported.

mod id;

use crate::message::{Address, CSeq, Headers, Method, Request, Response, Uri, Via};

pub use id::DialogId;

/// Why a dialog cannot be made or a request does not fit it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DialogError {
    /// The response has no To tag, or the request no From tag.
    #[error("missing dialog tag")]
    MissingTag,
    /// The message has no usable Contact (remote target).
    #[error("missing or malformed Contact")]
    MissingContact,
    /// A Record-Route value is malformed.
    #[error("malformed Record-Route")]
    BadRouteSet,
    /// The request's CSeq is not above the last one received (§12.2.2):
    /// answer 500.
    #[error("CSeq {got} is not above {last}")]
    CSeqOutOfOrder {
        /// The CSeq received.
        got: u32,
        /// The highest CSeq received before.
        last: u32,
    },
    /// The message belongs to another dialog.
    #[error("the message belongs to another dialog")]
    Mismatch,
}

/// Where a dialog stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogState {
    /// Created by a provisional response with a To tag.
    Early,
    /// Created or confirmed by a 2xx.
    Confirmed,
    /// Ended by BYE (sent or received).
    Terminated,
}

/// One dialog, from our side.
#[derive(Debug, Clone)]
pub struct Dialog {
    id: DialogId,
    state: DialogState,
    local: Address,
    remote: Address,
    remote_target: Uri,
    route_set: Vec<Address>,
    local_seq: u32,
    remote_seq: Option<u32>,
}

impl Dialog {
    /// The dialog a UAS creates when it sends `response` (101..=299, with
    /// a To tag) to `request` (§12.1.1): route set = the request's
    /// Record-Route, remote target = its Contact. `local_seq` starts our
    /// own CSeq space.
    pub fn for_uas(request: &Request, response: &Response, local_seq: u32) -> Result<Dialog, DialogError> {
        let (req, resp) = (request.headers(), response.headers());
        let local_tag = resp.to().tag().ok_or(DialogError::MissingTag)?;
        let remote_tag = req.from().tag().ok_or(DialogError::MissingTag)?;
        let mut local = req.to().clone();
        local.set_tag(local_tag);
        Ok(Dialog {
            id: DialogId::new(req.call_id(), local_tag, remote_tag),
            state: state_for(response),
            local,
            remote: req.from().clone(),
            remote_target: contact(req)?,
            route_set: req.record_routes().map_err(|_| DialogError::BadRouteSet)?,
            local_seq,
            remote_seq: Some(req.cseq().seq),
        })
    }

    /// The dialog a UAC creates when `response` (101..=299, with a To tag)
    /// to its `request` arrives (§12.1.2): route set = the response's
    /// Record-Route reversed, remote target = its Contact.
    pub fn for_uac(request: &Request, response: &Response) -> Result<Dialog, DialogError> {
        let (req, resp) = (request.headers(), response.headers());
        let remote_tag = resp.to().tag().ok_or(DialogError::MissingTag)?;
        let local_tag = req.from().tag().ok_or(DialogError::MissingTag)?;
        let mut route_set = resp.record_routes().map_err(|_| DialogError::BadRouteSet)?;
        route_set.reverse();
        Ok(Dialog {
            id: DialogId::new(req.call_id(), local_tag, remote_tag),
            state: state_for(response),
            local: req.from().clone(),
            remote: resp.to().clone(),
            remote_target: contact(resp)?,
            route_set,
            local_seq: req.cseq().seq,
            remote_seq: None,
        })
    }

    /// The dialog's identity.
    pub fn id(&self) -> &DialogId {
        &self.id
    }

    /// Early, confirmed or terminated.
    pub fn state(&self) -> DialogState {
        self.state
    }

    /// Where in-dialog requests go (the peer's Contact).
    pub fn remote_target(&self) -> &Uri {
        &self.remote_target
    }

    /// The CSeq of the last request we sent in the dialog.
    pub fn local_seq(&self) -> u32 {
        self.local_seq
    }

    /// Continues our CSeq space from `seq` (a dialog rebuilt from a later
    /// response keeps the numbers already used).
    pub fn set_local_seq(&mut self, seq: u32) {
        self.local_seq = seq;
    }

    /// The route set, in the order Route headers are written.
    pub fn route_set(&self) -> &[Address] {
        &self.route_set
    }

    /// Applies a later response to the dialog's INVITE: a 2xx confirms an
    /// early dialog and refreshes the remote target.
    pub fn handle_response(&mut self, response: &Response) -> Result<(), DialogError> {
        if DialogId::of_received_response(response).as_ref() != Some(&self.id) {
            return Err(DialogError::Mismatch);
        }
        if response.status().is_success() {
            self.state = DialogState::Confirmed;
            if let Ok(target) = contact(response.headers()) {
                self.remote_target = target;
            }
        }
        Ok(())
    }

    /// Checks a request received in this dialog (§12.2.2): its CSeq must
    /// be above the last one (ACK and CANCEL reuse theirs); a BYE ends the
    /// dialog. On `CSeqOutOfOrder`, answer 500.
    pub fn handle_request(&mut self, request: &Request) -> Result<(), DialogError> {
        if DialogId::of_received_request(request).as_ref() != Some(&self.id) {
            return Err(DialogError::Mismatch);
        }
        let seq = request.headers().cseq().seq;
        let method = request.method();
        if !matches!(method, Method::Ack | Method::Cancel) {
            if let Some(last) = self.remote_seq
                && seq <= last
            {
                return Err(DialogError::CSeqOutOfOrder { got: seq, last });
            }
            self.remote_seq = Some(seq);
        }
        if *method == Method::Bye {
            self.state = DialogState::Terminated;
        }
        Ok(())
    }

    /// A new in-dialog request (§12.2.1.1): next CSeq, To/From with the
    /// tags, Request-URI = remote target, Route = route set. `via` names
    /// our transport and a fresh branch. Sending BYE ends the dialog.
    pub fn request(&mut self, method: Method, via: Via) -> Request {
        self.local_seq += 1;
        if method == Method::Bye {
            self.state = DialogState::Terminated;
        }
        self.build(method, self.local_seq, via)
    }

    /// The ACK for a 2xx to the INVITE with CSeq `invite_seq`: end-to-end,
    /// in a new transaction (`via` with a fresh branch), same CSeq number
    /// (§13.2.2.4).
    pub fn ack(&self, invite_seq: u32, via: Via) -> Request {
        self.build(Method::Ack, invite_seq, via)
    }

    fn build(&self, method: Method, seq: u32, via: Via) -> Request {
        let cseq = CSeq { seq, method: method.clone() };
        let headers = Headers::new(via, self.local.clone(), self.remote.clone(), self.id.call_id(), cseq);
        let mut request = Request::new(method, self.remote_target.clone(), headers);
        for route in &self.route_set {
            let _ = request.headers_mut().push("Route", &route.to_string());
        }
        request
    }
}

fn state_for(response: &Response) -> DialogState {
    if response.status().is_success() { DialogState::Confirmed } else { DialogState::Early }
}

fn contact(headers: &Headers) -> Result<Uri, DialogError> {
    let contacts = headers.contacts().map_err(|_| DialogError::MissingContact)?;
    contacts.first().map(|c| c.uri().clone()).ok_or(DialogError::MissingContact)
}
