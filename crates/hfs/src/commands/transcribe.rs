//! `hfs transcribe AUDIO --model ID`: automatic speech recognition; the text goes to stdout.

use hfs_inference::{InferenceTask, Outcome};
use hfs_schema::TranscribeDoc;

use super::infer::{model, params, served_doc, session};
use crate::cli::{GlobalArgs, TranscribeArgs};
use crate::exit::CliError;
use crate::printer::Printer;

pub async fn run(global: &GlobalArgs, p: &Printer, args: &TranscribeArgs) -> Result<(), CliError> {
    if super::generate::wanted(&args.generation, &args.run) {
        let input =
            super::generate::Input { task: hfs_generate::GenTask::Transcribe, prompt: None, image: None, audio: Some(args.audio.clone()) };
        let out = std::path::Path::new(".");
        return super::generate::run(global, p, &args.generation, &args.run, out, input).await;
    }
    let model = model(&args.run)?;
    let params = params(&args.run.params)?;
    let audio = hfs_inference::InputFile::read(&args.audio).await?;
    let s = session(global, p, &args.run).await?;
    let request = hfs_inference::MediaRequest::new(model.clone(), s.provider.clone()).input(audio).params(params);
    let Outcome::Transcription(t) = s.run(p, InferenceTask::Transcribe { request }, |_| Ok(())).await? else {
        unreachable!("a transcription task ends in a transcription")
    };
    if p.json() {
        p.doc(&TranscribeDoc {
            schema: TranscribeDoc::SCHEMA.into(),
            served: served_doc(&model, &t.served, s.duration_ms()),
            text: t.text,
            chunks: t.chunks,
        });
    } else {
        p.out(&format!("{}\n", t.text.trim()));
    }
    Ok(())
}
