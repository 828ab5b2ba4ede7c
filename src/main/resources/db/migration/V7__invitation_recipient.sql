-- The address an invitation's current token was minted for, read from the person's row when it is
-- claimed. A write that gives a person who has not set up another address voids the tokens minted for
-- the old one and queues a new invitation, so that a link sent to a wrong address stops working once the
-- identity provider corrects it. Null while no token is outstanding. Tokens minted before this column
-- have none: where they were sent is not known, so the person's next write (even one that keeps the
-- address) voids them and queues a new invitation.
ALTER TABLE invitations ADD COLUMN recipient text;
