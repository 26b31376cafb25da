//! Prometheus metrics: requests by route and status and their latency (actix-web-prom), plus
//! the database pool's use, read when scraped.

use actix_web_prom::{PrometheusMetrics, PrometheusMetricsBuilder};
use ironfield_persistence::Db;
use prometheus::{IntGauge, Registry};

#[derive(Clone)]
pub struct Metrics {
    pub http: PrometheusMetrics,
    registry: Registry,
    pool_connections: IntGauge,
    pool_idle: IntGauge,
    pool_max: IntGauge,
}

impl Metrics {
    pub fn new() -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        let registry = Registry::new();
        let http = PrometheusMetricsBuilder::new("ironfield")
            .registry(registry.clone())
            // Unknown paths would otherwise each become a label value.
            .mask_unmatched_patterns("UNKNOWN")
            .exclude_regex("^/docs")
            .build()?;
        let gauge = |name: &str, help: &str| -> Result<IntGauge, prometheus::Error> {
            let gauge = IntGauge::new(name, help)?;
            registry.register(Box::new(gauge.clone()))?;
            Ok(gauge)
        };
        Ok(Self {
            pool_connections: gauge("ironfield_db_pool_connections", "Open database connections")?,
            pool_idle: gauge("ironfield_db_pool_idle", "Idle database connections")?,
            pool_max: gauge("ironfield_db_pool_max", "Largest size of the database pool")?,
            http,
            registry,
        })
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self, db: &Db) -> String {
        let stats = db.pool_stats();
        self.pool_connections.set(i64::from(stats.size));
        self.pool_idle.set(i64::from(stats.idle));
        self.pool_max.set(i64::from(stats.max));
        let encoder = prometheus::TextEncoder::new();
        encoder
            .encode_to_string(&self.registry.gather())
            .unwrap_or_default()
    }
}
