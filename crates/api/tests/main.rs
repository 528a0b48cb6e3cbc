//! The API's tests, against a real PostgreSQL (the shared throwaway cluster).

mod auth;
mod call_actions;
mod common;
mod crud;
mod events;
mod health;
mod isolation;
mod live;
mod live_projection;
mod report_events;
mod report_figures;
mod report_forecast;
mod reports;
mod roster;
mod sip_passwords;
mod softphone;
mod validation;
mod web_files;
