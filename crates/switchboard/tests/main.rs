//! The binary end to end: `demo` then `serve` against a real PostgreSQL, the
//! demo credentials work, and SIGTERM shuts down cleanly.

mod calls;
mod calls_carrier;
mod calls_hostile;
mod calls_ivr;
mod calls_queue;
mod carrier;
mod hold;
mod http;
mod live;
mod phones;
mod scenario;
mod serve;
mod supervise;
