//! The call layer's side of a running edge: commands over a bounded
//! channel, each answered through a oneshot.

use tokio::sync::{mpsc, oneshot};

use crate::edge::{Directory, EdgeError, LegId, Originate, Target};
use crate::message::{StatusCode, Uri};
use crate::registrar::{CredentialStore, Transport};

/// One leg command and where its result goes.
pub(crate) enum Command {
    Originate(Originate, oneshot::Sender<Result<LegId, EdgeError>>),
    Ring(LegId, Option<Vec<u8>>, Reply),
    Answer(LegId, Vec<u8>, Reply),
    Reject(LegId, StatusCode, Reply),
    Hangup(LegId, Reply),
    Reinvite(LegId, Option<Vec<u8>>, Reply),
    AcceptReoffer(LegId, Vec<u8>, Reply),
    RejectReoffer(LegId, StatusCode, Reply),
    Refer(LegId, Uri, Reply),
    NotifyRefer(LegId, StatusCode, Reply),
    Targets(String, oneshot::Sender<Vec<Target>>),
    TargetsWithTransport(String, oneshot::Sender<Vec<(Target, Transport)>>),
    TrunkAttempts(Vec<crate::trunk::Outbound>, String, oneshot::Sender<Vec<Vec<Target>>>),
    SetDirectory(Box<dyn Directory + Send>),
    SetCredentials(Box<dyn CredentialStore + Send>),
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self {
            Command::Originate(..) => "Originate",
            Command::Ring(..) => "Ring",
            Command::Answer(..) => "Answer",
            Command::Reject(..) => "Reject",
            Command::Hangup(..) => "Hangup",
            Command::Reinvite(..) => "Reinvite",
            Command::AcceptReoffer(..) => "AcceptReoffer",
            Command::RejectReoffer(..) => "RejectReoffer",
            Command::Refer(..) => "Refer",
            Command::NotifyRefer(..) => "NotifyRefer",
            Command::Targets(..) => "Targets",
            Command::TargetsWithTransport(..) => "TargetsWithTransport",
            Command::TrunkAttempts(..) => "TrunkAttempts",
            Command::SetDirectory(..) => "SetDirectory",
            Command::SetCredentials(..) => "SetCredentials",
        };
        f.write_str(name)
    }
}

type Reply = oneshot::Sender<Result<(), EdgeError>>;

/// Why a command did not reach the edge or got no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HandleError {
    /// The edge refused the command.
    #[error(transparent)]
    Edge(#[from] EdgeError),
    /// The edge task has stopped.
    #[error("the SIP edge has stopped")]
    Stopped,
}

/// Drives the legs of a running edge. Cheap to clone. Commands wait when
/// the edge's command queue is full (the edge is the bottleneck; the
/// caller slows down instead of memory growing).
#[derive(Debug, Clone)]
pub struct EdgeHandle {
    pub(crate) commands: mpsc::Sender<Command>,
}

impl EdgeHandle {
    async fn call<T>(&self, make: impl FnOnce(oneshot::Sender<T>) -> Command) -> Result<T, HandleError> {
        let (tx, rx) = oneshot::channel();
        self.commands.send(make(tx)).await.map_err(|_| HandleError::Stopped)?;
        rx.await.map_err(|_| HandleError::Stopped)
    }

    /// Places an outgoing leg (see [`Originate`]).
    pub async fn originate(&self, plan: Originate) -> Result<LegId, HandleError> {
        Ok(self.call(|tx| Command::Originate(plan, tx)).await??)
    }

    /// 180, or 183 with early-media SDP.
    pub async fn ring(&self, leg: LegId, early_media: Option<Vec<u8>>) -> Result<(), HandleError> {
        Ok(self.call(|tx| Command::Ring(leg, early_media, tx)).await??)
    }

    /// 200 with the SDP answer.
    pub async fn answer(&self, leg: LegId, sdp: Vec<u8>) -> Result<(), HandleError> {
        Ok(self.call(|tx| Command::Answer(leg, sdp, tx)).await??)
    }

    /// A final non-2xx to an incoming leg.
    pub async fn reject(&self, leg: LegId, status: StatusCode) -> Result<(), HandleError> {
        Ok(self.call(|tx| Command::Reject(leg, status, tx)).await??)
    }

    /// BYE, CANCEL or 480, whichever ends the leg.
    pub async fn hangup(&self, leg: LegId) -> Result<(), HandleError> {
        Ok(self.call(|tx| Command::Hangup(leg, tx)).await??)
    }

    /// A re-INVITE with a new offer (hold, resume).
    pub async fn reinvite(&self, leg: LegId, offer: Option<Vec<u8>>) -> Result<(), HandleError> {
        Ok(self.call(|tx| Command::Reinvite(leg, offer, tx)).await??)
    }

    /// Answers the peer's re-INVITE or UPDATE.
    pub async fn accept_reoffer(&self, leg: LegId, sdp: Vec<u8>) -> Result<(), HandleError> {
        Ok(self.call(|tx| Command::AcceptReoffer(leg, sdp, tx)).await??)
    }

    /// Refuses the peer's re-INVITE or UPDATE.
    pub async fn reject_reoffer(&self, leg: LegId, status: StatusCode) -> Result<(), HandleError> {
        Ok(self.call(|tx| Command::RejectReoffer(leg, status, tx)).await??)
    }

    /// REFER the peer to `target` (blind transfer).
    pub async fn refer(&self, leg: LegId, target: Uri) -> Result<(), HandleError> {
        Ok(self.call(|tx| Command::Refer(leg, target, tx)).await??)
    }

    /// Reports a transfer's progress to the peer that asked for it.
    pub async fn notify_refer(&self, leg: LegId, status: StatusCode) -> Result<(), HandleError> {
        Ok(self.call(|tx| Command::NotifyRefer(leg, status, tx)).await??)
    }

    /// Replaces how new calls are admitted (trunks or numbers changed).
    pub async fn set_directory(&self, directory: Box<dyn Directory + Send>) -> Result<(), HandleError> {
        self.commands.send(Command::SetDirectory(directory)).await.map_err(|_| HandleError::Stopped)
    }

    /// Replaces the registrar's accounts (agents' SIP passwords changed).
    pub async fn set_credentials(&self, credentials: Box<dyn CredentialStore + Send>) -> Result<(), HandleError> {
        self.commands.send(Command::SetCredentials(credentials)).await.map_err(|_| HandleError::Stopped)
    }

    /// The targets reaching every registered contact of `aor`.
    pub async fn targets_for(&self, aor: &str) -> Result<Vec<Target>, HandleError> {
        self.call(|tx| Command::Targets(aor.to_owned(), tx)).await
    }

    /// The targets reaching every registered contact of `aor`, each with
    /// the kind of transport (UDP, TCP, TLS, WS, WSS) it registered over.
    pub async fn targets_with_transport(&self, aor: &str) -> Result<Vec<(Target, Transport)>, HandleError> {
        self.call(|tx| Command::TargetsWithTransport(aor.to_owned(), tx)).await
    }

    /// The attempts that place a call to `number` through `trunks` (in the
    /// order given: failover), one per trunk the edge can reach.
    pub async fn trunk_attempts(
        &self,
        trunks: Vec<crate::trunk::Outbound>,
        number: &str,
    ) -> Result<Vec<Vec<Target>>, HandleError> {
        self.call(|tx| Command::TrunkAttempts(trunks, number.to_owned(), tx)).await
    }
}
