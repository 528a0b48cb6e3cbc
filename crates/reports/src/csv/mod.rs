//! CSV output: every report type is a table (a header row and rows), and
//! [`to_csv`] writes it as RFC 4180 CSV (CRLF line ends; a field with a
//! comma, quote or line break is quoted, quotes doubled) with the `csv`
//! crate. Reports with mixed figures are written long: one row per figure.
//! A missing figure (no denominator) is an empty field.

mod calls;
mod people;
mod planning;

use crate::ReportError;
use crate::time::Group;

/// A report as a table.
pub trait CsvTable {
    /// The column names.
    fn header() -> Vec<&'static str>;
    /// The rows, each as long as the header.
    fn rows(&self) -> Vec<Vec<String>>;
}

/// `t` as CSV text, header first.
pub fn to_csv<T: CsvTable>(t: &T) -> Result<String, ReportError> {
    let mut w = ::csv::WriterBuilder::new().terminator(::csv::Terminator::CRLF).from_writer(Vec::new());
    let err = |e: ::csv::Error| ReportError::Csv(e.to_string());
    w.write_record(T::header()).map_err(err)?;
    for row in t.rows() {
        w.write_record(&row).map_err(err)?;
    }
    let bytes = w.into_inner().map_err(|e| ReportError::Csv(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| ReportError::Csv(e.to_string()))
}

/// A grouped report: the group's start (RFC 3339) before each row of its
/// figure.
impl<T: CsvTable> CsvTable for Vec<Group<T>> {
    fn header() -> Vec<&'static str> {
        let mut h = vec!["group_start"];
        h.extend(T::header());
        h
    }

    fn rows(&self) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        for g in self {
            for row in g.value.rows() {
                let mut r = vec![g.start.to_rfc3339()];
                r.extend(row);
                out.push(r);
            }
        }
        out
    }
}

/// A number as a field; `None` is empty.
pub(crate) fn opt(v: Option<f64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// A value as a field.
pub(crate) fn s<T: ToString>(v: T) -> String {
    v.to_string()
}
