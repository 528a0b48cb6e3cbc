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
    /// The call is not connected to an agent (nothing to supervise).
    #[error("the call is not connected to an agent")]
    NotConnected,
    /// Another supervisor is already on the call.
    #[error("another supervisor is on the call")]
    Supervised,
    /// The supervisor is not on the call.
    #[error("you are not supervising this call")]
    NotSupervising,
    /// The agent has no answered call to file a disposition for.
    #[error("you have no call to wrap up")]
    NoCallToWrapUp,
    /// The agent's call is still going on.
    #[error("your call is still going on")]
    CallStillLive,
    /// No such live call in the tenant.
    #[error("no such live call")]
    UnknownCall,
    /// No call is ringing at the agent.
    #[error("no call is offered to you")]
    NoOffer,
    /// The call is another agent's.
    #[error("the call is not yours")]
    NotYourCall,
    /// No such queue in the tenant.
    #[error("unknown queue")]
    UnknownQueue,
    /// The tenant has no trunk to dial out through.
    #[error("the tenant has no trunk for outbound calls")]
    NoTrunk,
    /// A number to dial is not an E.164 number or digits.
    #[error("not a number to dial: {0:?}")]
    BadNumber(String),
    /// The call layer refused for the reason given.
    #[error("{0}")]
    Refused(String),
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
