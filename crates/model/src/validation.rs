//! Validation of configuration objects, with errors that name the field.

use serde::Serialize;
use utoipa::ToSchema;

/// One invalid field: its JSON path (e.g. `skills[2].level`) and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// JSON path of the offending field.
    pub field: String,
    /// What is wrong with it, in plain words.
    pub reason: String,
}

/// Every invalid field found in one object.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ToSchema, thiserror::Error)]
#[error("invalid fields: {}", self.summary())]
pub struct FieldErrors {
    /// The invalid fields, in the order they were found.
    pub errors: Vec<FieldError>,
}

impl FieldErrors {
    /// Records that `field` is invalid because of `reason`.
    pub fn push(&mut self, field: impl Into<String>, reason: impl Into<String>) {
        self.errors.push(FieldError { field: field.into(), reason: reason.into() });
    }

    /// Whether no error was recorded.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// `Ok(())` when empty, otherwise the errors.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }

    fn summary(&self) -> String {
        self.errors.iter().map(|e| format!("{}: {}", e.field, e.reason)).collect::<Vec<_>>().join("; ")
    }
}

/// Joins a parent path and a child field name (`""` + `name` → `name`).
pub fn join(path: &str, field: &str) -> String {
    if path.is_empty() { field.to_owned() } else { format!("{path}.{field}") }
}

/// Joins a parent path and a list index (`skills` + 2 → `skills[2]`).
pub fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

/// A configuration object that can check itself.
pub trait Validate {
    /// Appends every problem found to `errors`, with paths under `path`.
    fn validate_into(&self, path: &str, errors: &mut FieldErrors);

    /// Checks the whole object, naming fields from the root.
    fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        self.validate_into("", &mut errors);
        errors.into_result()
    }
}

/// Checks that a required text field is present and not too long.
pub fn text(path: &str, value: &str, max: usize, errors: &mut FieldErrors) {
    if value.trim().is_empty() {
        errors.push(path, "must not be empty");
    } else if value.chars().count() > max {
        errors.push(path, format!("must be at most {max} characters"));
    }
}

/// Checks that a phone number is E.164 (`+` then 2–15 digits).
pub fn e164(path: &str, value: &str, errors: &mut FieldErrors) {
    let digits = value.strip_prefix('+').unwrap_or("");
    if digits.len() < 2 || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        errors.push(path, "must be an E.164 number such as +442071838750");
    }
}
