//! The prompts a call plays, loaded once at start-up: every 16 kHz mono WAV
//! of the prompts folder (`scripts/prompts` makes the demo ones), shared by
//! every call. A prompt that is missing plays as a short beep, so a flow
//! never stalls on a file nobody made.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use media::player::Clip;
use media::tone::{Cadence, ToneGenerator};
use media::wav::Wav;

/// Samples of the stand-in for a missing prompt: 150 ms of beep and 350 ms of silence.
const STAND_IN_SAMPLES: usize = 8_000;

/// The prompts by name, and the music on hold.
#[derive(Debug, Clone)]
pub struct PromptLibrary {
    clips: Arc<HashMap<String, Clip>>,
    stand_in: Clip,
    music: Clip,
    ringback: Clip,
}

impl PromptLibrary {
    /// Loads every `*.wav` of `folder` (16 kHz mono); files that are not
    /// are skipped with a warning. A missing folder gives an empty library.
    pub fn load(folder: &Path) -> PromptLibrary {
        let mut clips = HashMap::new();
        if let Ok(entries) = std::fs::read_dir(folder) {
            for entry in entries.flatten() {
                let path = entry.path();
                if path.extension().and_then(|e| e.to_str()) != Some("wav") {
                    continue;
                }
                let Some(name) = path.file_stem().and_then(|s| s.to_str()).map(str::to_owned) else { continue };
                match read_clip(&path) {
                    Ok(clip) => {
                        clips.insert(name, clip);
                    }
                    Err(error) => tracing::warn!(path = %path.display(), %error, "prompt skipped"),
                }
            }
        }
        let music = clips.get("music").cloned().unwrap_or_else(music_stand_in);
        PromptLibrary { clips: Arc::new(clips), stand_in: beep(), music, ringback: ringback() }
    }

    /// The clip of a prompt, or the stand-in beep.
    #[must_use]
    pub fn get(&self, name: &str) -> Clip {
        self.clips.get(name).cloned().unwrap_or_else(|| self.stand_in.clone())
    }

    /// Whether the prompt was loaded from a file.
    #[must_use]
    pub fn has(&self, name: &str) -> bool {
        self.clips.contains_key(name)
    }

    /// The music on hold (`music.wav`, or a soft two-tone chime).
    #[must_use]
    pub fn music(&self) -> Clip {
        self.music.clone()
    }

    /// One cycle of ringback (2 s on, 4 s off), for a caller waiting for
    /// a number outside to answer; play it looping.
    #[must_use]
    pub fn ringback(&self) -> Clip {
        self.ringback.clone()
    }
}

fn read_clip(path: &Path) -> Result<Clip, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let wav = Wav::parse_mono(&bytes).map_err(|e| e.to_string())?;
    if wav.spec().sample_rate != media::SAMPLE_RATE {
        return Err(format!("{} Hz, not 16 kHz", wav.spec().sample_rate));
    }
    Ok(wav.samples().collect::<Vec<i16>>().into())
}

fn beep() -> Clip {
    let mut samples = vec![0i16; STAND_IN_SAMPLES];
    ToneGenerator::new(media::SAMPLE_RATE, &[(880.0, 0.2)], Cadence::Once { on_ms: 150, off_ms: 350 })
        .fill(&mut samples);
    samples.into()
}

fn music_stand_in() -> Clip {
    let mut samples = vec![0i16; 2 * media::SAMPLE_RATE as usize];
    let chime = [(523.25, 0.08), (659.25, 0.06)];
    ToneGenerator::new(media::SAMPLE_RATE, &chime, Cadence::Repeat { on_ms: 400, off_ms: 600 }).fill(&mut samples);
    samples.into()
}

fn ringback() -> Clip {
    let mut samples = vec![0i16; 6 * media::SAMPLE_RATE as usize];
    ToneGenerator::ringback(media::SAMPLE_RATE).fill(&mut samples);
    samples.into()
}
