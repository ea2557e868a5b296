//! `hfs video PROMPT --model ID [--image FILE]`: text-to-video, or image-to-video with `--image`.

use hfs_inference::Task;

use super::infer::media;
use crate::cli::{GlobalArgs, VideoArgs};
use crate::exit::CliError;
use crate::printer::Printer;

pub async fn run(global: &GlobalArgs, p: &Printer, args: &VideoArgs) -> Result<(), CliError> {
    let task = if args.image.is_some() { Task::ImageToVideo } else { Task::TextToVideo };
    media(global, p, &args.run, &args.out.output_dir, task, &args.prompt, args.image.as_deref()).await
}
