//! Errors from driving a transaction the wrong way.

/// A transaction user asked for something the state machine forbids.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransactionError {
    /// A final response was already sent; no other response may follow.
    #[error("a final response was already sent")]
    FinalAlreadySent,
    /// The transaction has ended.
    #[error("the transaction has terminated")]
    Terminated,
    /// The response or request does not belong to this transaction.
    #[error("the message does not match this transaction")]
    Mismatch,
    /// The layer holds as many transactions as it may.
    #[error("too many live transactions")]
    Overloaded,
}
