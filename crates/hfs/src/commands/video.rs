//! `hfs video PROMPT [--space S | --model ID] [--image FILE]`: text-to-video, or image-to-video
//! from a first frame with `--image`.

use hfs_generate::GenTask;
use hfs_inference::Task;

use super::generate::{self, Input};
use super::infer::media;
use crate::cli::{GlobalArgs, VideoArgs};
use crate::exit::CliError;
use crate::printer::Printer;

pub async fn run(global: &GlobalArgs, p: &Printer, args: &VideoArgs) -> Result<(), CliError> {
    if generate::wanted(&args.generation, &args.run) {
        let input = Input { task: GenTask::Video, prompt: Some(args.prompt.clone()), image: args.image.clone(), audio: None };
        return generate::run(global, p, &args.generation, &args.run, &args.out.output_dir, input).await;
    }
    let task = if args.image.is_some() { Task::ImageToVideo } else { Task::TextToVideo };
    media(global, p, &args.run, &args.out.output_dir, task, &args.prompt, args.image.as_deref()).await
}
