//! `hfs speech TEXT --model ID`: text-to-speech, saved as an audio file.

use super::infer::{Media, finish, media};
use crate::cli::{GlobalArgs, SpeechArgs};
use crate::exit::CliError;

pub async fn run(global: &GlobalArgs, args: &SpeechArgs) -> Result<(), CliError> {
    let r = media(global, &args.run, &args.out.output_dir, "hfs.speech/1", Media::TextToSpeech, &args.text, None).await;
    finish(r, args.run.json, args.run.model.as_deref())
}
