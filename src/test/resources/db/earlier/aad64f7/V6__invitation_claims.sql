-- An invitation is claimed by the instance that sends it, for a while, and marked delivered only once
-- it was sent: one that a crash or a shutdown left claimed but unsent is sent again when its claim
-- lapses (delivered at least once, where marking it delivered before sending lost it). A send that
-- failed leaves the invitation claimed until its next attempt is due, later after each failure.
ALTER TABLE invitations ADD COLUMN claimed_until timestamptz;
ALTER TABLE invitations ADD COLUMN attempts integer NOT NULL DEFAULT 0;
