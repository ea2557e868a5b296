//! `hfs speech TEXT --model ID`: text-to-speech, saved as an audio file.

use hfs_inference::Task;

use super::infer::media;
use crate::cli::{GlobalArgs, SpeechArgs};
use crate::exit::CliError;
use crate::printer::Printer;

pub async fn run(global: &GlobalArgs, p: &Printer, args: &SpeechArgs) -> Result<(), CliError> {
    media(global, p, &args.run, &args.out.output_dir, Task::TextToSpeech, &args.text, None).await
}
