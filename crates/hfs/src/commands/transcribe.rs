//! `hfs transcribe AUDIO --model ID`: automatic speech recognition; the text goes to stdout.

use serde_json::json;

use super::infer::{finish, model, params, served_json, session};
use crate::cli::{GlobalArgs, TranscribeArgs};
use crate::exit::CliError;

pub async fn run(global: &GlobalArgs, args: &TranscribeArgs) -> Result<(), CliError> {
    finish(transcribe(global, args).await, args.run.json, args.run.model.as_deref())
}

async fn transcribe(global: &GlobalArgs, args: &TranscribeArgs) -> Result<(), CliError> {
    let model = model(&args.run)?;
    let params = params(&args.run.params)?;
    let audio = hfs_inference::InputFile::read(&args.audio).await?;
    let s = session(global, &args.run).await?;
    let req = hfs_inference::MediaRequest::new(model.clone(), s.provider.clone()).input(audio).params(params);
    let result = s.guarded(s.client.speech_to_text(&req)).await;
    s.live.clear();
    let t = result?;
    if args.run.json {
        let mut v = served_json("hfs.transcribe/1", &model, &t.served, s.duration_ms());
        v["text"] = json!(t.text);
        v["chunks"] = json!(t.chunks);
        println!("{v}");
    } else {
        println!("{}", t.text.trim());
    }
    Ok(())
}
