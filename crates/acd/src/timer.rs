//! The engine's timers, named after what they end. All live in one heap; the
//! next deadline is its minimum. A timer that no longer applies is skipped
//! when it fires (each handler re-checks its condition), so nothing is ever
//! cancelled in place.

use model::CallId;

/// A named timer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Timer {
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
    /// The call reached its queue's maximum wait.
    MaxWait(CallId),
    /// A skill-expansion step starts for the call.
    SkillStep(CallId),
    /// The call's VIP floor relaxes.
    VipRelax(CallId),
    /// The call's sticky hold ends.
    StickyExpires(CallId),
    /// Time to tell the caller their position again.
    Announce(CallId),
}
