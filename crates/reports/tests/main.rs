//! The reports crate's tests: figures computed by hand beside the code's.
