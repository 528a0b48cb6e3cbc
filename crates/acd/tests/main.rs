//! The ACD's tests: behaviours by name, the simulation against Erlang C, and
//! property tests over random command sequences.

mod blending;
mod lifecycle;
mod queueing;
mod routing;
mod strategies;
mod support;
