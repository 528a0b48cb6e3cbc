//! Prometheus metrics: HTTP requests by route and status, and the event
//! writer's state read at each scrape.

use std::time::Duration;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::state::WriterStatusSource;

/// Labels of the HTTP metrics.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    /// HTTP method.
    pub method: String,
    /// The matched route template (e.g. `/api/v1/queues/{id}`), or `unmatched`.
    pub route: String,
    /// Response status code.
    pub status: String,
}

/// The API's metric registry.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<HttpLabels, Counter>,
    latency: Family<HttpLabels, Histogram>,
}

fn latency_histogram() -> Histogram {
    // 1 ms to about 8 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 14))
}

impl Metrics {
    /// A registry with the HTTP metrics and a collector for the writer's status.
    pub fn new(writer: WriterStatusSource) -> Self {
        let mut registry = Registry::with_prefix("switchboard");
        let requests = Family::<HttpLabels, Counter>::default();
        let latency = Family::<HttpLabels, Histogram>::new_with_constructor(latency_histogram as fn() -> Histogram);
        registry.register("http_requests", "HTTP requests answered", requests.clone());
        registry.register("http_request_duration_seconds", "HTTP request latency", latency.clone());
        registry.register_collector(Box::new(WriterCollector(writer)));
        Metrics { registry, requests, latency }
    }

    /// Counts one answered request.
    pub fn observe(&self, labels: HttpLabels, elapsed: Duration) {
        self.latency.get_or_create(&labels).observe(elapsed.as_secs_f64());
        self.requests.get_or_create(&labels).inc();
    }

    /// The metrics in the Prometheus/OpenMetrics text format.
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

/// Reads the writer's status at scrape time.
#[derive(Debug)]
struct WriterCollector(WriterStatusSource);

fn gauge(encoder: &mut DescriptorEncoder, name: &str, help: &str, value: i64) -> Result<(), std::fmt::Error> {
    let g = ConstGauge::new(value);
    g.encode(encoder.encode_descriptor(name, help, None, g.metric_type())?)
}

fn counter(encoder: &mut DescriptorEncoder, name: &str, help: &str, value: u64) -> Result<(), std::fmt::Error> {
    let c = ConstCounter::new(value);
    c.encode(encoder.encode_descriptor(name, help, None, c.metric_type())?)
}

fn signed(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl Collector for WriterCollector {
    fn encode(&self, mut e: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let Some(s) = self.0.get() else { return Ok(()) };
        gauge(
            &mut e,
            "event_writer_database_reachable",
            "1 when the last write reached PostgreSQL",
            i64::from(s.database_reachable),
        )?;
        gauge(&mut e, "event_journal_events", "Events waiting in the local journal", signed(s.journal_events))?;
        gauge(&mut e, "event_journal_bytes", "Bytes the journal occupies", signed(s.journal_bytes))?;
        gauge(&mut e, "event_journal_limit_bytes", "The journal's size limit", signed(s.journal_limit_bytes))?;
        counter(&mut e, "events_acknowledged", "Events acknowledged since start", s.acknowledged_total)?;
        counter(&mut e, "events_written", "Events written to PostgreSQL since start", s.written_total)?;
        counter(&mut e, "events_journaled", "Events sent to the journal since start", s.journaled_total)?;
        counter(&mut e, "events_refused", "Events refused because the journal was full", s.refused_total)?;
        Ok(())
    }
}
