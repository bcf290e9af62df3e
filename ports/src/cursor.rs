//! Keyset cursor encoding: `base64url(version | fingerprint | values | checksum)`, strictly
//! decoded. The checksum (64-bit FNV-1a of everything before it) makes any alteration of the
//! bytes detectable; it is not keyed, so it does not stop a client that recomputes it from
//! forging a position of the same query (which grants nothing the query does not).

use containerpub_domain::{Rule, Timestamp, Uuid};

use crate::error::{StoreError, StoreResult};
use crate::query::{Cursor, Field, Sort, Value, ValueKind};

const VERSION: u8 = 2;
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/// Cursors longer than this are rejected before decoding (a text sort key is at most a few
/// hundred bytes; this leaves room for long messages without letting a client send megabytes).
const MAX_CURSOR_LEN: usize = 64 * 1024;

fn bad_cursor() -> StoreError {
    StoreError::invalid(
        "cursor",
        Rule::Format("a cursor returned by a previous window of the same query"),
    )
}

pub(crate) fn encode(fingerprint: u64, values: &[Value]) -> Cursor {
    let mut bytes = vec![VERSION];
    bytes.extend_from_slice(&fingerprint.to_be_bytes());
    for value in values {
        match value {
            Value::Null => bytes.push(0),
            Value::Bool(b) => bytes.extend_from_slice(&[1, u8::from(*b)]),
            Value::Int(i) => {
                bytes.push(2);
                bytes.extend_from_slice(&i.to_be_bytes());
            }
            Value::Text(s) => {
                bytes.push(3);
                let len = u32::try_from(s.len()).unwrap_or(u32::MAX);
                bytes.extend_from_slice(&len.to_be_bytes());
                bytes.extend_from_slice(s.as_bytes());
            }
            Value::Uuid(u) => {
                bytes.push(4);
                bytes.extend_from_slice(u.as_bytes());
            }
            Value::Timestamp(t) => {
                bytes.push(5);
                bytes.extend_from_slice(&t.unix_micros().to_be_bytes());
            }
        }
    }
    let sum = checksum(&bytes);
    bytes.extend_from_slice(&sum.to_be_bytes());
    Cursor::from_string(base64url_encode(&bytes))
}

/// 64-bit FNV-1a of `bytes`.
fn checksum(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

pub(crate) fn decode<F: Field>(
    cursor: &Cursor,
    fingerprint: u64,
    sort: &[Sort<F>],
) -> StoreResult<Vec<Value>> {
    let text = cursor.as_str();
    if text.len() > MAX_CURSOR_LEN {
        return Err(bad_cursor());
    }
    let bytes = base64url_decode(text).ok_or_else(bad_cursor)?;
    let Some(split) = bytes.len().checked_sub(8) else {
        return Err(bad_cursor());
    };
    let (content, sum) = bytes.split_at(split);
    if checksum(content).to_be_bytes() != sum {
        return Err(bad_cursor());
    }
    let mut r = Reader(content);
    if r.take(1)? != [VERSION] {
        return Err(bad_cursor());
    }
    if u64::from_be_bytes(r.array()?) != fingerprint {
        return Err(bad_cursor());
    }
    let mut values = Vec::with_capacity(sort.len());
    for key in sort {
        let tag = r.take(1)?[0];
        let value = match (tag, key.field.kind()) {
            (1, ValueKind::Bool) => match r.take(1)?[0] {
                0 => Value::Bool(false),
                1 => Value::Bool(true),
                _ => return Err(bad_cursor()),
            },
            (2, ValueKind::Int) => Value::Int(i64::from_be_bytes(r.array()?)),
            (3, ValueKind::Text) => {
                let len = u32::from_be_bytes(r.array()?) as usize;
                let raw = r.take(len)?;
                let s = std::str::from_utf8(raw).map_err(|_| bad_cursor())?;
                if s.contains('\0') {
                    return Err(bad_cursor());
                }
                Value::Text(s.to_owned())
            }
            (4, ValueKind::Uuid) => Value::Uuid(Uuid::from_bytes(r.array()?)),
            (5, ValueKind::Timestamp) => Value::Timestamp(
                Timestamp::from_unix_micros("cursor", i64::from_be_bytes(r.array()?))
                    .map_err(|_| bad_cursor())?,
            ),
            _ => return Err(bad_cursor()),
        };
        values.push(value);
    }
    if !r.0.is_empty() {
        return Err(bad_cursor());
    }
    Ok(values)
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> StoreResult<&'a [u8]> {
        if self.0.len() < n {
            return Err(bad_cursor());
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> StoreResult<[u8; N]> {
        self.take(N)?.try_into().map_err(|_| bad_cursor())
    }
}

/// The bytes of a cursor's text (tests alter them).
#[cfg(test)]
pub(crate) fn decode_bytes(text: &str) -> Option<Vec<u8>> {
    base64url_decode(text)
}

/// A cursor's text for these bytes (tests alter them).
#[cfg(test)]
pub(crate) fn encode_bytes(bytes: &[u8]) -> String {
    base64url_encode(bytes)
}

fn base64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let sextet = |c: u8| ALPHABET.iter().position(|&a| a == c).map(|p| p as u32);
    let bytes = text.as_bytes();
    if bytes.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= sextet(c)? << (18 - 6 * i);
        }
        let produced = chunk.len() - 1;
        for i in 0..produced {
            out.push(((n >> (16 - 8 * i)) & 0xff) as u8);
        }
        // Reject non-canonical encodings: unused low bits must be zero.
        let used_bits = 6 * chunk.len();
        let unused = used_bits - 8 * produced;
        if unused > 0 && (n >> (24 - used_bits)) & ((1 << unused) - 1) != 0 {
            return None;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trips_every_length() {
        for len in 0..40 {
            let data: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let text = base64url_encode(&data);
            assert!(!text.contains('='));
            assert_eq!(base64url_decode(&text), Some(data), "len {len}");
        }
    }

    #[test]
    fn base64url_rejects_garbage() {
        assert_eq!(base64url_decode("a"), None);
        assert_eq!(base64url_decode("ab+c"), None);
        assert_eq!(base64url_decode("ab=="), None);
        // "AB" decodes one byte; "AC" sets an unused bit and is not canonical.
        assert!(base64url_decode("AA").is_some());
        assert_eq!(base64url_decode("AB"), None);
    }
}

#[cfg(test)]
mod fuzz;
