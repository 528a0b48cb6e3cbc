//! The ACD's tests: behaviours by name, the simulation against Erlang C, and
//! property tests over random command sequences.

mod lifecycle;
mod strategies;
mod support;
