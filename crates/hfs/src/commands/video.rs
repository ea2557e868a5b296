//! `hfs video PROMPT --model ID [--image FILE]`: text-to-video, or image-to-video with `--image`.

use super::infer::{Media, finish, media};
use crate::cli::{GlobalArgs, VideoArgs};
use crate::exit::CliError;

pub async fn run(global: &GlobalArgs, args: &VideoArgs) -> Result<(), CliError> {
    let task = if args.image.is_some() { Media::ImageToVideo } else { Media::TextToVideo };
    let r = media(global, &args.run, &args.out.output_dir, "hfs.video/1", task, &args.prompt, args.image.as_deref()).await;
    finish(r, args.run.json, args.run.model.as_deref())
}
