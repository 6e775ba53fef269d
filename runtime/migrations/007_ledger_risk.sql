-- The risk class each decision was made under: the tool's declared class, or destructive when
-- the tool's escalation check held the call for a person (for example a suspicious referral).
ALTER TABLE ledger ADD COLUMN risk text CHECK (risk IN ('read', 'write', 'destructive'));
