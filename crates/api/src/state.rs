//! The state shared by every handler.

use std::sync::{Arc, RwLock};

use sqlx::PgPool;
use store::WriterStatus;

use crate::auth::throttle::LoginThrottle;
use crate::call_control::CallControl;
use crate::config::ApiConfig;
use crate::live::LiveHub;
use crate::metrics::Metrics;

/// A function that reports the event writer's current state.
pub type WriterStatusFn = Arc<dyn Fn() -> WriterStatus + Send + Sync>;

/// Where `/readyz` and `/metrics` read the writer's status; empty until set.
#[derive(Clone, Default)]
pub struct WriterStatusSource(Arc<RwLock<Option<WriterStatusFn>>>);

impl WriterStatusSource {
    /// The writer's status now, or `None` when no writer is attached.
    pub fn get(&self) -> Option<WriterStatus> {
        let f = self.0.read().ok()?.clone()?;
        Some(f())
    }

    fn set(&self, f: WriterStatusFn) {
        if let Ok(mut slot) = self.0.write() {
            *slot = Some(f);
        }
    }
}

impl std::fmt::Debug for WriterStatusSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriterStatusSource").finish_non_exhaustive()
    }
}

/// Everything a handler needs: the pool, the settings, the metrics.
#[derive(Clone)]
pub struct AppState {
    pub(crate) pool: PgPool,
    pub(crate) config: Arc<ApiConfig>,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) writer: WriterStatusSource,
    pub(crate) logins: Arc<LoginThrottle>,
    pub(crate) calls: Option<Arc<dyn CallControl>>,
    pub(crate) live: Option<Arc<LiveHub>>,
}

impl AppState {
    /// State over a migrated database with these settings.
    pub fn new(pool: PgPool, config: ApiConfig) -> Self {
        let writer = WriterStatusSource::default();
        let metrics = Arc::new(Metrics::new(writer.clone()));
        let logins = Arc::new(LoginThrottle::new(config.login_max_failures, config.login_lockout));
        AppState { pool, config: Arc::new(config), metrics, writer, logins, calls: None, live: None }
    }

    /// Reports the event writer's status in `/readyz` and `/metrics`.
    pub fn with_writer_status(self, f: impl Fn() -> WriterStatus + Send + Sync + 'static) -> Self {
        self.writer.set(Arc::new(f));
        self
    }

    /// Plugs in the running call layer (agent log-in, states).
    pub fn with_call_control(mut self, calls: Arc<dyn CallControl>) -> Self {
        self.calls = Some(calls);
        self
    }

    /// Serves the live feed (`/api/v1/live`) from the event writer's bus.
    /// Starts the live hub's task: call it inside a tokio runtime.
    pub fn with_live_feed(mut self, bus: store::writer::EventBus) -> Self {
        self.live = Some(LiveHub::start(bus));
        self
    }

    /// The call layer, or 503 when none runs.
    pub(crate) fn call_control(&self) -> Result<&dyn CallControl, crate::ApiError> {
        self.calls.as_deref().ok_or_else(|| crate::ApiError::Unavailable("the call layer is not running".into()))
    }

    /// The database pool.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The settings.
    pub fn config(&self) -> &ApiConfig {
        &self.config
    }
}
