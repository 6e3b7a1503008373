//! Tollgate's edge worker. For now it answers `GET /v1/health`; the orders API arrives with
//! the worker issue.

use worker::*;

#[event(fetch)]
async fn fetch(req: Request, _env: Env, _ctx: Context) -> Result<Response> {
    match (req.method(), req.path().as_str()) {
        (Method::Get, "/v1/health") => Response::from_json(&serde_json::json!({"status": "ok"})),
        _ => {
            let body = shared::wire::ErrorBody::new("not_found", "no such route");
            Ok(Response::from_json(&body)?.with_status(404))
        }
    }
}
