//! The change feed: business events in commit order, for tools that prefer pulling.

mod feed;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(feed::list_events);
}
