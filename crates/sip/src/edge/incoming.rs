//! Incoming legs: admitting a new INVITE, ringing, answering, rejecting,
//! and the caller's CANCEL and ACK.

use std::net::SocketAddr;
use std::time::Instant;

use super::directory::Admission;
use super::leg::{Incoming, IncomingState, Leg, Side};
use super::session_timer::{SessionTimer, UasDecision, uas_decision};
use super::{Edge, EdgeError, EdgeEvent, EndCause, IncomingCall, LegId, SUPPORTED, TransportId};
use crate::dialog::{Dialog, DialogId};
use crate::message::{Request, Response, StatusCode};
use crate::transaction::TransactionKey;

impl Edge {
    /// A new INVITE (no To tag): protection limits, extensions, then the
    /// directory; an admitted one becomes a leg and an `Incoming` event.
    pub(super) fn on_new_invite(
        &mut self,
        t: TransportId,
        key: TransactionKey,
        request: Request,
        source: SocketAddr,
        now: Instant,
    ) {
        if let Some(status) = self.refusal(&request, now) {
            let mut response = self.response_to(&request, status.0);
            for (name, value) in status.1 {
                let _ = response.headers_mut().push(&name, &value);
            }
            self.respond(t, &key, response, now);
            return;
        }
        let session_request = match uas_decision(request.headers(), self.config.min_session_expires) {
            UasDecision::None => None,
            UasDecision::TooSmall => {
                let mut response = self.response_to(&request, StatusCode::SESSION_INTERVAL_TOO_SMALL);
                let _ = response.headers_mut().push("Min-SE", &self.config.min_session_expires.to_string());
                self.respond(t, &key, response, now);
                return;
            }
            UasDecision::Run(negotiated) => Some(negotiated),
        };
        let route = match self.directory.admit(&request, source, t, now) {
            Admission::Accept(route) => route,
            Admission::Reject { status, headers } => {
                self.stats.refused += 1;
                let mut response = self.response_to(&request, status);
                for (name, value) in headers {
                    let _ = response.headers_mut().push(&name, &value);
                }
                self.respond(t, &key, response, now);
                return;
            }
            Admission::Drop => {
                self.stats.refused += 1;
                self.slots[usize::from(t.0)].layer.forget(&key);
                return;
            }
        };
        let leg = self.new_leg_id();
        let h = request.headers();
        let call = IncomingCall {
            leg,
            request_uri: request.uri().clone(),
            from: h.from().clone(),
            to: h.to().clone(),
            call_id: h.call_id().to_owned(),
            source,
            transport: t,
            route,
            offer: (!request.body().is_empty()).then(|| request.body().to_vec()),
        };
        let local_tag = self.ids.tag();
        let incoming =
            Incoming { invite: request, key: key.clone(), local_tag, state: IncomingState::Pending, session_request };
        self.legs.insert(leg, Leg::new(t, source, Side::Incoming(incoming)));
        self.server_keys.insert((t, key), leg);
        self.events.push_back(EdgeEvent::Incoming(call));
    }

    /// Why a new INVITE must be refused before the directory sees it:
    /// overload (503 with Retry-After), a required extension we lack
    /// (420), a body that is not SDP (415), no Contact (400).
    fn refusal(&mut self, request: &Request, now: Instant) -> Option<(StatusCode, Vec<(String, String)>)> {
        let retry = || vec![("Retry-After".to_owned(), self.config.retry_after_secs.to_string())];
        if self.legs.len() >= self.config.max_live_legs {
            self.stats.shed_live_calls += 1;
            return Some((StatusCode::SERVICE_UNAVAILABLE, retry()));
        }
        if !self.bucket.take(now) {
            self.stats.shed_setup_rate += 1;
            return Some((StatusCode::SERVICE_UNAVAILABLE, retry()));
        }
        let h = request.headers();
        let unsupported: Vec<&str> = h
            .get_all("Require")
            .into_iter()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|o| !o.is_empty() && !o.eq_ignore_ascii_case("timer"))
            .collect();
        if !unsupported.is_empty() {
            let status = StatusCode::BAD_EXTENSION;
            return Some((status, vec![("Unsupported".to_owned(), unsupported.join(", "))]));
        }
        let content_type = h.get("Content-Type").or_else(|| h.get("c")).unwrap_or("application/sdp");
        if !request.body().is_empty() && !content_type.trim().to_ascii_lowercase().starts_with("application/sdp") {
            let status = StatusCode::UNSUPPORTED_MEDIA_TYPE;
            return Some((status, vec![("Accept".to_owned(), "application/sdp".to_owned())]));
        }
        if h.contacts().map(|c| c.is_empty()).unwrap_or(true) {
            return Some((StatusCode::BAD_REQUEST, Vec::new()));
        }
        None
    }

    /// Rings an incoming leg: 180 Ringing, or 183 Session Progress with
    /// `early_media` SDP (announcements before answer).
    pub fn ring(&mut self, leg: LegId, early_media: Option<Vec<u8>>, now: Instant) -> Result<(), EdgeError> {
        let status = if early_media.is_some() { StatusCode::SESSION_PROGRESS } else { StatusCode::RINGING };
        let response = self.incoming_response(leg, status, early_media)?;
        self.send_incoming_response(leg, response, now);
        Ok(())
    }

    /// Answers an incoming leg with `answer` SDP (200 OK). The 2xx is
    /// retransmitted until its ACK; [`EdgeEvent::Confirmed`] follows.
    pub fn answer(&mut self, leg: LegId, answer: Vec<u8>, now: Instant) -> Result<(), EdgeError> {
        let mut response = self.incoming_response(leg, StatusCode::OK, Some(answer.clone()))?;
        let negotiated = match self.legs.get(&leg).map(|l| &l.side) {
            Some(Side::Incoming(incoming)) => incoming.session_request,
            _ => None,
        };
        if let Some(negotiated) = negotiated {
            let _ = response.headers_mut().push("Session-Expires", &negotiated.header.value());
            if negotiated.require {
                let _ = response.headers_mut().push("Require", "timer");
            }
        }
        self.send_incoming_response(leg, response, now);
        if let Some(l) = self.legs.get_mut(&leg) {
            l.local_sdp = Some(answer);
            if let Side::Incoming(incoming) = &mut l.side {
                incoming.state = IncomingState::Answered;
            }
            if let Some(n) = negotiated {
                // We are the UAS: we refresh when refresher=uas.
                l.session = Some(SessionTimer::new(n.header.secs, n.header.uac_refreshes == Some(false), now));
            }
        }
        self.schedule(leg);
        Ok(())
    }

    /// Refuses an incoming leg that is not answered yet with `status`
    /// (≥ 300); the leg ends.
    pub fn reject(&mut self, leg: LegId, status: StatusCode, now: Instant) -> Result<(), EdgeError> {
        if status.as_u16() < 300 {
            return Err(EdgeError::WrongState(leg, "a rejection needs a status of 300 or more"));
        }
        let response = self.incoming_response(leg, status, None)?;
        self.send_incoming_response(leg, response, now);
        self.end(leg, EndCause::LocalHangup);
        Ok(())
    }

    /// A response to a pending incoming leg's INVITE, with our To tag,
    /// Contact and `body`.
    fn incoming_response(
        &mut self,
        leg: LegId,
        status: StatusCode,
        body: Option<Vec<u8>>,
    ) -> Result<Response, EdgeError> {
        let l = self.legs.get(&leg).ok_or(EdgeError::UnknownLeg(leg))?;
        let Side::Incoming(incoming) = &l.side else {
            return Err(EdgeError::WrongState(leg, "only an incoming leg is rung, answered or rejected"));
        };
        if incoming.state != IncomingState::Pending {
            return Err(EdgeError::WrongState(leg, "the leg is already answered"));
        }
        let mut response = incoming.invite.response(status, Some(&incoming.local_tag));
        let contact = self.slots[usize::from(l.transport.0)].local.contact(&self.config.contact_user);
        let h = response.headers_mut();
        let _ = h.push("Server", &self.config.user_agent);
        if status.as_u16() < 300 {
            let _ = h.push("Contact", &contact);
            let _ = h.push("Allow", super::ALLOW);
            let _ = h.push("Supported", SUPPORTED);
        }
        if let Some(body) = body {
            response.set_body("application/sdp", body);
        }
        Ok(response)
    }

    /// Sends a response to an incoming leg's INVITE; a provisional or 2xx
    /// with a tag makes (or confirms) the leg's dialog.
    fn send_incoming_response(&mut self, leg: LegId, response: Response, now: Instant) {
        let Some(l) = self.legs.get_mut(&leg) else { return };
        let Side::Incoming(incoming) = &l.side else { return };
        let (t, key) = (l.transport, incoming.key.clone());
        let code = response.status().as_u16();
        if (101..300).contains(&code)
            && let Ok(dialog) = Dialog::for_uas(&incoming.invite, &response, 1)
        {
            let keep_seq = l.dialog.as_ref().map(Dialog::local_seq);
            let mut dialog = dialog;
            if let Some(seq) = keep_seq {
                dialog.set_local_seq(seq);
            }
            self.dialogs.insert(dialog.id().clone(), leg);
            l.dialog = Some(dialog);
        }
        self.respond(t, &key, response, now);
    }

    /// The caller CANCELled a pending INVITE (the layer answered 487).
    pub(super) fn on_cancelled(&mut self, t: TransportId, key: &TransactionKey) {
        let Some(leg) = self.server_keys.get(&(t, key.clone())).copied() else { return };
        let pending = self.legs.get(&leg).is_some_and(|l| !l.is_answered());
        if pending {
            self.end(leg, EndCause::CallerCancelled);
        }
    }

    /// An ACK outside any transaction: the ACK of a 2xx we sent, to an
    /// INVITE or a re-INVITE.
    pub(super) fn on_ack(&mut self, ack: &Request, _now: Instant) {
        let Some(id) = DialogId::of_received_request(ack) else { return };
        let Some(leg) = self.dialogs.get(&id).copied() else { return };
        let Some(l) = self.legs.get_mut(&leg) else { return };
        if let Side::Incoming(incoming) = &mut l.side
            && incoming.state == IncomingState::Answered
            && ack.headers().cseq().seq == incoming.invite.headers().cseq().seq
        {
            incoming.state = IncomingState::Confirmed;
            let index = (l.transport, incoming.key.clone());
            self.server_keys.remove(&index);
            self.events.push_back(EdgeEvent::Confirmed { leg });
        }
    }
}
