//! `hfs call SPACE [/ENDPOINT] [ARG ...]`: run an endpoint, show live feedback, save output files.

use std::time::{Duration, Instant};

use futures::StreamExt;
use hfs_gradio::{CallOptions, Error, Event};
use serde_json::json;

use super::call_args::{split, to_args};
use super::call_output::{event_json, result_json, result_text, save};
use crate::cli::{CallArgs, GlobalArgs};
use crate::connect::connect;
use crate::exit::{CliError, report};
use crate::live::Live;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Text,
    Json,
    Stream,
}

pub async fn run(global: &GlobalArgs, args: &CallArgs) -> Result<(), CliError> {
    let mode = if args.stream {
        Mode::Stream
    } else if args.json {
        Mode::Json
    } else {
        Mode::Text
    };
    let result = call(global, args, mode).await.map_err(|e| match (e, args.timeout) {
        // Report the user's --timeout, not what was left of it when the deadline hit.
        (CliError::Gradio(Error::DeadlineExceeded(_)), Some(t)) => CliError::Gradio(Error::DeadlineExceeded(t)),
        (e, _) => e,
    });
    if let Err(e) = &result {
        match mode {
            Mode::Json => println!("{}", json!({"schema": "hfs.error/1", "target": args.connect.target, "error": e.to_json()})),
            Mode::Stream => println!("{}", json!({"event": "error", "error": e.to_json()})),
            Mode::Text => {}
        }
        report(e);
    }
    result
}

async fn call(global: &GlobalArgs, args: &CallArgs, mode: Mode) -> Result<(), CliError> {
    let started = Instant::now();
    let (which, raw) = split(&args.args, &args.raw, args.fn_index).map_err(CliError::Usage)?;
    let remaining = |timeout: Option<Duration>| timeout.map(|t| t.saturating_sub(started.elapsed()));

    // One Ctrl-C listener for the whole command: once tokio handles SIGINT it never goes back to
    // the default action, so a signal arriving while no listener exists would be lost.
    let mut ctrl_c = Box::pin(crate::signals::first());
    let connecting = connect(global, &args.connect, args.quiet);
    let client = tokio::select! {
        c = with_deadline(connecting, remaining(args.timeout)) => c?,
        _ = &mut ctrl_c => return Err(CliError::Interrupted),
    };
    let endpoint = client.endpoint(&which)?.clone();
    let call_args = to_args(&endpoint, &raw)?;
    let opts = CallOptions { deadline: remaining(args.timeout), ..Default::default() };
    let mut job = client.submit(&which, &call_args, opts)?;

    let mut live = Live::new(args.quiet);
    let mut interrupted = false;
    let outputs = loop {
        let ev = tokio::select! {
            ev = job.next() => ev,
            _ = &mut ctrl_c, if !interrupted => {
                // Cancel on the server, then keep reading until the job reports the end.
                interrupted = true;
                job.cancel();
                continue;
            }
        };
        let Some(ev) = ev else { return Err(Error::ConnectionLost("the job ended without a result".into()).into()) };
        live.on_event(&ev);
        if mode == Mode::Stream
            && let Some(line) = event_json(&ev)
        {
            println!("{line}");
        }
        match ev {
            Event::Completed(o) => break o,
            Event::Failed(Error::Cancelled) if interrupted => return Err(CliError::Interrupted),
            Event::Failed(e) => return Err(e.into()),
            _ => {}
        }
    };
    live.finish();

    // Ctrl-C while downloading stops it; the partial temp files are removed when dropped. The
    // downloads count against --timeout like the call itself.
    let saving = save(&client, &endpoint, &outputs.values, &args.output_dir, !args.no_download);

    let saved = tokio::select! {
        saved = with_deadline(saving, remaining(args.timeout)) => saved?,
        _ = &mut ctrl_c, if !interrupted => return Err(CliError::Interrupted),
    };

    let duration_ms = started.elapsed().as_millis();
    match mode {
        // Values are the app's text: no terminal control sequence reaches the terminal.
        Mode::Text => print!("{}", hfs_core::text::strip_terminal_escapes(&result_text(&endpoint, &saved))),

        Mode::Json => println!("{}", result_json(&args.connect.target, &endpoint, &saved, duration_ms)),
        Mode::Stream => {
            let mut last = result_json(&args.connect.target, &endpoint, &saved, duration_ms);
            last["event"] = json!("completed");
            println!("{last}");
        }
    }
    Ok(())
}

async fn with_deadline<T>(fut: impl std::future::Future<Output = Result<T, CliError>>, deadline: Option<Duration>) -> Result<T, CliError> {
    match deadline {
        Some(d) => tokio::time::timeout(d, fut).await.unwrap_or(Err(CliError::Gradio(Error::DeadlineExceeded(d)))),
        None => fut.await,
    }
}
