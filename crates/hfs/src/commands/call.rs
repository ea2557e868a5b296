//! `hfs call SPACE [/ENDPOINT] [ARG ...]`: run an endpoint, show live feedback, save output files.

use std::time::{Duration, Instant};

use futures::StreamExt;
use hfs_gradio::{CallOptions, Error, Event, coerce_args};

use super::call_args::split;
use super::call_output::{result_doc, result_text, stream_line};
use crate::cli::{CallArgs, GlobalArgs};
use crate::connect::connect;
use crate::exit::CliError;
use crate::printer::{Format, Printer};

pub async fn run(global: &GlobalArgs, p: &Printer, args: &CallArgs) -> Result<(), CliError> {
    call(global, p, args).await.map_err(|e| match (e, args.timeout) {
        // Report the user's --timeout, not what was left of it when the deadline hit.
        (CliError::Gradio(Error::DeadlineExceeded(_)), Some(t)) => CliError::Gradio(Error::DeadlineExceeded(t)),
        (e, _) => e,
    })
}

async fn call(global: &GlobalArgs, p: &Printer, args: &CallArgs) -> Result<(), CliError> {
    let started = Instant::now();
    let (which, raw) = split(&args.args, &args.raw, args.fn_index).map_err(CliError::Usage)?;
    let remaining = |timeout: Option<Duration>| timeout.map(|t| t.saturating_sub(started.elapsed()));

    // One Ctrl-C listener for the whole command: once tokio handles SIGINT it never goes back to
    // the default action, so a signal arriving while no listener exists would be lost.
    let mut ctrl_c = Box::pin(crate::signals::first());
    let connecting = connect(global, p, &args.connect);
    let client = tokio::select! {
        c = with_deadline(connecting, remaining(args.timeout)) => c?,
        _ = &mut ctrl_c => return Err(CliError::Interrupted),
    };
    let endpoint = client.endpoint(&which)?.clone();
    let call_args = coerce_args(&endpoint, &raw)?;
    let opts = CallOptions { deadline: remaining(args.timeout), ..Default::default() };
    let mut job = client.submit(&which, &call_args, opts)?;

    let mut progress = p.progress("connecting");
    let mut interrupted = false;
    let mut reader_gone = false;
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
        progress.gradio(&ev);
        if p.format() == Format::Stream
            && !reader_gone
            && let Some(line) = stream_line(&ev)
            && p.line(&line).is_err()
        {
            // Nobody reads the events any more: stop the job on the server, then end quietly.
            reader_gone = true;
            job.cancel();
        }
        match ev {
            Event::Completed(o) => break o,
            Event::Failed(_) if reader_gone => std::process::exit(0),
            Event::Failed(Error::Cancelled) if interrupted => return Err(CliError::Interrupted),
            Event::Failed(e) => return Err(e.into()),
            _ => {}
        }
    };
    progress.clear();

    // Ctrl-C while downloading stops it; the partial temp files are removed when dropped. The
    // downloads count against --timeout like the call itself.
    let saving = async { Ok(client.save_outputs(&endpoint, &outputs.values, &args.output_dir, !args.no_download).await?) };
    let saved = tokio::select! {
        saved = with_deadline(saving, remaining(args.timeout)) => saved?,
        _ = &mut ctrl_c, if !interrupted => return Err(CliError::Interrupted),
    };

    let duration_ms = started.elapsed().as_millis() as u64;
    match p.format() {
        // Values are the app's text: the printer strips terminal control sequences.
        Format::Text => p.out(&result_text(&endpoint, &saved)),
        Format::Json => p.doc(&result_doc(&args.connect.target, &endpoint, &saved, duration_ms)),
        Format::Stream => {
            let mut last = result_doc(&args.connect.target, &endpoint, &saved, duration_ms);
            last.event = Some("completed".into());
            p.doc(&last);
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
