//! Switchboard's reports as pure functions: the store sums 15-minute rollup
//! rows into [`model::report`] counters, and this crate turns those sums
//! into the figures a contact-center manager reads (service level under a
//! stated formula, abandonment by stage, speed of answer, agent KPIs), and
//! forecasts calls and the agents needed to answer them (Erlang C from the
//! `acd` crate). No I/O, no clock: every input is a parameter.
