//! Skills: interned to small indices so a match is a few array reads, and the
//! expansion steps of a queue compiled against them.

use std::time::Duration;

use model::{AgentSkill, Queue, QueueId, SkillId, SkillMatch, SkillRequirement};

use crate::error::AcdError;
use crate::time::secs;

/// Interns skill ids to dense indices.
#[derive(Debug, Default)]
pub(crate) struct SkillTable {
    ids: Vec<SkillId>,
    index: crate::idhash::IdMap<SkillId, u16>,
}

impl SkillTable {
    /// The index of `id`, allocating one on first sight.
    pub(crate) fn intern(&mut self, id: SkillId) -> Result<u16, AcdError> {
        if let Some(&i) = self.index.get(&id) {
            return Ok(i);
        }
        let i = u16::try_from(self.ids.len())
            .map_err(|_| AcdError::Invalid { field: "skills", reason: "more than 65,536 distinct skills" })?;
        self.ids.push(id);
        self.index.insert(id, i);
        Ok(i)
    }

    /// The id behind an index.
    pub(crate) fn id(&self, i: u16) -> SkillId {
        self.ids[usize::from(i)]
    }

    /// An agent's levels as a dense vector (0 = skill absent).
    pub(crate) fn levels(&mut self, skills: &[AgentSkill]) -> Result<Vec<u8>, AcdError> {
        let mut levels = Vec::new();
        for s in skills {
            if !(1..=10).contains(&s.level) {
                return Err(AcdError::Invalid { field: "skills.level", reason: "must be between 1 and 10" });
            }
            let i = usize::from(self.intern(s.skill_id)?);
            if levels.len() <= i {
                levels.resize(i + 1, 0);
            }
            levels[i] = s.level;
        }
        Ok(levels)
    }

    /// Compiles a requirement list.
    pub(crate) fn requirement(&mut self, reqs: &[SkillRequirement]) -> Result<Vec<(u16, u8)>, AcdError> {
        reqs.iter().map(|r| Ok((self.intern(r.skill_id)?, r.min_level))).collect()
    }
}

/// The level of skill `i` in a dense level vector.
pub(crate) fn level(levels: &[u8], i: u16) -> u8 {
    levels.get(usize::from(i)).copied().unwrap_or(0)
}

/// Whether `levels` meets every requirement.
pub(crate) fn meets(levels: &[u8], reqs: &[(u16, u8)]) -> bool {
    reqs.iter().all(|&(s, min)| level(levels, s) >= min)
}

/// The sum of the agent's levels in the required skills (for best-skill routing).
pub(crate) fn score(levels: &[u8], reqs: &[(u16, u8)]) -> u32 {
    reqs.iter().map(|&(s, _)| u32::from(level(levels, s))).sum()
}

/// The skills matched, for an offer's reason.
pub(crate) fn matched(table: &SkillTable, levels: &[u8], reqs: &[(u16, u8)]) -> Vec<SkillMatch> {
    reqs.iter().map(|&(s, min)| SkillMatch { skill_id: table.id(s), required: min, level: level(levels, s) }).collect()
}

/// One expansion step of a queue, compiled. Step 0 is the queue's base requirement.
#[derive(Debug, Clone)]
pub(crate) struct Step {
    /// Wait after which the step applies.
    pub after: Duration,
    /// Required skills from this step on.
    pub reqs: Vec<(u16, u8)>,
    /// Queues whose agents also qualify from this step on.
    pub extra: Vec<QueueId>,
}

/// Compiles a queue's base requirement and expansion steps.
pub(crate) fn compile_steps(table: &mut SkillTable, q: &Queue) -> Result<Vec<Step>, AcdError> {
    let mut steps = vec![Step { after: Duration::ZERO, reqs: table.requirement(&q.required_skills)?, extra: vec![] }];
    for s in &q.routing.skill_steps {
        let reqs = table.requirement(&s.required_skills)?;
        steps.push(Step { after: secs(s.after_secs), reqs, extra: s.extra_queues.clone() });
    }
    Ok(steps)
}

/// The index of the step in force after waiting `wait`.
pub(crate) fn step_at(steps: &[Step], wait: Duration) -> usize {
    steps.iter().rposition(|s| s.after <= wait).unwrap_or(0)
}
