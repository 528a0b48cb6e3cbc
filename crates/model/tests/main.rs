//! The model's tests: validation names fields, serde forms are stable.

mod cdr;
mod cdr_reports;
mod events;
mod hours;
mod ivr;
mod roster;
mod sip;
mod validation;
