-- A crew run (runtime/crews/): several registry agents on one goal, run by CrewAI behind the same
-- policy gate. The crew is fixed when the run is recorded (its agents, each agent's part of the
-- goal, the process), so every process that advances the run later runs the same crew.
ALTER TABLE runs ADD COLUMN IF NOT EXISTS crew jsonb;
