//! The engine's timers, named after what they end. All live in one heap; the
//! next deadline is its minimum. A timer that no longer applies is skipped
//! when it fires (each handler re-checks its condition), so nothing is ever
//! cancelled in place.

use model::CallId;

/// A named timer. Timers due at the same instant fire in the order of
/// these variants: first the three that let more agents take a call (so
/// calls whose eligibility grew are routed before any call-driven routing
/// at that instant could hand their agent to a lower-priority call), then
/// the rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Timer {
    /// A skill-expansion step starts for the call.
    SkillStep(CallId),
    /// The call's VIP floor relaxes.
    VipRelax(CallId),
    /// The call's sticky hold ends.
    StickyExpires(CallId),
    /// The call reached its queue's maximum wait.
    MaxWait(CallId),
    /// The offer rang out (RONA).
    RingTimeout {
        /// The call.
        call: CallId,
        /// The offer generation it belongs to.
        generation: u64,
    },
    /// The agent's wrap-up ends.
    WrapUpEnds {
        /// The agent's index.
        agent: usize,
    },
    /// Time to tell the caller their position again.
    Announce(CallId),
}
