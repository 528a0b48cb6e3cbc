//! Announcements built from the demo prompts, and the prompt set
//! `scripts/prompts` makes.

use media::prompts::{MAX_SPOKEN, Prompt, number, position_announcement, wait_announcement};

fn names(prompts: &[Prompt]) -> Vec<String> {
    prompts.iter().map(|p| p.name()).collect()
}

#[test]
fn numbers_up_to_twenty_are_one_word_and_others_tens_then_units() {
    assert_eq!(names(&number(0)), ["n0"]);
    assert_eq!(names(&number(13)), ["n13"]);
    assert_eq!(names(&number(20)), ["n20"]);
    assert_eq!(names(&number(21)), ["n20", "n1"]);
    assert_eq!(names(&number(40)), ["n40"]);
    assert_eq!(names(&number(99)), ["n90", "n9"]);
    assert_eq!(names(&number(250)), names(&number(MAX_SPOKEN)), "larger numbers are said as the largest");
}

#[test]
fn position_announcement_says_you_are_number_n_in_the_queue() {
    assert_eq!(names(&position_announcement(3)), ["position_before", "n3", "position_after"]);
    assert_eq!(names(&position_announcement(0)), ["position_before", "n1", "position_after"], "first, not zeroth");
}

#[test]
fn wait_announcement_rounds_minutes_up_and_says_less_than_a_minute_under_sixty_seconds() {
    assert_eq!(names(&wait_announcement(0)), ["wait_before", "less_than_a_minute"]);
    assert_eq!(names(&wait_announcement(59)), ["wait_before", "less_than_a_minute"]);
    assert_eq!(names(&wait_announcement(60)), ["wait_before", "n1", "minute"]);
    assert_eq!(names(&wait_announcement(61)), ["wait_before", "n2", "minutes"]);
    assert_eq!(names(&wait_announcement(25 * 60)), ["wait_before", "n20", "n5", "minutes"]);
}

/// Every prompt an announcement can use is one `scripts/prompts` makes.
#[test]
fn every_prompt_is_made_by_the_prompts_script() {
    let script =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/prompts")).expect("script");
    let made = |name: &str| {
        script.contains(&format!("[{name}]="))
            || name
                .strip_prefix('n')
                .and_then(|n| n.parse::<u32>().ok())
                .is_some_and(|n| n <= 20 || (n % 10 == 0 && script.contains(&format!("{n}:"))))
    };
    let mut used: Vec<String> = Prompt::FIXED.iter().map(|p| p.name()).collect();
    used.extend((0..=MAX_SPOKEN).flat_map(number).map(Prompt::name));
    for name in used {
        assert!(made(&name), "scripts/prompts does not make {name}.wav");
    }
}
