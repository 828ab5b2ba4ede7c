-- An invitation is claimed by the instance that sends it, for a while, and marked delivered only once
-- it was sent: one that a crash or a shutdown left claimed but unsent is sent again when its claim
-- lapses (delivered at least once, where marking it delivered before sending lost it). A send that
-- failed leaves the invitation claimed until its next attempt is due, later after each failure.
ALTER TABLE invitations ADD COLUMN claimed_until timestamptz;
ALTER TABLE invitations ADD COLUMN attempts integer NOT NULL DEFAULT 0;
-- Renamed with the change of meaning, so that an instance of an earlier version still running during
-- a rolling upgrade (which would mark invitations delivered before sending them, and ignore the
-- claims) fails its outbox statements and sends nothing, instead of sending invitations a second time.
-- Nothing else of an earlier version reads the column.
ALTER TABLE invitations RENAME COLUMN delivered_at TO sent_at;
