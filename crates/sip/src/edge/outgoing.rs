//! Outgoing legs: forking to every target of an attempt, the first 2xx
//! winning (the others CANCELled, a late 2xx ACKed and hung up), and
//! failover to the next attempt on 5xx, 408, timeout or transport error.

use std::time::Instant;

use super::leg::{Branch, Leg, Outgoing, Purpose, Side};
use super::originate::Originate;
use super::session_timer::{SessionExpires, SessionTimer};
use super::{Edge, EdgeError, EdgeEvent, EndCause, LegId, SUPPORTED, TransportId};
use crate::dialog::{Dialog, DialogId};
use crate::message::{CSeq, Headers, Method, Request, Response, StatusCode};
use crate::transaction::TransactionKey;

impl Edge {
    /// Places an outgoing leg. Events follow: `Progress`, then
    /// `Answered` or `Ended`.
    pub fn originate(&mut self, plan: Originate, now: Instant) -> Result<LegId, EdgeError> {
        let first = plan.attempts.first().ok_or(EdgeError::BadOriginate("no attempt"))?;
        let Some(target) = first.first() else { return Err(EdgeError::BadOriginate("an attempt without target")) };
        if plan.attempts.iter().flatten().any(|t| usize::from(t.transport.0) >= self.slots.len()) {
            return Err(EdgeError::BadOriginate("unknown transport"));
        }
        let host = self.slots[usize::from(target.transport.0)].local.host.clone();
        let (transport, peer) = (target.transport, target.destination);
        let outgoing = Outgoing {
            plan,
            attempt: 0,
            call_id: self.ids.call_id(&host),
            from_tag: self.ids.tag(),
            cseq: 1,
            live_branches: 0,
            best: None,
            network_failure: None,
            answered: false,
        };
        let leg = self.new_leg_id();
        self.legs.insert(leg, Leg::new(transport, peer, Side::Outgoing(outgoing)));
        self.start_attempt(leg, now);
        Ok(leg)
    }

    /// Sends the INVITEs of the leg's current attempt; ends the leg when
    /// none could be sent and no attempt is left.
    fn start_attempt(&mut self, leg: LegId, now: Instant) {
        loop {
            let Some(invites) = self.attempt_invites(leg) else { return };
            let mut sent = 0;
            for (target, invite) in invites {
                let destination = target.destination;
                if let Ok(key) = self.send(target.transport, invite.clone(), destination, now) {
                    let branch = Branch {
                        leg: Some(leg),
                        invite,
                        destination,
                        provisional: false,
                        cancel: false,
                        cancel_sent: false,
                        credentials: target.credentials,
                        authenticated: false,
                    };
                    self.branches.insert((target.transport, key), branch);
                    sent += 1;
                }
            }
            let Some(Leg { side: Side::Outgoing(o), .. }) = self.legs.get_mut(&leg) else { return };
            o.live_branches = sent;
            if sent > 0 {
                return;
            }
            o.network_failure = Some(EndCause::TransportError);
            if !self.next_attempt(leg) {
                self.end(leg, EndCause::TransportError);
                return;
            }
        }
    }

    /// The INVITEs of the current attempt, one per target.
    fn attempt_invites(&mut self, leg: LegId) -> Option<Vec<(super::Target, Request)>> {
        let Leg { side: Side::Outgoing(o), .. } = self.legs.get(&leg)? else { return None };
        let targets = o.plan.attempts.get(o.attempt)?.clone();
        let mut out = Vec::with_capacity(targets.len());
        for target in targets {
            let branch = self.ids.branch();
            let Some(Leg { side: Side::Outgoing(o), .. }) = self.legs.get(&leg) else { return None };
            let local = &self.slots[usize::from(target.transport.0)].local;
            let mut from = o.plan.from.clone();
            from.set_tag(&o.from_tag);
            let cseq = CSeq { seq: o.cseq, method: Method::Invite };
            let headers = Headers::new(local.via(&branch), from, o.plan.to.clone(), &o.call_id, cseq);
            let mut invite = Request::new(Method::Invite, target.uri.clone(), headers);
            let h = invite.headers_mut();
            let _ = h.push("Contact", &local.contact(&self.config.contact_user));
            let _ = h.push("Allow", super::ALLOW);
            let _ = h.push("Supported", SUPPORTED);
            let _ = h.push("User-Agent", &self.config.user_agent);
            for (name, value) in &o.plan.headers {
                let _ = h.push(name, value);
            }
            if let Some(offer) = &o.plan.offer {
                invite.set_body("application/sdp", offer.clone());
            }
            out.push((target, invite));
        }
        Some(out)
    }

    /// Moves the leg to its next attempt; `false` when there is none.
    fn next_attempt(&mut self, leg: LegId) -> bool {
        let Some(Leg { side: Side::Outgoing(o), .. }) = self.legs.get_mut(&leg) else { return false };
        if o.attempt + 1 >= o.plan.attempts.len() {
            return false;
        }
        o.attempt += 1;
        o.cseq += 1;
        o.best = None;
        o.network_failure = None;
        true
    }

    /// A response for one of our client transactions.
    pub(super) fn on_response(&mut self, t: TransportId, key: TransactionKey, response: Response, now: Instant) {
        let index = (t, key);
        if self.branches.contains_key(&index) {
            self.on_branch_response(index, response, now);
        } else if let Some((leg, purpose)) = self.client_keys.get(&index).copied() {
            self.on_client_response(leg, purpose, &response, now);
        }
    }

    fn on_branch_response(&mut self, index: (TransportId, TransactionKey), response: Response, now: Instant) {
        let status = response.status();
        if status.is_provisional() {
            self.on_branch_provisional(&index, &response, now);
        } else if status.is_success() {
            self.on_branch_success(index, response, now);
        } else if !self.answer_challenge(&index, &response, now) {
            self.on_branch_failure(index, Some(status), None, now);
        }
    }

    fn on_branch_provisional(&mut self, index: &(TransportId, TransactionKey), response: &Response, now: Instant) {
        let Some(branch) = self.branches.get_mut(index) else { return };
        branch.provisional = true;
        let leg = branch.leg;
        if branch.cancel && !branch.cancel_sent {
            self.send_cancel(index, now);
        }
        let status = response.status();
        if let Some(leg) = leg
            && status.as_u16() > 100
        {
            let early_media = (!response.body().is_empty()).then(|| response.body().to_vec());
            self.events.push_back(EdgeEvent::Progress { leg, status, early_media });
        }
    }

    /// A 2xx on a branch: the first one wins the leg; any other is
    /// acknowledged and hung up at once (RFC 3261 §13.2.2.4).
    fn on_branch_success(&mut self, index: (TransportId, TransactionKey), response: Response, now: Instant) {
        let Some(branch) = self.branches.get(&index) else { return };
        let Ok(mut dialog) = Dialog::for_uac(&branch.invite, &response) else {
            // A 2xx without a usable Contact cannot make a dialog.
            self.on_branch_failure(index, Some(StatusCode::BAD_GATEWAY), None, now);
            return;
        };
        let Some(branch) = self.branches.remove(&index) else { return };
        let (t, destination) = (index.0, branch.destination);
        let via = self.slots[usize::from(t.0)].local.via(&self.ids.branch());
        let ack = dialog.ack(branch.invite.headers().cseq().seq, via);
        self.slots[usize::from(t.0)].layer.send_stateless(crate::message::Message::Request(ack.clone()), destination);
        let winner = branch.leg.filter(|leg| self.legs.get(leg).is_some_and(|l| !l.is_answered()));
        let Some(leg) = winner else {
            let via = self.slots[usize::from(t.0)].local.via(&self.ids.branch());
            let bye = dialog.request(Method::Bye, via);
            let _ = self.send(t, bye, destination, now);
            return;
        };
        self.cancel_branches(leg, now);
        let session = SessionExpires::of(response.headers());
        let Some(l) = self.legs.get_mut(&leg) else { return };
        if let Side::Outgoing(o) = &mut l.side {
            o.answered = true;
        }
        l.transport = t;
        l.peer = destination;
        l.local_sdp = (!branch.invite.body().is_empty()).then(|| branch.invite.body().to_vec());
        l.last_ack = Some(ack);
        if let Some(se) = session {
            // We are the UAC: we refresh unless the UAS took it on.
            l.session = Some(SessionTimer::new(se.secs, se.uac_refreshes != Some(false), now));
        }
        self.dialogs.insert(dialog.id().clone(), leg);
        l.dialog = Some(dialog);
        let answer = (!response.body().is_empty()).then(|| response.body().to_vec());
        self.events.push_back(EdgeEvent::Answered { leg, answer });
        self.schedule(leg);
    }

    /// A branch failed: a final non-2xx (`status`) or no response at all
    /// (`cause`). When it was the attempt's last, fail over or end.
    pub(super) fn on_branch_failure(
        &mut self,
        index: (TransportId, TransactionKey),
        status: Option<StatusCode>,
        cause: Option<EndCause>,
        now: Instant,
    ) {
        let Some(branch) = self.branches.remove(&index) else { return };
        let Some(leg) = branch.leg else { return };
        let Some(Leg { side: Side::Outgoing(o), .. }) = self.legs.get_mut(&leg) else { return };
        if o.answered {
            return;
        }
        o.live_branches = o.live_branches.saturating_sub(1);
        if let Some(status) = status {
            o.best = Some(better(o.best, status));
        }
        if let Some(cause) = cause {
            o.network_failure.get_or_insert(cause);
        }
        if o.live_branches > 0 {
            return;
        }
        let may_fail_over = match o.best {
            Some(best) => best.as_u16() == 408 || (500..600).contains(&best.as_u16()),
            None => true,
        };
        let cause = match (o.best, o.network_failure) {
            (Some(best), _) => EndCause::Rejected(best),
            (None, Some(cause)) => cause,
            (None, None) => EndCause::Timeout,
        };
        if may_fail_over && self.next_attempt(leg) {
            self.start_attempt(leg, now);
        } else {
            self.end(leg, cause);
        }
    }

    /// Sends a challenged INVITE again with the answer (once per branch,
    /// RFC 3261 §22.2: same Call-ID and tags, CSeq + 1, a new branch);
    /// `false` when it cannot be answered (no credentials, already
    /// answered, not a 401/407, no usable challenge).
    fn answer_challenge(&mut self, index: &(TransportId, TransactionKey), response: &Response, now: Instant) -> bool {
        let Some(kind) = crate::auth::ChallengeKind::from_status(response.status().as_u16()) else { return false };
        let Some(branch) = self.branches.get(index) else { return false };
        let (Some(credentials), false, Some(_)) = (&branch.credentials, branch.authenticated, branch.leg) else {
            return false;
        };
        let values = response.headers().get_all(kind.challenge_header());
        let secret = crate::auth::ClientSecret::Password(credentials.password.clone());
        let seed = self.ids.branch();
        let mut client = crate::auth::DigestClient::new(&credentials.username, secret, seed.as_bytes());
        let uri = branch.invite.uri().to_string();
        let Ok(answer) = client.answer(&values, "INVITE", &uri) else { return false };
        let Some(mut branch) = self.branches.remove(index) else { return false };
        let t = index.0;
        let mut invite = branch.invite.clone();
        let seq = invite.headers().cseq().seq + 1;
        let via = self.slots[usize::from(t.0)].local.via(&self.ids.branch());
        invite.headers_mut().replace_top_via(via);
        invite.headers_mut().set_cseq(CSeq { seq, method: Method::Invite });
        let _ = invite.headers_mut().remove(kind.answer_header());
        let _ = invite.headers_mut().push(kind.answer_header(), &answer);
        match self.send(t, invite.clone(), branch.destination, now) {
            Ok(key) => {
                branch.invite = invite;
                branch.authenticated = true;
                branch.provisional = false;
                self.branches.insert((t, key), branch);
                true
            }
            Err(_) => {
                self.branches.insert(index.clone(), branch);
                false
            }
        }
    }

    /// Marks every live branch of `leg` for CANCEL and sends the CANCELs
    /// that may go now (after a provisional, §9.1); the branches no longer
    /// belong to the leg.
    pub(super) fn cancel_branches(&mut self, leg: LegId, now: Instant) {
        let mine: Vec<_> = self.branches.iter().filter(|(_, b)| b.leg == Some(leg)).map(|(k, _)| k.clone()).collect();
        for index in mine {
            let Some(branch) = self.branches.get_mut(&index) else { continue };
            branch.leg = None;
            branch.cancel = true;
            if branch.provisional && !branch.cancel_sent {
                self.send_cancel(&index, now);
            }
        }
    }

    fn send_cancel(&mut self, index: &(TransportId, TransactionKey), now: Instant) {
        let Some(branch) = self.branches.get_mut(index) else { return };
        branch.cancel_sent = true;
        let (cancel, destination) = (branch.invite.cancel(), branch.destination);
        if let Ok(key) = self.send(index.0, cancel, destination, now) {
            self.client_keys.insert((index.0, key), (LegId(0), Purpose::Cancel));
        }
    }

    /// A response no transaction took: a retransmitted 2xx to an INVITE
    /// of ours, whose ACK is sent again.
    pub(super) fn on_stray_response(&mut self, response: &Response) {
        if !response.status().is_success() || response.headers().cseq().method != Method::Invite {
            return;
        }
        let Some(id) = DialogId::of_received_response(response) else { return };
        let Some(leg) = self.dialogs.get(&id).copied() else { return };
        let Some(l) = self.legs.get(&leg) else { return };
        if let Some(ack) = &l.last_ack
            && ack.headers().cseq().seq == response.headers().cseq().seq
        {
            let (t, peer, ack) = (l.transport, l.peer, ack.clone());
            self.slots[usize::from(t.0)].layer.send_stateless(crate::message::Message::Request(ack), peer);
        }
    }
}

/// The better of two final statuses to report when every branch failed
/// (RFC 3261 §16.7 step 6: 6xx first, then the lowest class, 503 → 500).
fn better(current: Option<StatusCode>, new: StatusCode) -> StatusCode {
    let rank = |s: StatusCode| {
        let code = s.as_u16();
        let class = code / 100;
        let class_rank = if class == 6 { 0 } else { class };
        // Among 4xx, prefer the informative ones over 408.
        (class_rank, u16::from(code == 408 || code == 503), code)
    };
    match current {
        Some(current) if rank(current) <= rank(new) => current,
        _ => new,
    }
}
