//! The Erlang C formula: the probability that a caller waits, and the service
//! level, for `c` agents serving Poisson arrivals with exponential handle
//! times. The staffing forecast uses it; the simulation tests check the
//! engine against it.

/// Probability that an arriving caller has to wait (Erlang C), for
/// `agents` servers and offered load `traffic` = arrival rate × mean handle
/// time, in erlangs. Returns 1.0 when the load is at or above the number of
/// agents (the queue grows without bound) and 0.0 for no traffic.
///
/// Computed through the Erlang B recursion `B(k) = A·B(k−1) / (k + A·B(k−1))`,
/// which stays within `[0, 1]` and never forms a factorial or a power, so it
/// is stable for thousands of agents.
///
/// ```
/// let p = acd::erlang_c(2, 1.0);
/// assert!((p - 1.0 / 3.0).abs() < 1e-12);
/// ```
pub fn erlang_c(agents: u32, traffic: f64) -> f64 {
    if traffic <= 0.0 {
        return 0.0;
    }
    let c = f64::from(agents);
    if traffic >= c {
        return 1.0;
    }
    let b = erlang_b(agents, traffic);
    b / (1.0 - (traffic / c) * (1.0 - b))
}

/// Probability that a caller is blocked in a loss system (Erlang B), for
/// `agents` servers and offered load `traffic` erlangs.
pub fn erlang_b(agents: u32, traffic: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=agents {
        b = traffic * b / (f64::from(k) + traffic * b);
    }
    b
}

/// Service level: the probability that a caller waits at most `target`
/// seconds, for `agents` agents, arrival rate `arrivals_per_sec` and mean
/// handle time `handle_secs`.
/// `P(W ≤ t) = 1 − C · exp(−(c − A) · t / h)`.
pub fn service_level(agents: u32, arrivals_per_sec: f64, handle_secs: f64, target: f64) -> f64 {
    let traffic = arrivals_per_sec * handle_secs;
    if traffic >= f64::from(agents) {
        return 0.0;
    }
    let c = erlang_c(agents, traffic);
    1.0 - c * (-(f64::from(agents) - traffic) * target / handle_secs).exp()
}

/// Average speed of answer in seconds (mean wait over all callers).
pub fn average_speed_of_answer(agents: u32, arrivals_per_sec: f64, handle_secs: f64) -> f64 {
    let traffic = arrivals_per_sec * handle_secs;
    if traffic >= f64::from(agents) {
        return f64::INFINITY;
    }
    erlang_c(agents, traffic) * handle_secs / (f64::from(agents) - traffic)
}
