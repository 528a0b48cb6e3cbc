//! Requests we send inside a leg's dialog — BYE, re-INVITE (with the 491
//! back-off), REFER, NOTIFY, INFO — their responses, and the leg timers
//! (session refresh or expiry, glare retry).

use std::time::{Duration, Instant};

use super::dialog_server::refer_to;
use super::leg::{IncomingState, Purpose, Reoffer, Side};
use super::session_timer::SessionExpires;
use super::{Edge, EdgeError, EdgeEvent, EndCause, LegId};
use crate::message::{Message, Method, Response, StatusCode, Uri};

impl Edge {
    /// Ends a leg from our side: BYE when answered, CANCEL for an
    /// outgoing leg still ringing, 480 for an incoming one. `Ended`
    /// follows at once.
    pub fn hangup(&mut self, leg: LegId, now: Instant) -> Result<(), EdgeError> {
        let l = self.legs.get(&leg).ok_or(EdgeError::UnknownLeg(leg))?;
        match &l.side {
            Side::Incoming(incoming) if incoming.state == IncomingState::Pending => {
                return self.reject(leg, StatusCode::TEMPORARILY_UNAVAILABLE, now);
            }
            Side::Outgoing(outgoing) if !outgoing.answered => self.cancel_branches(leg, now),
            _ => {
                let _ = self.send_in_dialog(leg, Method::Bye, Purpose::Bye, None, &[], now);
            }
        }
        self.end(leg, EndCause::LocalHangup);
        Ok(())
    }

    /// Sends a re-INVITE with a new `offer` (hold, resume, media change);
    /// `ReofferAnswered` or `ReofferFailed` follows. After a 491 it is
    /// sent again by itself after the RFC 3261 §14.1 back-off.
    pub fn reinvite(&mut self, leg: LegId, offer: Option<Vec<u8>>, now: Instant) -> Result<(), EdgeError> {
        let l = self.legs.get(&leg).ok_or(EdgeError::UnknownLeg(leg))?;
        if l.dialog.is_none() || !l.is_answered() {
            return Err(EdgeError::WrongState(leg, "a re-INVITE needs an answered call"));
        }
        if !matches!(l.reoffer, Reoffer::Idle) || l.glare_retry.is_some() {
            return Err(EdgeError::Busy(leg));
        }
        self.send_reinvite(leg, offer, false, now)
    }

    fn send_reinvite(
        &mut self,
        leg: LegId,
        offer: Option<Vec<u8>>,
        refresh: bool,
        now: Instant,
    ) -> Result<(), EdgeError> {
        let contact = self.leg_contact(leg)?;
        let mut headers = vec![("Contact".to_owned(), contact), ("Supported".to_owned(), super::SUPPORTED.to_owned())];
        if let Some(session) = self.legs.get(&leg).and_then(|l| l.session) {
            let secs = u32::try_from(session_interval_secs(&session)).unwrap_or(u32::MAX);
            let se = SessionExpires { secs, uac_refreshes: Some(true) };
            headers.push(("Session-Expires".to_owned(), se.value()));
        }
        self.send_in_dialog(leg, Method::Invite, Purpose::ReInvite, offer.clone(), &headers, now)?;
        if let Some(l) = self.legs.get_mut(&leg) {
            if let Some(offer) = &offer {
                l.local_sdp = Some(offer.clone());
            }
            l.reoffer = Reoffer::Sent { offer, refresh };
        }
        Ok(())
    }

    /// Asks the peer to transfer itself to `target` (REFER, RFC 3515);
    /// `TransferProgress` events follow from its NOTIFYs, or
    /// `TransferRefused`.
    pub fn refer(&mut self, leg: LegId, target: &Uri, now: Instant) -> Result<(), EdgeError> {
        let contact = self.leg_contact(leg)?;
        let headers = [("Refer-To".to_owned(), refer_to(target)), ("Contact".to_owned(), contact)];
        self.send_in_dialog(leg, Method::Refer, Purpose::Refer, None, &headers, now)?;
        Ok(())
    }

    /// Reports the progress of a transfer the peer asked for: a NOTIFY
    /// with the status line as `message/sipfrag`; a final status ends the
    /// implicit subscription.
    pub fn notify_refer(&mut self, leg: LegId, status: StatusCode, now: Instant) -> Result<(), EdgeError> {
        let state = if status.is_final() { "terminated;reason=noresource" } else { "active;expires=60" };
        let headers = [
            ("Event".to_owned(), "refer".to_owned()),
            ("Subscription-State".to_owned(), state.to_owned()),
            ("Contact".to_owned(), self.leg_contact(leg)?),
        ];
        let body = format!("SIP/2.0 {} {}\r\n", status, status.canonical_reason()).into_bytes();
        self.send_body_in_dialog(
            leg,
            Method::Notify,
            Purpose::Notify,
            "message/sipfrag;version=2.0",
            body,
            &headers,
            now,
        )?;
        Ok(())
    }

    /// Sends an INFO (e.g. `application/dtmf-relay`) in the leg's dialog.
    pub fn send_info(&mut self, leg: LegId, content_type: &str, body: Vec<u8>, now: Instant) -> Result<(), EdgeError> {
        self.send_body_in_dialog(leg, Method::Info, Purpose::Info, content_type, body, &[], now)?;
        Ok(())
    }

    fn leg_contact(&self, leg: LegId) -> Result<String, EdgeError> {
        let l = self.legs.get(&leg).ok_or(EdgeError::UnknownLeg(leg))?;
        Ok(self.slots[usize::from(l.transport.0)].local.contact(&self.config.contact_user))
    }

    fn send_in_dialog(
        &mut self,
        leg: LegId,
        method: Method,
        purpose: Purpose,
        sdp: Option<Vec<u8>>,
        headers: &[(String, String)],
        now: Instant,
    ) -> Result<crate::transaction::TransactionKey, EdgeError> {
        match sdp {
            Some(sdp) => self.send_body_in_dialog(leg, method, purpose, "application/sdp", sdp, headers, now),
            None => self.send_body_in_dialog(leg, method, purpose, "", Vec::new(), headers, now),
        }
    }

    #[allow(clippy::too_many_arguments, reason = "one private builder behind the in-dialog request commands")]
    fn send_body_in_dialog(
        &mut self,
        leg: LegId,
        method: Method,
        purpose: Purpose,
        content_type: &str,
        body: Vec<u8>,
        headers: &[(String, String)],
        now: Instant,
    ) -> Result<crate::transaction::TransactionKey, EdgeError> {
        let branch = self.ids.branch();
        let l = self.legs.get_mut(&leg).ok_or(EdgeError::UnknownLeg(leg))?;
        let (t, peer) = (l.transport, l.peer);
        let via = self.slots[usize::from(t.0)].local.via(&branch);
        let dialog = l.dialog.as_mut().ok_or(EdgeError::WrongState(leg, "the leg has no dialog yet"))?;
        let mut request = dialog.request(method, via);
        let h = request.headers_mut();
        for (name, value) in headers {
            let _ = h.push(name, value);
        }
        let _ = h.push("User-Agent", &self.config.user_agent);
        if !body.is_empty() {
            request.set_body(content_type, body);
        }
        let key = self.send(t, request, peer, now)?;
        self.client_keys.insert((t, key.clone()), (leg, purpose));
        Ok(key)
    }

    /// A final response to one of our in-dialog requests.
    pub(super) fn on_client_response(&mut self, leg: LegId, purpose: Purpose, response: &Response, now: Instant) {
        let status = response.status();
        if status.is_provisional() {
            return;
        }
        match purpose {
            Purpose::ReInvite => self.on_reinvite_response(leg, response, now),
            Purpose::Refer if !status.is_success() => {
                self.events.push_back(EdgeEvent::TransferRefused { leg, status });
            }
            // A BYE, NOTIFY or INFO answered 481/408 means the dialog is
            // gone (RFC 3261 §12.2.1.2).
            Purpose::Notify | Purpose::Info if matches!(status.as_u16(), 408 | 481) => {
                self.end(leg, EndCause::Timeout);
            }
            _ => {}
        }
    }

    fn on_reinvite_response(&mut self, leg: LegId, response: &Response, now: Instant) {
        let status = response.status();
        let Some(l) = self.legs.get_mut(&leg) else { return };
        let Reoffer::Sent { offer, refresh, .. } = std::mem::replace(&mut l.reoffer, Reoffer::Idle) else { return };
        if status.is_success() {
            let branch = self.ids.branch();
            let via = self.slots[usize::from(l.transport.0)].local.via(&branch);
            if let Some(dialog) = l.dialog.as_mut() {
                let _ = dialog.handle_response(response);
                let ack = dialog.ack(response.headers().cseq().seq, via);
                self.slots[usize::from(l.transport.0)].layer.send_stateless(Message::Request(ack.clone()), l.peer);
                l.last_ack = Some(ack);
            }
            if let Some(session) = l.session.as_mut() {
                session.restart(now);
            }
            let answer = (!response.body().is_empty()).then(|| response.body().to_vec());
            if !refresh {
                self.events.push_back(EdgeEvent::ReofferAnswered { leg, answer });
            }
            self.schedule(leg);
            return;
        }
        match status.as_u16() {
            491 => {
                // §14.1: the Call-ID owner waits 2.1–4 s, the other side 0–2 s.
                let owner = matches!(l.side, Side::Outgoing(_));
                let ms = if owner { 2_100 + self.ids.below(1_901) } else { self.ids.below(2_001) };
                l.glare_retry = Some((now + Duration::from_millis(ms), offer));
                self.schedule(leg);
            }
            408 | 481 => self.bye_and_end(leg, EndCause::Timeout, now),
            _ if refresh => {}
            _ => self.events.push_back(EdgeEvent::ReofferFailed { leg, status }),
        }
    }

    /// One of our in-dialog requests got no response at all.
    pub(super) fn on_client_failure(&mut self, leg: LegId, purpose: Purpose, cause: EndCause, now: Instant) {
        match purpose {
            Purpose::ReInvite | Purpose::Notify | Purpose::Info | Purpose::Refer => self.bye_and_end(leg, cause, now),
            Purpose::Bye | Purpose::Cancel => {}
        }
    }

    /// Sends BYE (when the leg has a dialog) and ends the leg.
    pub(super) fn bye_and_end(&mut self, leg: LegId, cause: EndCause, now: Instant) {
        if self.legs.get(&leg).is_some_and(|l| l.dialog.is_some()) {
            let _ = self.send_in_dialog(leg, Method::Bye, Purpose::Bye, None, &[], now);
        }
        self.end(leg, cause);
    }

    /// Fires the leg's due timers: a glare retry, a session refresh, or
    /// the session's expiry.
    pub(super) fn fire_leg_timers(&mut self, leg: LegId, now: Instant) {
        let Some(l) = self.legs.get_mut(&leg) else { return };
        if let Some((at, _)) = &l.glare_retry
            && *at <= now
            && let Some((_, offer)) = l.glare_retry.take()
        {
            let _ = self.send_reinvite(leg, offer, false, now);
        }
        let Some(l) = self.legs.get_mut(&leg) else { return };
        if let Some(session) = l.session
            && session.deadline() <= now
        {
            if session.we_refresh() {
                if matches!(l.reoffer, Reoffer::Idle) {
                    let sdp = l.local_sdp.clone();
                    let _ = self.send_reinvite(leg, sdp, true, now);
                }
                if let Some(s) = self.legs.get_mut(&leg).and_then(|l| l.session.as_mut()) {
                    s.restart(now);
                }
            } else {
                self.bye_and_end(leg, EndCause::SessionExpired, now);
                return;
            }
        }
        self.schedule(leg);
    }
}

/// The interval of a running timer, in seconds (for Session-Expires in
/// our refreshes).
fn session_interval_secs(session: &super::session_timer::SessionTimer) -> u64 {
    session.interval().as_secs()
}
