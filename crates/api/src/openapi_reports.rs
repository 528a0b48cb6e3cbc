//! The OpenAPI description of the reports (`routes::reports`) and of the
//! tenant's own settings (`routes::tenant`).

use utoipa::openapi::HttpMethod;
use utoipa::openapi::path::{OperationBuilder, ParameterBuilder, ParameterIn, Paths};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{ContentBuilder, PathItem, RefOr, Required, ResponseBuilder, Schema};

use crate::openapi::{error, named, op, with_input};

fn param(name: &str, required: bool, description: &str) -> ParameterBuilder {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(if required { Required::True } else { Required::False })
        .description(Some(description))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
}

/// The range and filter parameters every report takes.
fn filtered(b: OperationBuilder) -> OperationBuilder {
    b.parameter(param("from", true, "Start of the range, RFC 3339 (included)"))
        .parameter(param("to", true, "End of the range, RFC 3339 (excluded); at most 400 days after `from`"))
        .parameter(param("time_zone", false, "IANA zone for local groups, weekdays and hours (default: the tenant's)"))
        .parameter(param("queue_ids", false, "Comma-separated queue ids"))
        .parameter(param("agent_ids", false, "Comma-separated agent ids (an agent may name only themselves)"))
        .parameter(param("vip_tiers", false, "Comma-separated VIP tiers, 0-3"))
        .parameter(param("number_ids", false, "Comma-separated entry number ids"))
        .parameter(param("weekdays", false, "Comma-separated local ISO weekdays, 1 = Monday"))
        .parameter(param("hours", false, "Comma-separated local hours, 0-23"))
        .response("400", error("A bad or unknown parameter, named in `fields`"))
}

fn grouped(b: OperationBuilder, splits: &str) -> OperationBuilder {
    filtered(b)
        .parameter(param("group", false, "total (default), 15m, 30m, 60m, day, week, month, weekday_hour"))
        .parameter(param("split", false, splits))
}

/// The service-level parameters.
fn sl(b: OperationBuilder) -> OperationBuilder {
    b.parameter(param("threshold_secs", false, "Answered within this many seconds (a rollup wait edge; 20)"))
        .parameter(param("target_pct", false, "The target in percent (80)"))
        .parameter(param("abandons", false, "counted (default), excluded or short_excluded"))
        .parameter(param("short_abandon_secs", false, "With short_excluded: the short-abandon limit (5)"))
}

/// The grouping parameter of the figure reports.
fn group(b: OperationBuilder) -> OperationBuilder {
    b.parameter(param("group", false, "total (default), 15m, 30m, 60m, day, week, month"))
}

/// Adds the report and tenant-settings routes.
pub(crate) fn add(paths: &mut Paths) {
    let get = || vec![HttpMethod::Get];
    let csv = ResponseBuilder::new()
        .description(
            "CSV (RFC 4180, header line, CRLF): every column of the CDR, in arrival order; empty for null, \
             times RFC 3339 UTC, lists joined by `;`. Streamed; a failure after the first rows truncates it.",
        )
        .content("text/csv", ContentBuilder::new().build())
        .build();
    let cdr = filtered(op("reports", "The raw CDR as CSV (an agent: the calls they answered)".into(), "200", None))
        .response("200", csv);
    paths.add_path_operation("/api/v1/reports/cdr.csv", get(), cdr.build());
    let realtime = op(
        "reports",
        "Live calls, agents and queue figures now (an agent: their own agent, calls and queues)".into(),
        "200",
        Some(named("LiveSnapshot")),
    )
    .parameter(param("format", false, "json (default) or csv (one table, see `table`)"))
    .parameter(param("table", false, "With format=csv: queues (default, the wallboard), agents or calls"))
    .response("503", error("The call layer is not running"));
    paths.add_path_operation("/api/v1/reports/realtime", get(), realtime.build());
    let quarter = "`from` and `to` must be on quarter hours (the rollups count 15-minute intervals).";
    let calls = grouped(
        op("reports", "Call counters summed per group (supervisor)".into(), "200", Some(named("CallCountersReport"))),
        "queue, vip_tier, number, ivr, business_hours, direction",
    )
    .description(Some(format!("The rollup sums the reports are computed from. {quarter}")));
    paths.add_path_operation("/api/v1/reports/counters/calls", get(), calls.build());
    let agents = grouped(
        op(
            "reports",
            "Agent counters summed per group and agent (an agent: their own)".into(),
            "200",
            Some(named("AgentCountersReport")),
        ),
        "queue",
    )
    .description(Some(format!("{quarter} An agent naming another agent gets 403.")));
    paths.add_path_operation("/api/v1/reports/counters/agents", get(), agents.build());

    let object = || -> RefOr<Schema> { ObjectBuilder::new().schema_type(Type::Object).into() };
    let mut figure =
        |path: &str, summary: &str, schema: RefOr<Schema>, params: fn(OperationBuilder) -> OperationBuilder| {
            let b = op("reports", summary.into(), "200", Some(schema)).parameter(param(
                "format",
                false,
                "json (default) or csv (the reports crate's table)",
            ));
            paths.add_path_operation(path, vec![HttpMethod::Get], params(filtered(b)).build());
        };
    figure(
        "/api/v1/reports/service-level",
        "Service level over the range and per group, with its formula (supervisor)",
        named("ServiceLevelReport"),
        |b| group(sl(b)),
    );
    figure(
        "/api/v1/reports/volume",
        "Offered, answered, unanswered; abandonment by stage; abandon times; outside hours (supervisor)",
        named("VolumeReportView"),
        group,
    );
    figure(
        "/api/v1/reports/heatmap",
        "Offered calls and service level by local weekday x hour (supervisor)",
        object(),
        sl,
    );
    figure(
        "/api/v1/reports/agents",
        "Per agent: calls, handling, survey, time by state and reason, occupancy (an agent: their own)",
        named("AgentReport"),
        |b| b,
    );
    figure(
        "/api/v1/reports/agents/ranking",
        "The team's ranking (an agent: the agents sharing a queue with them; no filter of their own)",
        object(),
        |b| b,
    );
    figure(
        "/api/v1/reports/callers",
        "First-attempt reach, repeat callers, first-contact resolution (supervisor)",
        named("CallerReport"),
        |b| {
            b.parameter(param(
                "period",
                false,
                "range (default) or day: a caller's first call of the range or of each local day",
            ))
            .parameter(param(
                "fcr_window_days",
                false,
                "The first-contact-resolution window, 1-90 days (7)",
            ))
        },
    );
    for (path, summary) in [
        (
            "/api/v1/reports/speed",
            "Speed of answer, wait percentiles, handling times; total and per group (supervisor)",
        ),
        ("/api/v1/reports/callbacks", "Callbacks offered, accepted, completed, time to callback (supervisor)"),
        ("/api/v1/reports/survey", "CSAT average and distribution, NPS (supervisor)"),
    ] {
        figure(path, summary, object(), group);
    }
    figure(
        "/api/v1/reports/ivr-vs-direct",
        "Calls via an IVR beside calls straight to a queue (supervisor)",
        object(),
        sl,
    );
    figure(
        "/api/v1/reports/ivr-paths",
        "IVR choices and exits per node (supervisor; weekday/hour filters only)",
        object(),
        |b| b,
    );
    figure(
        "/api/v1/reports/dispositions",
        "Dispositions of answered calls, most first (an agent: their own calls)",
        object(),
        |b| b,
    );
    let forecast_params = |b: OperationBuilder| {
        b.parameter(param("queue_id", true, "The queue"))
            .parameter(param("time_zone", false, "IANA zone (default: the tenant's)"))
            .parameter(param("history_days", false, "Complete local days of history before today, 28-400 (56)"))
            .parameter(param("month_start_days", false, "Month-start adjustment: first N days of a month"))
            .parameter(param("month_start_multiplier", false, "Month-start adjustment: multiplier"))
            .parameter(param("month_end_days", false, "Month-end adjustment: last N days of a month"))
            .parameter(param("month_end_multiplier", false, "Month-end adjustment: multiplier"))
            .parameter(param(
                "campaigns",
                false,
                "Campaign peaks: comma-separated name:first:last:multiplier (local dates, inclusive)",
            ))
            .parameter(param("format", false, "json (default) or csv"))
            .response("400", error("A bad or unknown parameter, named in `fields`"))
            .response("404", error("No such queue in your tenant"))
    };
    let forecast = forecast_params(op(
        "reports",
        "Calls per local half-hour for the next days and the agents needed by Erlang C (supervisor)".into(),
        "200",
        Some(object()),
    ))
    .parameter(param("days", false, "Days to forecast, 1-14 (7)"))
    .parameter(param("shrinkage_pct", false, "Shrinkage in percent (30)"))
    .parameter(param("aht_secs", false, "Average handle time (default: the history's)"))
    .parameter(param("threshold_secs", false, "Service-level threshold (default: the queue's)"))
    .parameter(param("target_pct", false, "Service-level target (default: the queue's)"));
    paths.add_path_operation("/api/v1/reports/forecast", get(), forecast.build());
    let backtest = forecast_params(op(
        "reports",
        "The forecast's error (MAPE, WAPE) on held-back weeks (supervisor)".into(),
        "200",
        Some(object()),
    ))
    .parameter(param("weeks", false, "Weeks held back (1)"));
    paths.add_path_operation("/api/v1/reports/forecast/backtest", get(), backtest.build());

    let show = op("tenant", "Your tenant and its settings (any role)".into(), "200", Some(named("TenantSettings")));
    let patch = with_input(
        op("tenant", "Change your tenant's settings: time zone (admin)".into(), "200", Some(named("TenantSettings"))),
        "TenantPatch",
    );
    let mut item = PathItem::new(HttpMethod::Get, show.build());
    item.patch = Some(patch.build());
    paths.paths.insert("/api/v1/tenant".into(), item);
}
