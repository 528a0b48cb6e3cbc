//! The store's tests, against a real PostgreSQL (the shared throwaway cluster).

mod cluster;
mod repo;
