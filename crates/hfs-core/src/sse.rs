//! Server-Sent Events framing (the WHATWG `text/event-stream` rules that Gradio's queue and the
//! OpenAI-style chat streams use), byte-level and incremental.
//!
//! * Lines end at `\n` (a trailing `\r` is dropped) and never at other Unicode line breaks, so text
//!   like `before\u{85}after` survives.
//! * Only `data:` fields matter; comments and other fields are ignored.
//! * Linear in the input: each byte is scanned once, however the body is chunked.
//! * Bounded: a line or an event over `max_event` bytes is an error, not unbounded growth.

use bytes::{Buf, Bytes, BytesMut};
use futures::{Stream, StreamExt};

/// The default cap on one event (a generator's whole intermediate output fits many times over).
pub const MAX_EVENT: usize = 16 << 20;

/// Why a stream could not be framed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SseError {
    #[error("an event from the server is larger than {} (a line without end, or a flood)", crate::body::human_bytes(*.0 as u64))]
    TooLarge(usize),
    #[error("{0}")]
    Body(String),
}

/// An incremental decoder: feed chunks, get the payloads (joined `data:` lines) of whole events.
#[derive(Debug)]
pub struct Decoder {
    buf: BytesMut,
    /// How far `buf` is known to hold no `\n`.
    scanned: usize,
    data: Vec<u8>,
    has_data: bool,
    max_event: usize,
    eager_done: bool,
    /// Bytes examined while looking for line ends (a test checks the scan stays linear).
    examined: u64,
}

impl Decoder {
    pub fn new(max_event: usize) -> Self {
        Self { buf: BytesMut::new(), scanned: 0, data: Vec::new(), has_data: false, max_event, eager_done: false, examined: 0 }
    }

    /// OpenAI-style streams: a `data: [DONE]` line ends the stream even without its blank line, so
    /// it is delivered (after any pending event) as soon as it arrives.
    pub fn eager_done(mut self) -> Self {
        self.eager_done = true;
        self
    }

    /// Adds a chunk and appends every event it completes to `out`.
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<String>) -> Result<(), SseError> {
        self.buf.extend_from_slice(chunk);
        loop {
            let found = self.buf[self.scanned..].iter().position(|b| *b == b'\n');
            self.examined += found.map_or(self.buf.len() - self.scanned, |i| i + 1) as u64;
            let Some(rel) = found else {
                self.scanned = self.buf.len();
                if self.buf.len() > self.max_event {
                    return Err(SseError::TooLarge(self.max_event));
                }
                return Ok(());
            };
            let pos = self.scanned + rel;
            let mut line = self.buf.split_to(pos + 1);
            self.scanned = 0;
            line.truncate(pos);
            if line.last() == Some(&b'\r') {
                line.truncate(line.len() - 1);
            }
            self.line(&line, out)?;
        }
    }

    /// The stream ended: a last event without its blank line still counts.
    pub fn finish(&mut self, out: &mut Vec<String>) -> Result<(), SseError> {
        if !self.buf.is_empty() {
            let line = self.buf.split_to(self.buf.len());
            self.scanned = 0;
            self.line(&line, out)?;
        }
        self.dispatch(out);
        Ok(())
    }

    fn line(&mut self, line: &[u8], out: &mut Vec<String>) -> Result<(), SseError> {
        if line.is_empty() {
            self.dispatch(out);
            return Ok(());
        }
        let Some(rest) = line.strip_prefix(b"data:") else { return Ok(()) };
        let rest = rest.strip_prefix(b" ").unwrap_or(rest);
        if self.eager_done && rest.trim_ascii() == b"[DONE]" {
            self.dispatch(out);
            out.push("[DONE]".into());
            return Ok(());
        }
        if self.has_data {
            self.data.push(b'\n');
        }
        if self.data.len().saturating_add(rest.len()) > self.max_event {
            return Err(SseError::TooLarge(self.max_event));
        }
        self.data.extend_from_slice(rest);
        self.has_data = true;
        Ok(())
    }

    fn dispatch(&mut self, out: &mut Vec<String>) {
        if self.has_data {
            out.push(String::from_utf8_lossy(&self.data).into_owned());
            self.data.clear();
            self.has_data = false;
        }
    }
}

/// Turns a byte stream into a stream of event payloads. A body error ends the stream after
/// being reported once.
pub fn events<S, E>(body: S, max_event: usize) -> impl Stream<Item = Result<String, SseError>>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let state = (body, Decoder::new(max_event), std::collections::VecDeque::<String>::new(), false);
    futures::stream::unfold(state, |(mut body, mut dec, mut ready, mut ended)| async move {
        loop {
            if let Some(p) = ready.pop_front() {
                return Some((Ok(p), (body, dec, ready, ended)));
            }
            if ended {
                return None;
            }
            let mut out = Vec::new();
            let step = match body.next().await {
                Some(Ok(chunk)) => dec.feed(chunk.chunk(), &mut out),
                Some(Err(e)) => {
                    ended = true;
                    Err(SseError::Body(e.to_string()))
                }
                None => {
                    ended = true;
                    dec.finish(&mut out)
                }
            };
            ready.extend(out);
            if let Err(e) = step {
                ended = true;
                // Events completed before the fault are still delivered first.
                if ready.is_empty() {
                    return Some((Err(e), (body, dec, ready, ended)));
                }
                ready.clear();
                return Some((Err(e), (body, dec, ready, ended)));
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(chunks: &[&str]) -> Vec<String> {
        let owned: Vec<Result<Bytes, std::io::Error>> = chunks.iter().map(|c| Ok(Bytes::from(c.to_string()))).collect();
        let s = events(futures::stream::iter(owned), MAX_EVENT);
        futures::executor::block_on(s.map(|r| r.unwrap()).collect())
    }

    #[test]
    fn splits_events_across_chunks() {
        let got = parse(&["data: {\"a\":", "1}\n\ndata: x\r\n\r\n", ": comment\n\ndata: last"]);
        assert_eq!(got, vec!["{\"a\":1}", "x", "last"]);
    }

    #[test]
    fn keeps_unicode_line_separators() {
        assert_eq!(parse(&["data: before\u{85}after\u{2028}x\n\n"]), vec!["before\u{85}after\u{2028}x"]);
    }

    #[test]
    fn joins_multi_line_data_and_ignores_other_fields() {
        assert_eq!(parse(&["event: complete\nid: 3\ndata: a\ndata: b\n\n"]), vec!["a\nb"]);
        assert_eq!(parse(&["data:\n\n"]), vec![""], "an empty data line is still an event");
    }

    #[test]
    fn done_without_its_blank_line() {
        let mut d = Decoder::new(MAX_EVENT).eager_done();
        let mut out = Vec::new();
        d.feed(b": c\ndata: {\"a\"", &mut out).unwrap();
        d.feed(b":1}\r\n\r\ndata:{\"b\":2}\n\ndata: [DONE]\n", &mut out).unwrap();
        assert_eq!(out, [r#"{"a":1}"#, r#"{"b":2}"#, "[DONE]"]);
    }

    #[test]
    fn endless_lines_and_huge_events_are_errors() {
        let mut d = Decoder::new(1024);
        let mut out = Vec::new();
        let e = (0..10).find_map(|_| d.feed(&[b'x'; 200], &mut out).err());
        assert_eq!(e, Some(SseError::TooLarge(1024)));
        let mut d = Decoder::new(1024);
        let line = format!("data: {}\n", "y".repeat(300));
        let e = (0..10).find_map(|_| d.feed(line.as_bytes(), &mut out).err());
        assert_eq!(e, Some(SseError::TooLarge(1024)), "many data lines of one event add up");
    }

    #[test]
    fn the_scan_is_linear_however_the_body_is_chunked() {
        // A 1 MiB line in 1 KiB chunks, then many small events in one chunk: each byte is looked
        // at once (rescanning the buffer per chunk would examine ~512 MiB here).
        let mut d = Decoder::new(MAX_EVENT);
        let mut out = Vec::new();
        d.feed(b"data: ", &mut out).unwrap();
        for _ in 0..1024 {
            d.feed(&[b'x'; 1024], &mut out).unwrap();
        }
        d.feed(b"\n\n", &mut out).unwrap();
        let many = "data: 1\n\n".repeat(100_000);
        d.feed(many.as_bytes(), &mut out).unwrap();
        assert_eq!(out.len(), 100_001);
        let input = (6 + (1 << 20) + 2 + many.len()) as u64;
        assert!(d.examined <= input, "examined {} bytes of {input}", d.examined);
    }
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    fn decode(chunks: &[Vec<u8>], max: usize) -> Result<Vec<String>, SseError> {
        let mut d = Decoder::new(max);
        let mut out = Vec::new();
        for c in chunks {
            d.feed(c, &mut out)?;
        }
        d.finish(&mut out)?;
        Ok(out)
    }

    fn split(bytes: &[u8], cuts: &[usize]) -> Vec<Vec<u8>> {
        let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
        cuts.sort_unstable();
        let mut out = Vec::new();
        let mut at = 0;
        for c in cuts {
            out.push(bytes[at..c].to_vec());
            at = c;
        }
        out.push(bytes[at..].to_vec());
        out
    }

    fn sse_bytes() -> impl Strategy<Value = Vec<u8>> {
        let line = prop_oneof![
            "data: [ -~]{0,20}".prop_map(|s| s.into_bytes()),
            "data:[ -~]{0,5}".prop_map(|s| s.into_bytes()),
            Just(b"".to_vec()),
            ": comment".prop_map(|s| s.into_bytes()),
            "(event|id|retry): [a-z0-9]{0,5}".prop_map(|s| s.into_bytes()),
            proptest::collection::vec(any::<u8>(), 0..12),
        ];
        let ending = prop_oneof![Just(b"\n".to_vec()), Just(b"\r\n".to_vec()), Just(b"".to_vec())];
        proptest::collection::vec((line, ending), 0..24).prop_map(|ls| {
            ls.into_iter()
                .flat_map(|(mut l, e)| {
                    l.extend(e);
                    l
                })
                .collect()
        })
    }

    proptest! {
        /// However a body is cut into chunks, the same events come out (or the same error).
        #[test]
        fn chunking_never_changes_the_events(bytes in sse_bytes(), cuts in proptest::collection::vec(any::<usize>(), 0..8)) {
            let whole = decode(std::slice::from_ref(&bytes), MAX_EVENT);
            let pieces = decode(&split(&bytes, &cuts), MAX_EVENT);
            prop_assert_eq!(whole, pieces);
        }

        /// Any bytes with a tiny cap: an error or events within the cap, never a panic.
        #[test]
        fn arbitrary_bytes_stay_within_the_cap(bytes in proptest::collection::vec(any::<u8>(), 0..2048), cuts in proptest::collection::vec(any::<usize>(), 0..8)) {
            if let Ok(events) = decode(&split(&bytes, &cuts), 64) {
                for e in events {
                    prop_assert!(e.len() <= 64 * 4, "{}", e.len());
                }
            }
        }
    }
}
