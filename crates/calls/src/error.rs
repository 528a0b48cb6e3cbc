//! What the call layer refuses or fails at.

/// An error of the call layer's shell.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CallsError {
    /// The tenant's ACD refused the command.
    #[error(transparent)]
    Acd(#[from] acd::AcdError),
    /// The tenant's ACD task has stopped.
    #[error("the ACD has stopped")]
    AcdStopped,
    /// No such tenant (or it has no ACD yet).
    #[error("unknown tenant")]
    UnknownTenant,
    /// No such agent in the tenant.
    #[error("unknown agent")]
    UnknownAgent,
    /// The agent has no device registered, or no address to ring.
    #[error("the agent cannot be reached")]
    Unreachable,
    /// The SIP edge refused or has stopped.
    #[error("SIP edge: {0}")]
    Edge(#[from] sip::runner::HandleError),
    /// The media engine refused or the call's media has ended.
    #[error(transparent)]
    Media(#[from] media::shard::MediaError),
    /// The SDP could not be negotiated (the SIP answer is a 488).
    #[error(transparent)]
    OfferAnswer(#[from] media::offer_answer::OfferAnswerError),
    /// The SDP does not parse.
    #[error(transparent)]
    Sdp(#[from] media::sdp::SdpError),
}
