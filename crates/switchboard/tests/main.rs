//! The binary end to end: `demo` then `serve` against a real PostgreSQL, the
//! demo credentials work, and SIGTERM shuts down cleanly.

mod after_hours;
mod browser;
mod callback;
mod calls;
mod calls_carrier;
mod calls_hostile;
mod calls_ivr;
mod calls_queue;
mod carrier;
mod click_to_call;
mod history;
mod hold;
mod http;
mod live;
mod mobile;
mod netns;
mod phones;
mod queue_actions;
mod recording;
mod reload;
mod routing;
mod scenario;
mod serve;
mod supervise;
mod survey;
mod take_over;
mod transfer;
mod web_call;
mod web_controls;
mod web_softphone;
mod web_supervise;
mod web_transfers;
mod webrtc_agent;
