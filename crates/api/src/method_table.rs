//! Which methods each path has, read from the generated OpenAPI document, so a request with a
//! method its path does not have is answered 405 with `Allow` (and an unknown path 404). The
//! table comes from the same `#[utoipa::path]` declarations that route requests: it cannot
//! drift from them.

use crate::error::{problem_response, ApiError, ErrorCode};
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{web, HttpRequest, HttpResponse};

/// One path template of the spec, split into segments (`None` for a `{parameter}`), with its
/// methods.
#[derive(Debug, Clone)]
struct Template {
    segments: Vec<Option<String>>,
    methods: Vec<&'static str>,
}

/// The spec's paths and their methods.
#[derive(Debug, Clone, Default)]
pub struct MethodTable(Vec<Template>);

impl MethodTable {
    pub fn from_spec(spec: &utoipa::openapi::OpenApi) -> Self {
        let templates = spec
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let operations = [
                    ("GET", item.get.is_some()),
                    ("PUT", item.put.is_some()),
                    ("POST", item.post.is_some()),
                    ("DELETE", item.delete.is_some()),
                    ("OPTIONS", item.options.is_some()),
                    ("HEAD", item.head.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("TRACE", item.trace.is_some()),
                ];
                Template {
                    segments: path
                        .trim_start_matches('/')
                        .split('/')
                        .map(|s| (!s.starts_with('{')).then(|| s.to_owned()))
                        .collect(),
                    methods: operations
                        .into_iter()
                        .filter_map(|(method, present)| present.then_some(method))
                        .collect(),
                }
            })
            .collect();
        MethodTable(templates)
    }

    /// The methods of the path template that best matches `path` (the one with the most
    /// literal segments, so `/leads/duplicates` beats `/leads/{id}`), if any matches.
    pub fn allowed(&self, path: &str) -> Option<&[&'static str]> {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        self.0
            .iter()
            .filter(|t| {
                t.segments.len() == segments.len()
                    && t.segments.iter().zip(&segments).all(|(t, s)| match t {
                        Some(literal) => literal == s,
                        None => !s.is_empty(),
                    })
            })
            .max_by_key(|t| t.segments.iter().filter(|s| s.is_some()).count())
            .map(|t| t.methods.as_slice())
    }

    /// The answer to a request no route took: 405 with `Allow` when its path is known, else
    /// 404. Both are problem+json.
    pub fn answer(&self, req: &HttpRequest) -> HttpResponse {
        match self.allowed(req.path()) {
            Some(methods) if !methods.contains(&req.method().as_str()) => {
                let allow = methods.join(", ");
                let error = ApiError::new(
                    ErrorCode::MethodNotAllowed,
                    format!("{} is not allowed here; allowed: {allow}", req.method()),
                );
                let mut response = problem_response(&error);
                if let Ok(value) = header::HeaderValue::from_str(&allow) {
                    response.headers_mut().insert(header::ALLOW, value);
                }
                response
            }
            _ => problem_response(&ApiError::new(ErrorCode::NotFound, "no such endpoint")),
        }
    }
}

/// Answers 405 before routing when the path's best template lacks the method. Routing alone
/// would let `PATCH /leads/export.csv` reach `PATCH /leads/{id}` (with `export.csv` as the
/// id) and answer about its body, where the path plainly is the export, which has only GET.
pub async fn refuse_undeclared_methods<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    if let Some(table) = req.app_data::<web::Data<MethodTable>>() {
        let refused = table
            .allowed(req.path())
            .is_some_and(|methods| !methods.contains(&req.method().as_str()));
        if refused {
            let response = table.answer(req.request());
            return Ok(req.into_response(response).map_into_right_body());
        }
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

#[cfg(test)]
mod tests {
    use super::MethodTable;

    #[test]
    fn literal_paths_beat_parameters_and_unknown_paths_have_none() {
        let table = MethodTable::from_spec(&crate::openapi::spec());
        assert_eq!(
            table.allowed("/api/v1/leads/duplicates"),
            Some(&["GET"][..])
        );
        assert_eq!(
            table.allowed("/api/v1/leads/0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b"),
            Some(&["GET", "DELETE", "PATCH"][..])
        );
        assert_eq!(table.allowed("/api/v1/leads/"), None);
        assert_eq!(table.allowed("/api/v1/leads"), Some(&["GET", "POST"][..]));
        assert_eq!(table.allowed("/api/v1/nothing"), None);
        assert_eq!(table.allowed("/health/live"), Some(&["GET"][..]));
    }
}
