//! The ACD's tests: behaviours by name, the simulation against Erlang C, and
//! property tests over random command sequences.

mod blending;
mod lifecycle;
mod properties;
mod queueing;
mod robustness;
mod routing;
mod simulation;
mod strategies;
mod supervisor;
mod support;
