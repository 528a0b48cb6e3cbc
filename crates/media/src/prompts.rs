//! The demo voice prompts and the announcements built from them: which
//! prompt files say "you are number three in the queue" or "your
//! estimated waiting time is five minutes". The files are made by
//! `scripts/prompts` (espeak-ng), 16 kHz mono WAV, one per [`Prompt`]
//! name plus `n0`…`n20` and the tens up to `n90`.

/// A prompt of the demo set; its file is `<name>.wav`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Prompt {
    /// "Thank you for calling."
    Welcome,
    /// "For sales, press 1. For support, press 2."
    MenuMain,
    /// "Sorry, that is not a valid choice."
    InvalidChoice,
    /// "Please hold. Your call is important to us."
    Hold,
    /// "You are number"
    PositionBefore,
    /// "in the queue."
    PositionAfter,
    /// "Your estimated waiting time is"
    WaitBefore,
    /// "minute."
    Minute,
    /// "minutes."
    Minutes,
    /// "less than a minute."
    LessThanAMinute,
    /// "To keep your place in the queue and be called back, press 1."
    CallbackOffer,
    /// "Thank you. We will call you back as soon as an agent is free."
    CallbackConfirmed,
    /// "We are closed now. Please call again during our opening hours."
    AfterHours,
    /// "Please leave your message after the tone."
    Voicemail,
    /// "Please rate this call from one to five."
    Survey,
    /// "Thank you for your feedback."
    SurveyThanks,
    /// "You have a call from the queue. Press 1 to accept it."
    AcceptCall,
    /// "Goodbye."
    Goodbye,
    /// A spoken number: 0–20 and the tens 30–90.
    Number(u8),
}

impl Prompt {
    /// Every fixed prompt (the numbers aside).
    pub const FIXED: [Prompt; 18] = [
        Prompt::Welcome,
        Prompt::MenuMain,
        Prompt::InvalidChoice,
        Prompt::Hold,
        Prompt::PositionBefore,
        Prompt::PositionAfter,
        Prompt::WaitBefore,
        Prompt::Minute,
        Prompt::Minutes,
        Prompt::LessThanAMinute,
        Prompt::CallbackOffer,
        Prompt::CallbackConfirmed,
        Prompt::AfterHours,
        Prompt::Voicemail,
        Prompt::Survey,
        Prompt::SurveyThanks,
        Prompt::AcceptCall,
        Prompt::Goodbye,
    ];

    /// The file name without `.wav`.
    pub fn name(self) -> String {
        let fixed = match self {
            Prompt::Welcome => "welcome",
            Prompt::MenuMain => "menu_main",
            Prompt::InvalidChoice => "invalid_choice",
            Prompt::Hold => "hold",
            Prompt::PositionBefore => "position_before",
            Prompt::PositionAfter => "position_after",
            Prompt::WaitBefore => "wait_before",
            Prompt::Minute => "minute",
            Prompt::Minutes => "minutes",
            Prompt::LessThanAMinute => "less_than_a_minute",
            Prompt::CallbackOffer => "callback_offer",
            Prompt::CallbackConfirmed => "callback_confirmed",
            Prompt::AfterHours => "after_hours",
            Prompt::Voicemail => "voicemail",
            Prompt::Survey => "survey",
            Prompt::SurveyThanks => "survey_thanks",
            Prompt::AcceptCall => "accept_call",
            Prompt::Goodbye => "goodbye",
            Prompt::Number(n) => return format!("n{n}"),
        };
        fixed.to_owned()
    }
}

/// The largest number the prompts can say; larger ones are said as this.
pub const MAX_SPOKEN: u32 = 99;

/// The prompts that say `n` (0–99; larger is said as 99): "twenty" "one".
pub fn number(n: u32) -> Vec<Prompt> {
    let n = n.min(MAX_SPOKEN);
    // Both casts are in range: n <= 99.
    let (tens, units) = ((n / 10) as u8, (n % 10) as u8);
    match n {
        0..=20 => vec![Prompt::Number(n as u8)],
        _ if units == 0 => vec![Prompt::Number(tens * 10)],
        _ if tens == 2 => vec![Prompt::Number(20), Prompt::Number(units)],
        _ => vec![Prompt::Number(tens * 10), Prompt::Number(units)],
    }
}

/// "You are number `position` in the queue." (`position` counts from 1).
pub fn position_announcement(position: u32) -> Vec<Prompt> {
    let mut prompts = vec![Prompt::PositionBefore];
    prompts.extend(number(position.max(1)));
    prompts.push(Prompt::PositionAfter);
    prompts
}

/// "Your estimated waiting time is N minutes." Minutes are rounded up;
/// under a minute it is "less than a minute".
pub fn wait_announcement(wait_secs: u32) -> Vec<Prompt> {
    let mut prompts = vec![Prompt::WaitBefore];
    match wait_secs.div_ceil(60) {
        0 => prompts.push(Prompt::LessThanAMinute),
        _ if wait_secs < 60 => prompts.push(Prompt::LessThanAMinute),
        1 => prompts.extend([Prompt::Number(1), Prompt::Minute]),
        minutes => {
            prompts.extend(number(minutes));
            prompts.push(Prompt::Minutes);
        }
    }
    prompts
}
