//! `GET /api/v1/reports/cdr.csv?from&to[&filters]`: the raw CDR as CSV
//! (RFC 4180, a header line, CRLF line ends), streamed a page at a time in
//! arrival order so an export of millions of rows holds one page in memory.
//!
//! The first page is read before the response starts, so a bad filter or
//! an unavailable database is still a proper error status; a failure later
//! ends the stream early (the client sees a truncated body, and the server
//! logs it).

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use sqlx::PgPool;
use store::reports::Filter;
use store::reports::cdr_export::{self, COLUMNS, CdrRow, Cursor};

use super::params::{ReportParams, query_error};
use super::{narrow_to_agent, scope, tenant_zone};
use crate::auth::AnyRole;
use crate::error::ApiError;
use crate::extract::QueryParams;
use crate::state::AppState;

/// Rows per page (and per chunk of the body).
const PAGE: u32 = 2_000;

/// One CSV line of `fields`, quoted where needed, CRLF-terminated.
pub(crate) fn line(out: &mut String, fields: &[impl AsRef<str>]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let f = f.as_ref();
        if f.contains([',', '"', '\r', '\n']) {
            out.push('"');
            out.push_str(&f.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(f);
        }
    }
    out.push_str("\r\n");
}

fn chunk(rows: &[CdrRow], header: bool) -> Bytes {
    let mut out = String::new();
    if header {
        line(&mut out, &COLUMNS);
    }
    for row in rows {
        line(&mut out, &row.fields());
    }
    Bytes::from(out)
}

/// Where the stream is.
struct Export {
    pool: PgPool,
    filter: Filter,
    /// The next page starts after this; `None` once the last page is out.
    next: Option<Cursor>,
}

impl Export {
    async fn next_chunk(mut self) -> Option<(Result<Bytes, std::io::Error>, Export)> {
        let after = self.next.take()?;
        match cdr_export::page(&self.pool, &self.filter, Some(after), PAGE).await {
            Ok(rows) => {
                if rows.len() == PAGE as usize {
                    self.next = rows.last().map(CdrRow::cursor);
                }
                Some((Ok(chunk(&rows, false)), self))
            }
            Err(error) => {
                tracing::error!(%error, "CDR export failed after its first page");
                Some((Err(std::io::Error::other(error.to_string())), self))
            }
        }
    }
}

pub(super) async fn export(
    State(s): State<AppState>,
    AnyRole(c): AnyRole,
    QueryParams(p): QueryParams<ReportParams>,
) -> Result<Response, ApiError> {
    p.allow(&[])?;
    let who = scope(&s, &c).await?;
    let mut filter = p.filter(c.tenant_id, tenant_zone(&s, &c).await?)?;
    narrow_to_agent(who, &mut filter)?;
    let first = cdr_export::page(&s.pool, &filter, None, PAGE).await.map_err(query_error)?;
    let name = format!(
        "attachment; filename=\"cdr-{}-{}.csv\"",
        filter.range.start.format("%Y%m%dT%H%M%SZ"),
        filter.range.end.format("%Y%m%dT%H%M%SZ")
    );
    let next = if first.len() == PAGE as usize { first.last().map(CdrRow::cursor) } else { None };
    let head = chunk(&first, true);
    let rest = futures_util::stream::unfold(Export { pool: s.pool.clone(), filter, next }, Export::next_chunk);
    let body = futures_util::stream::once(async move { Ok::<_, std::io::Error>(head) });
    let body = Body::from_stream(futures_util::StreamExt::chain(body, rest));
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(v) = HeaderValue::from_str(&name) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}
