//! Bencode, as rtpengine's ng control protocol carries it: byte strings,
//! integers, lists and dictionaries.

/// A bencoded value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A byte string.
    Bytes(Vec<u8>),
    /// An integer.
    Int(i64),
    /// A list.
    List(Vec<Value>),
    /// A dictionary, keys in the order received (rtpengine does not sort).
    Dict(Vec<(Vec<u8>, Value)>),
}

/// Nesting deeper than this is refused (rtpengine's replies are shallow).
const MAX_DEPTH: usize = 32;

impl Value {
    /// A dictionary of string values.
    pub fn dict(entries: &[(&str, &str)]) -> Self {
        Value::Dict(entries.iter().map(|(k, v)| (k.as_bytes().to_vec(), Value::Bytes(v.as_bytes().to_vec()))).collect())
    }

    /// Appends the encoding (dictionary keys sorted, as bencode wants).
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Value::Bytes(bytes) => {
                out.extend_from_slice(format!("{}:", bytes.len()).as_bytes());
                out.extend_from_slice(bytes);
            }
            Value::Int(n) => out.extend_from_slice(format!("i{n}e").as_bytes()),
            Value::List(items) => {
                out.push(b'l');
                items.iter().for_each(|item| item.encode(out));
                out.push(b'e');
            }
            Value::Dict(entries) => {
                let mut sorted: Vec<&(Vec<u8>, Value)> = entries.iter().collect();
                sorted.sort_by(|a, b| a.0.cmp(&b.0));
                out.push(b'd');
                for (key, value) in sorted {
                    Value::Bytes(key.clone()).encode(out);
                    value.encode(out);
                }
                out.push(b'e');
            }
        }
    }

    /// Decodes one value from the start of `input`; `None` if malformed.
    pub fn decode(input: &[u8]) -> Option<(Value, &[u8])> {
        decode_at(input, 0)
    }

    /// The value under `key` in a dictionary.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Dict(entries) => entries.iter().find(|(k, _)| k == key.as_bytes()).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The text of a byte string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Bytes(bytes) => std::str::from_utf8(bytes).ok(),
            _ => None,
        }
    }
}

fn decode_at(input: &[u8], depth: usize) -> Option<(Value, &[u8])> {
    if depth > MAX_DEPTH {
        return None;
    }
    match *input.first()? {
        b'i' => {
            let end = input.iter().position(|&b| b == b'e')?;
            let n = std::str::from_utf8(&input[1..end]).ok()?.parse().ok()?;
            Some((Value::Int(n), &input[end + 1..]))
        }
        b'l' => {
            let (mut rest, mut items) = (&input[1..], Vec::new());
            while *rest.first()? != b'e' {
                let (item, after) = decode_at(rest, depth + 1)?;
                items.push(item);
                rest = after;
            }
            Some((Value::List(items), &rest[1..]))
        }
        b'd' => {
            let (mut rest, mut entries) = (&input[1..], Vec::new());
            while *rest.first()? != b'e' {
                let (Value::Bytes(key), after) = decode_at(rest, depth + 1)? else { return None };
                let (value, after) = decode_at(after, depth + 1)?;
                entries.push((key, value));
                rest = after;
            }
            Some((Value::Dict(entries), &rest[1..]))
        }
        b'0'..=b'9' => {
            let colon = input.iter().position(|&b| b == b':')?;
            let len: usize = std::str::from_utf8(&input[..colon]).ok()?.parse().ok()?;
            let end = colon.checked_add(1)?.checked_add(len)?;
            let body = input.get(colon + 1..end)?;
            Some((Value::Bytes(body.to_vec()), &input[end..]))
        }
        _ => None,
    }
}
