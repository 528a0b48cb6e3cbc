//! Requests the peer sends inside a leg's dialog: BYE, re-INVITE and
//! UPDATE (with glare), INFO, OPTIONS, REFER and the NOTIFYs of our REFER;
//! and the call layer's answers to them.

use std::time::Instant;

use super::leg::Reoffer;
use super::session_timer::{SessionTimer, UasDecision, uas_decision};
use super::{Edge, EdgeError, EdgeEvent, EndCause, LegId, TransportId};
use crate::dialog::{DialogError, DialogId};
use crate::message::{Method, Request, StatusCode, Uri};
use crate::transaction::TransactionKey;

impl Edge {
    /// A request with a To tag: it must belong to a leg's dialog.
    pub(super) fn on_in_dialog_request(&mut self, t: TransportId, key: TransactionKey, request: Request, now: Instant) {
        let leg = DialogId::of_received_request(&request).and_then(|id| self.dialogs.get(&id).copied());
        let Some(leg) = leg.filter(|leg| self.legs.contains_key(leg)) else {
            self.stats.no_dialog += 1;
            self.respond_status(t, &key, &request, StatusCode::CALL_DOES_NOT_EXIST, now);
            return;
        };
        let checked = match self.legs.get_mut(&leg).and_then(|l| l.dialog.as_mut()) {
            Some(dialog) => dialog.handle_request(&request),
            None => Err(DialogError::Mismatch),
        };
        match checked {
            Ok(()) => {}
            Err(DialogError::CSeqOutOfOrder { .. }) => {
                self.respond_status(t, &key, &request, StatusCode::SERVER_INTERNAL_ERROR, now);
                return;
            }
            Err(_) => {
                self.respond_status(t, &key, &request, StatusCode::CALL_DOES_NOT_EXIST, now);
                return;
            }
        }
        match request.method() {
            Method::Bye => {
                self.respond_in_dialog(t, &key, &request, StatusCode::OK, now);
                self.end(leg, EndCause::RemoteBye);
            }
            Method::Invite | Method::Update => self.on_reoffer(leg, t, key, request, now),
            Method::Info => {
                self.respond_in_dialog(t, &key, &request, StatusCode::OK, now);
                let content_type = request.headers().get("Content-Type").or_else(|| request.headers().get("c"));
                let content_type = content_type.map(str::to_owned);
                self.events.push_back(EdgeEvent::Info { leg, content_type, body: request.body().to_vec() });
            }
            Method::Options => {
                let response = self.options_response(&request);
                self.respond(t, &key, response, now);
            }
            Method::Refer => self.on_refer(leg, t, key, &request, now),
            Method::Notify => self.on_notify(leg, t, key, &request, now),
            _ => self.respond_in_dialog(t, &key, &request, StatusCode::NOT_IMPLEMENTED, now),
        }
    }

    /// A response inside the dialog: the To tag is already ours.
    fn respond_in_dialog(
        &mut self,
        t: TransportId,
        key: &TransactionKey,
        request: &Request,
        status: StatusCode,
        now: Instant,
    ) {
        let mut response = request.response(status, None);
        let _ = response.headers_mut().push("Server", &self.config.user_agent);
        self.respond(t, key, response, now);
    }

    /// A re-INVITE or UPDATE: 491 when ours is in flight (glare, §14.2),
    /// 500 with Retry-After when theirs is; else the call layer answers.
    fn on_reoffer(&mut self, leg: LegId, t: TransportId, key: TransactionKey, request: Request, now: Instant) {
        let Some(l) = self.legs.get(&leg) else { return };
        match &l.reoffer {
            Reoffer::Sent { .. } => {
                self.respond_in_dialog(t, &key, &request, StatusCode::REQUEST_PENDING, now);
                return;
            }
            Reoffer::Received { .. } => {
                let mut response = request.response(StatusCode::SERVER_INTERNAL_ERROR, None);
                let _ = response.headers_mut().push("Retry-After", "1");
                self.respond(t, &key, response, now);
                return;
            }
            Reoffer::Idle => {}
        }
        if uas_decision(request.headers(), self.config.min_session_expires) == UasDecision::TooSmall {
            let mut response = request.response(StatusCode::SESSION_INTERVAL_TOO_SMALL, None);
            let _ = response.headers_mut().push("Min-SE", &self.config.min_session_expires.to_string());
            self.respond(t, &key, response, now);
            return;
        }
        let offer = (!request.body().is_empty()).then(|| request.body().to_vec());
        self.server_keys.insert((t, key.clone()), leg);
        if let Some(l) = self.legs.get_mut(&leg) {
            l.reoffer = Reoffer::Received { key, request };
        }
        self.events.push_back(EdgeEvent::Reoffer { leg, offer });
    }

    /// Answers the peer's re-INVITE or UPDATE with `answer` SDP (200 OK);
    /// a session timer restarts.
    pub fn accept_reoffer(&mut self, leg: LegId, answer: Vec<u8>, now: Instant) -> Result<(), EdgeError> {
        let (t, key, request) = self.take_received_reoffer(leg)?;
        let mut response = request.response(StatusCode::OK, None);
        let contact = self.slots[usize::from(t.0)].local.contact(&self.config.contact_user);
        let h = response.headers_mut();
        let _ = h.push("Contact", &contact);
        let _ = h.push("Server", &self.config.user_agent);
        let decision = uas_decision(request.headers(), self.config.min_session_expires);
        if let UasDecision::Run(negotiated) = decision {
            let _ = h.push("Session-Expires", &negotiated.header.value());
            if negotiated.require {
                let _ = h.push("Require", "timer");
            }
        }
        response.set_body("application/sdp", answer.clone());
        self.respond(t, &key, response, now);
        if let Some(l) = self.legs.get_mut(&leg) {
            l.local_sdp = Some(answer);
            match (decision, l.session.as_mut()) {
                (UasDecision::Run(n), _) => {
                    l.session = Some(SessionTimer::new(n.header.secs, n.header.uac_refreshes == Some(false), now));
                }
                (_, Some(session)) => session.restart(now),
                _ => {}
            }
        }
        self.schedule(leg);
        Ok(())
    }

    /// Refuses the peer's re-INVITE or UPDATE (488 for an offer we cannot
    /// take); the session goes on as before.
    pub fn reject_reoffer(&mut self, leg: LegId, status: StatusCode, now: Instant) -> Result<(), EdgeError> {
        let (t, key, request) = self.take_received_reoffer(leg)?;
        self.respond_in_dialog(t, &key, &request, status, now);
        Ok(())
    }

    fn take_received_reoffer(&mut self, leg: LegId) -> Result<(TransportId, TransactionKey, Request), EdgeError> {
        let l = self.legs.get_mut(&leg).ok_or(EdgeError::UnknownLeg(leg))?;
        match std::mem::replace(&mut l.reoffer, Reoffer::Idle) {
            Reoffer::Received { key, request } => {
                self.server_keys.remove(&(l.transport, key.clone()));
                Ok((l.transport, key, request))
            }
            other => {
                l.reoffer = other;
                Err(EdgeError::WrongState(leg, "no re-INVITE from the peer is waiting for an answer"))
            }
        }
    }

    /// The peer asks us to transfer the call (RFC 3515): 202, a first
    /// NOTIFY with 100 Trying, and the call layer is told.
    fn on_refer(&mut self, leg: LegId, t: TransportId, key: TransactionKey, request: &Request, now: Instant) {
        let target = request.headers().get("Refer-To").or_else(|| request.headers().get("r"));
        let target = target.and_then(crate::message::Address::parse).map(|a| a.uri().clone());
        let Some(target) = target else {
            let mut response = request.response(StatusCode::BAD_REQUEST, None);
            response.set_reason("Missing or malformed Refer-To");
            self.respond(t, &key, response, now);
            return;
        };
        self.respond_in_dialog(t, &key, request, StatusCode::ACCEPTED, now);
        self.events.push_back(EdgeEvent::TransferRequested { leg, target });
        let _ = self.notify_refer(leg, StatusCode::TRYING, now);
    }

    /// A NOTIFY in the dialog: the progress of a REFER we sent.
    fn on_notify(&mut self, leg: LegId, t: TransportId, key: TransactionKey, request: &Request, now: Instant) {
        let h = request.headers();
        let event = h.get("Event").or_else(|| h.get("o")).unwrap_or("");
        let is_refer = event.split(';').next().is_some_and(|e| e.trim().eq_ignore_ascii_case("refer"));
        if !is_refer {
            // RFC 6665 §4.1.3: a NOTIFY for an event we did not subscribe to.
            self.respond_in_dialog(t, &key, request, StatusCode::new(489).unwrap_or(StatusCode::BAD_REQUEST), now);
            return;
        }
        self.respond_in_dialog(t, &key, request, StatusCode::OK, now);
        let last = h.get("Subscription-State").is_some_and(|s| s.trim().to_ascii_lowercase().starts_with("terminated"));
        if let Some(status) = sipfrag_status(request.body()) {
            self.events.push_back(EdgeEvent::TransferProgress { leg, status, last });
        }
    }
}

/// The status code of a `message/sipfrag` status line (`SIP/2.0 180 Ringing`).
pub(super) fn sipfrag_status(body: &[u8]) -> Option<StatusCode> {
    let text = std::str::from_utf8(body).ok()?;
    let line = text.lines().next()?;
    let mut parts = line.split_ascii_whitespace();
    (parts.next()? == "SIP/2.0").then_some(())?;
    StatusCode::new(parts.next()?.parse().ok()?)
}

/// A `Refer-To` value for `target`.
pub(super) fn refer_to(target: &Uri) -> String {
    format!("<{target}>")
}
