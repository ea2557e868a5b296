//! `hfs chat PROMPT --model ID[:policy]`: chat completion, tokens streamed to stdout as they
//! arrive (`--no-stream` waits for the whole answer).

use hfs_inference::{ChatMessage, ChatRequest, InferenceTask, Outcome};
use hfs_schema::ChatDoc;

use super::infer::{model, params, session};
use crate::cli::{ChatArgs, GlobalArgs};
use crate::exit::CliError;
use crate::printer::Printer;

pub async fn run(global: &GlobalArgs, p: &Printer, args: &ChatArgs) -> Result<(), CliError> {
    if args.space.is_some() {
        let generation = crate::cli::GenArgs { space: args.space.clone(), endpoint: args.endpoint.clone(), ..Default::default() };
        let input =
            super::generate::Input { task: hfs_generate::GenTask::Chat, prompt: Some(args.prompt.clone()), image: None, audio: None };
        return super::generate::run(global, p, &generation, &args.run, &Default::default(), std::path::Path::new("."), input).await;
    }
    let model = model(&args.run)?;
    let params = params(&args.run.params)?;
    let s = session(global, p, &args.run).await?;
    let mut messages = Vec::new();
    if let Some(sys) = &args.system {
        messages.push(ChatMessage::new("system", sys.clone()));
    }
    messages.push(ChatMessage::new("user", args.prompt.clone()));
    let request = ChatRequest {
        model: model.clone(),
        provider: s.provider.clone(),
        messages,
        max_tokens: args.max_tokens,
        temperature: args.temperature,
        stream: !args.no_stream,
        params,
    };
    let print = !p.json();
    let mut printed = false;
    let mut ends_with_newline = true;
    let on_token = |t: &str| {
        if print && !t.is_empty() {
            printed = true;
            ends_with_newline = t.ends_with('\n');
            return p.piece(t);
        }
        Ok(())
    };
    let outcome = s.run(p, InferenceTask::Chat { request }, on_token).await;
    if printed && !ends_with_newline {
        p.out("\n");
    }
    let Outcome::Chat(r) = outcome? else { unreachable!("a chat task ends in a chat result") };
    if p.json() {
        p.doc(&ChatDoc {
            schema: ChatDoc::SCHEMA.into(),
            model,
            provider: r.provider,
            served_model: r.model,
            content: r.content,
            finish_reason: r.finish_reason,
            usage: r.usage,
            request_id: r.request_id,
            duration_ms: s.duration_ms(),
        });
    }
    Ok(())
}
