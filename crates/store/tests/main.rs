//! The store's tests, against a real PostgreSQL (the shared throwaway
//! cluster, or a dedicated one where a test stops the server).

mod bus;
mod cdr;
mod cluster;
mod journal;
mod no_loss;
mod repo;
mod reports;
mod rollup;
mod rollup_paths;
mod sip_accounts;
mod support;
mod writer;
