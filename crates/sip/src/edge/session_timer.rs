//! Session timers (RFC 4028): reading `Session-Expires`/`Min-SE`,
//! choosing the refresher, and the deadline each side keeps.

use std::time::{Duration, Instant};

use crate::message::Headers;

/// The `Session-Expires` of a message: interval and refresher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SessionExpires {
    /// The session interval in seconds.
    pub(crate) secs: u32,
    /// `refresher=uac` (Some(true)), `uas` (Some(false)), or absent.
    pub(crate) uac_refreshes: Option<bool>,
}

impl SessionExpires {
    /// Reads `Session-Expires` (compact `x`); `None` when absent or
    /// malformed (a malformed one is ignored: the session then has no timer).
    pub(crate) fn of(headers: &Headers) -> Option<SessionExpires> {
        let value = headers.get("Session-Expires").or_else(|| headers.get("x"))?;
        let mut parts = value.split(';').map(str::trim);
        let secs = parts.next()?.parse::<u32>().ok()?;
        let mut uac_refreshes = None;
        for part in parts {
            if let Some((name, value)) = part.split_once('=')
                && name.trim().eq_ignore_ascii_case("refresher")
            {
                uac_refreshes = match value.trim().to_ascii_lowercase().as_str() {
                    "uac" => Some(true),
                    "uas" => Some(false),
                    _ => None,
                };
            }
        }
        Some(SessionExpires { secs, uac_refreshes })
    }

    /// The header value.
    pub(crate) fn value(self) -> String {
        match self.uac_refreshes {
            Some(true) => format!("{};refresher=uac", self.secs),
            Some(false) => format!("{};refresher=uas", self.secs),
            None => self.secs.to_string(),
        }
    }
}

/// Whether `option` is listed in the header `name` (`Supported`,
/// `Require`; compact `k` for Supported).
pub(crate) fn lists(headers: &Headers, name: &str, option: &str) -> bool {
    let mut values = headers.get_all(name);
    if name.eq_ignore_ascii_case("Supported") {
        values.extend(headers.get_all("k"));
    }
    values.iter().flat_map(|v| v.split(',')).any(|o| o.trim().eq_ignore_ascii_case(option))
}

/// What the UAS side settled for a request asking for a session timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Negotiated {
    /// The Session-Expires to put in the 2xx.
    pub(crate) header: SessionExpires,
    /// Whether the 2xx needs `Require: timer` (the UAC supports it).
    pub(crate) require: bool,
}

/// The UAS's decision on a request's session timer (RFC 4028 §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UasDecision {
    /// No timer asked for.
    None,
    /// Answer 422 with our Min-SE.
    TooSmall,
    /// Run the timer as negotiated.
    Run(Negotiated),
}

/// Decides, as UAS, on the session timer of `request` with our `min_se`.
pub(crate) fn uas_decision(request: &Headers, min_se: u32) -> UasDecision {
    let Some(asked) = SessionExpires::of(request) else { return UasDecision::None };
    let uac_supports = lists(request, "Supported", "timer");
    if asked.secs < min_se {
        if uac_supports {
            return UasDecision::TooSmall;
        }
        // A proxy asked for it on behalf of a UAC that cannot do 422
        // retries: raise the interval instead.
        return UasDecision::Run(Negotiated {
            header: SessionExpires { secs: min_se, uac_refreshes: Some(false) },
            require: false,
        });
    }
    let uac_refreshes = if uac_supports { asked.uac_refreshes.unwrap_or(true) } else { false };
    UasDecision::Run(Negotiated {
        header: SessionExpires { secs: asked.secs, uac_refreshes: Some(uac_refreshes) },
        require: uac_supports,
    })
}

/// A running session timer: we either refresh at half the interval, or
/// watch for the peer's refresh and end the session when it is late.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SessionTimer {
    interval: Duration,
    we_refresh: bool,
    deadline: Instant,
}

impl SessionTimer {
    /// A timer for `secs`, started at `now` (the 2xx of the refresh).
    pub(crate) fn new(secs: u32, we_refresh: bool, now: Instant) -> SessionTimer {
        let interval = Duration::from_secs(u64::from(secs.max(1)));
        let mut timer = SessionTimer { interval, we_refresh, deadline: now };
        timer.restart(now);
        timer
    }

    /// A refresh happened at `now`: the interval starts again.
    pub(crate) fn restart(&mut self, now: Instant) {
        self.deadline = if self.we_refresh {
            now + self.interval / 2
        } else {
            // §10: BYE before expiry, min(32 s, interval / 3) ahead of it.
            now + self.interval - (self.interval / 3).min(Duration::from_secs(32))
        };
    }

    /// When the timer fires.
    pub(crate) fn deadline(&self) -> Instant {
        self.deadline
    }

    /// The session interval.
    pub(crate) fn interval(&self) -> Duration {
        self.interval
    }

    /// Whether firing means "send a refresh" (else: end the session).
    pub(crate) fn we_refresh(&self) -> bool {
        self.we_refresh
    }
}
