//! A minimal, byte-level Server-Sent Events reader.
//!
//! Lines are split on `\n` only (a trailing `\r` is dropped) and never on other Unicode line
//! breaks, so text like `before\u{85}after` survives. Only `data:` fields matter to Gradio;
//! comments and other fields are ignored.

use bytes::{Buf, BytesMut};
use futures::{Stream, StreamExt};

/// Turns a byte stream into a stream of event payloads (the joined `data:` lines of each event).
pub fn events<S, E>(body: S) -> impl Stream<Item = Result<String, E>>
where
    S: Stream<Item = Result<bytes::Bytes, E>> + Unpin,
{
    futures::stream::unfold((body, BytesMut::new(), Vec::<u8>::new(), false), |(mut body, mut buf, mut data, mut ended)| async move {
        loop {
            if let Some(pos) = buf.iter().position(|b| *b == b'\n') {
                let mut line = buf.split_to(pos + 1);
                line.truncate(pos);
                if line.last() == Some(&b'\r') {
                    line.truncate(line.len() - 1);
                }
                if line.is_empty() {
                    if !data.is_empty() {
                        let payload = take_payload(&mut data);
                        return Some((Ok(payload), (body, buf, data, ended)));
                    }
                    continue;
                }
                push_field(&line, &mut data);
                continue;
            }
            if ended {
                // A last event without its blank line still counts.
                if !buf.is_empty() {
                    let line = buf.split_to(buf.len());
                    push_field(&line, &mut data);
                }
                if !data.is_empty() {
                    let payload = take_payload(&mut data);
                    return Some((Ok(payload), (body, buf, data, ended)));
                }
                return None;
            }
            match body.next().await {
                Some(Ok(chunk)) => buf.extend_from_slice(chunk.chunk()),
                Some(Err(e)) => {
                    ended = true;
                    return Some((Err(e), (body, buf, data, ended)));
                }
                None => ended = true,
            }
        }
    })
}

fn push_field(line: &[u8], data: &mut Vec<u8>) {
    if let Some(rest) = line.strip_prefix(b"data:") {
        let rest = rest.strip_prefix(b" ").unwrap_or(rest);
        if !data.is_empty() {
            data.push(b'\n');
        }
        // An empty `data:` line still marks an event (the spec's "data buffer").
        data.extend_from_slice(rest);
        if rest.is_empty() && data.is_empty() {
            data.push(b' ');
        }
    }
}

fn take_payload(data: &mut Vec<u8>) -> String {
    let s = String::from_utf8_lossy(data).into_owned();
    data.clear();
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(chunks: &[&str]) -> Vec<String> {
        let owned: Vec<Result<bytes::Bytes, std::io::Error>> = chunks.iter().map(|c| Ok(bytes::Bytes::from(c.to_string()))).collect();
        let s = events(futures::stream::iter(owned));
        futures::executor::block_on(s.map(|r| r.unwrap()).collect())
    }

    #[test]
    fn splits_events_across_chunks() {
        let got = parse(&["data: {\"a\":", "1}\n\ndata: x\r\n\r\n", ": comment\n\ndata: last"]);
        assert_eq!(got, vec!["{\"a\":1}", "x", "last"]);
    }

    #[test]
    fn keeps_unicode_line_separators() {
        let got = parse(&["data: before\u{85}after\u{2028}x\n\n"]);
        assert_eq!(got, vec!["before\u{85}after\u{2028}x"]);
    }

    #[test]
    fn joins_multi_line_data_and_ignores_other_fields() {
        let got = parse(&["event: complete\nid: 3\ndata: a\ndata: b\n\n"]);
        assert_eq!(got, vec!["a\nb"]);
    }
}
