//! A registered contact and the flow it came over.

use std::net::SocketAddr;
use std::time::Instant;

use super::aor::Aor;
use crate::message::Address;

/// The transport a REGISTER arrived on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Transport {
    /// UDP.
    Udp,
    /// TCP.
    Tcp,
    /// TLS over TCP.
    Tls,
    /// WebSocket (RFC 7118).
    Ws,
    /// Secure WebSocket.
    Wss,
}

impl Transport {
    /// The lowercase name (`udp`, `tcp`, `tls`, `ws`, `wss`), as in a Via
    /// and in the model's device events.
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Udp => "udp",
            Transport::Tcp => "tcp",
            Transport::Tls => "tls",
            Transport::Ws => "ws",
            Transport::Wss => "wss",
        }
    }
}

/// The flow a REGISTER came over: later requests to the binding go back
/// the same way (RFC 5626 §5.2; a browser's Contact host is `*.invalid`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Flow {
    /// The REGISTER's source address.
    pub source: SocketAddr,
    /// Its transport.
    pub transport: Transport,
}

/// One contact bound to an address-of-record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The Contact as last registered (its `expires` parameter, if any,
    /// is the one asked for; use [`Binding::remaining_secs`]).
    pub contact: Address,
    /// When it expires unless refreshed.
    pub expires_at: Instant,
    /// The flow it was registered over.
    pub flow: Flow,
    /// `+sip.instance` (RFC 5626), quotes included as sent.
    pub instance: Option<String>,
    /// `reg-id` (RFC 5626).
    pub reg_id: Option<u32>,
    /// The Contact carried `;ob`: the UA wants requests over this flow.
    pub outbound: bool,
    /// Call-ID of the REGISTER that last set it (RFC 3261 §10.3 step 7).
    pub(crate) call_id: String,
    /// CSeq of the REGISTER that last set it.
    pub(crate) cseq: u32,
}

impl Binding {
    /// Whether `other` names the same binding: the same instance and
    /// reg-id for an outbound UA, otherwise the same contact URI.
    pub(crate) fn same_as(&self, instance: Option<&str>, reg_id: Option<u32>, uri: &str) -> bool {
        match (&self.instance, instance) {
            (Some(mine), Some(theirs)) => mine == theirs && self.reg_id == reg_id,
            _ => self.contact.uri().as_str() == uri,
        }
    }

    /// The Contact header value for a 200: URI and parameters, with
    /// `expires` set to the seconds left at `now`.
    pub fn contact_value(&self, now: Instant) -> String {
        let mut value = format!("<{}>", self.contact.uri());
        for (name, v) in self.contact.params().iter().filter(|(n, _)| !n.eq_ignore_ascii_case("expires")) {
            match v {
                Some(v) => value.push_str(&format!(";{name}={v}")),
                None => value.push_str(&format!(";{name}")),
            }
        }
        value.push_str(&format!(";expires={}", self.remaining_secs(now)));
        value
    }

    /// Seconds left at `now`, rounded down.
    pub fn remaining_secs(&self, now: Instant) -> u64 {
        self.expires_at.saturating_duration_since(now).as_secs()
    }
}

/// What the ACD needs to know about reachability. Each event names the
/// AOR and its parts: `domain` is the tenant's SIP domain and `user` the
/// agent's extension, so the edge can tell which agent is (un)reachable.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BindingEvent {
    /// A new contact was registered.
    Added {
        /// The address-of-record.
        aor: String,
        /// Its domain (the tenant).
        domain: String,
        /// Its user (the extension).
        user: String,
        /// The binding.
        binding: Binding,
    },
    /// An existing contact re-registered (new expiry, maybe a new flow).
    Refreshed {
        /// The address-of-record.
        aor: String,
        /// Its domain (the tenant).
        domain: String,
        /// Its user (the extension).
        user: String,
        /// The binding after the refresh.
        binding: Binding,
    },
    /// The UA un-registered the contact (`expires=0` or `*`).
    Removed {
        /// The address-of-record.
        aor: String,
        /// Its domain (the tenant).
        domain: String,
        /// Its user (the extension).
        user: String,
        /// The binding that was removed.
        binding: Binding,
    },
    /// The contact was not refreshed in time.
    Expired {
        /// The address-of-record.
        aor: String,
        /// Its domain (the tenant).
        domain: String,
        /// Its user (the extension).
        user: String,
        /// The binding that expired.
        binding: Binding,
    },
}

impl BindingEvent {
    /// The address-of-record.
    pub fn aor(&self) -> &str {
        self.parts().0
    }

    /// The AOR's domain: the tenant's SIP domain.
    pub fn domain(&self) -> &str {
        self.parts().1
    }

    /// The AOR's user: the agent's extension.
    pub fn user(&self) -> &str {
        self.parts().2
    }

    /// The binding added, refreshed, removed or expired.
    pub fn binding(&self) -> &Binding {
        self.parts().3
    }

    fn parts(&self) -> (&str, &str, &str, &Binding) {
        match self {
            BindingEvent::Added { aor, domain, user, binding }
            | BindingEvent::Refreshed { aor, domain, user, binding }
            | BindingEvent::Removed { aor, domain, user, binding }
            | BindingEvent::Expired { aor, domain, user, binding } => (aor, domain, user, binding),
        }
    }
}

/// Which change a [`BindingEvent`] reports.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Change {
    Added,
    Refreshed,
    Removed,
    Expired,
}

impl BindingEvent {
    /// The event for `change` of `binding` under `aor`.
    pub(crate) fn of(change: Change, aor: &Aor, binding: Binding) -> BindingEvent {
        let (aor, domain, user) = (aor.uri.clone(), aor.domain.clone(), aor.user.clone());
        match change {
            Change::Added => BindingEvent::Added { aor, domain, user, binding },
            Change::Refreshed => BindingEvent::Refreshed { aor, domain, user, binding },
            Change::Removed => BindingEvent::Removed { aor, domain, user, binding },
            Change::Expired => BindingEvent::Expired { aor, domain, user, binding },
        }
    }
}
