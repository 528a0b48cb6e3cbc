//! Request extractors whose failures are JSON errors naming the field.

mod json;
mod path;
mod query;

pub use json::{JsonBody, UncheckedJson};
pub use path::Id;
pub use query::QueryParams;

use model::FieldError;

/// Turns a serde error at `path` into the field it is about and a reason.
/// Unknown and missing fields are named by their own path.
pub(crate) fn field_error(path: &str, message: &str) -> FieldError {
    let path = if path == "." { "" } else { path };
    let message = message.split(" at line ").next().unwrap_or(message);
    let named = ["unknown field `", "missing field `"]
        .iter()
        .find_map(|prefix| message.strip_prefix(prefix))
        .and_then(|rest| rest.split('`').next());
    // serde_path_to_error already ends the path with an unknown field's name,
    // but stops at the parent for a missing one.
    let field = match named {
        Some(name) if path.is_empty() => name.to_owned(),
        Some(name) if path != name && !path.ends_with(&format!(".{name}")) => format!("{path}.{name}"),
        _ => path.to_owned(),
    };
    FieldError { field, reason: message.to_owned() }
}
