//! PostgreSQL's binary `COPY` format for `function_logs`, written by hand: the baseline of the
//! batch-insert pair.
//!
//! Layout (<https://www.postgresql.org/docs/current/sql-copy.html>, "Binary Format"): the
//! 11-byte signature `PGCOPY\n\377\r\n\0`, a 32-bit flags field (0: no OIDs) and a 32-bit
//! header-extension length (0); then per row a 16-bit field count and, per field, a 32-bit
//! length (-1 for NULL) followed by the value in the type's binary send format; then the
//! trailer, a 16-bit -1. All integers are big-endian.

use containerpub_domain::{NewLog, Timestamp};

/// The statement the encoded rows are sent to.
pub(crate) const COPY_LOGS: &str = r#"COPY function_logs (uuid, function_id, level, message, "timestamp") FROM STDIN (FORMAT binary)"#;

/// Microseconds from the Unix epoch to PostgreSQL's epoch (2000-01-01 00:00:00).
const PG_EPOCH_UNIX_MICROS: i64 = 946_684_800_000_000;

/// Encodes `rows` (the columns of [`COPY_LOGS`], in order); a row without a timestamp gets
/// `now`, as the store's clock would give it.
pub(crate) fn encode_logs(rows: &[NewLog], now: Timestamp) -> Vec<u8> {
    let mut buf = Vec::with_capacity(
        21 + rows
            .iter()
            .map(|r| 60 + r.message.as_str().len())
            .sum::<usize>(),
    );
    buf.extend_from_slice(b"PGCOPY\n\xff\r\n\0");
    buf.extend_from_slice(&0i32.to_be_bytes());
    buf.extend_from_slice(&0i32.to_be_bytes());
    for row in rows {
        buf.extend_from_slice(&5i16.to_be_bytes());
        field(&mut buf, row.uuid.as_bytes());
        field(&mut buf, &row.function_id.get().to_be_bytes());
        field(&mut buf, row.level.as_str().as_bytes());
        field(&mut buf, row.message.as_str().as_bytes());
        let micros = row.timestamp.unwrap_or(now).unix_micros() - PG_EPOCH_UNIX_MICROS;
        field(&mut buf, &micros.to_be_bytes());
    }
    buf.extend_from_slice(&(-1i16).to_be_bytes());
    buf
}

/// One non-NULL field: its length, then its bytes.
fn field(buf: &mut Vec<u8>, bytes: &[u8]) {
    let len = i32::try_from(bytes.len()).expect("a COPY field below 2 GiB");
    buf.extend_from_slice(&len.to_be_bytes());
    buf.extend_from_slice(bytes);
}
