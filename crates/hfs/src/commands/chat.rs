//! `hfs chat PROMPT --model ID[:policy]`: chat completion, tokens streamed to stdout as they
//! arrive (`--no-stream` waits for the whole answer).

use std::io::Write;

use hfs_inference::{ChatMessage, ChatRequest};
use serde_json::json;

use super::infer::{finish, model, params, session};
use crate::cli::{ChatArgs, GlobalArgs};
use crate::exit::CliError;

pub async fn run(global: &GlobalArgs, args: &ChatArgs) -> Result<(), CliError> {
    finish(chat(global, args).await, args.run.json, args.run.model.as_deref())
}

async fn chat(global: &GlobalArgs, args: &ChatArgs) -> Result<(), CliError> {
    let model = model(&args.run)?;
    let params = params(&args.run.params)?;
    let s = session(global, &args.run).await?;
    let mut messages = Vec::new();
    if let Some(sys) = &args.system {
        messages.push(ChatMessage::new("system", sys.clone()));
    }
    messages.push(ChatMessage::new("user", args.prompt.clone()));
    let req = ChatRequest {
        model: model.clone(),
        provider: s.provider.clone(),
        messages,
        max_tokens: args.max_tokens,
        temperature: args.temperature,
        stream: !args.no_stream,
        params,
    };
    let print = !args.run.json;
    let live = s.live.clone();
    let mut printed = false;
    let mut ends_with_newline = true;
    let mut on_token = |t: &str| {
        if print && !t.is_empty() {
            if !printed {
                live.clear();
                printed = true;
            }
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(hfs_core::text::strip_terminal_escapes(t).as_bytes());

            let _ = out.flush();
            ends_with_newline = t.ends_with('\n');
        }
    };
    let result = s.guarded(s.client.chat(&req, &mut on_token)).await;
    s.live.clear();
    if printed && !ends_with_newline {
        println!();
    }
    let r = result?;
    if args.run.json {
        println!(
            "{}",
            json!({
                "schema": "hfs.chat/1",
                "model": model,
                "provider": r.provider,
                "served_model": r.model,
                "content": r.content,
                "finish_reason": r.finish_reason,
                "usage": r.usage,
                "request_id": r.request_id,
                "duration_ms": s.duration_ms(),
            })
        );
    }
    Ok(())
}
