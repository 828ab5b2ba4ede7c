-- People provisioned before invitations were kept (V3) got none: V3 marked them invited, yet no link
-- was ever queued for them, and no later write queues one (a write invites again only a person who
-- was invited before). Each person who has no invitation at all and has not set up is invited here
-- as a creation invites: one invitation queued, its token minted when the outbox claims it, and an
-- inactive person's claimed once the identity provider makes them active. A database made at V3 or
-- later has no such person, so this inserts nothing there.
INSERT INTO invitations (org_id, id, user_id, created_at)
SELECT u.org_id, gen_random_uuid(), u.id, now()
FROM scim_users u
WHERE u.setup_state = 'invited'
  AND NOT EXISTS (SELECT 1 FROM invitations i WHERE i.org_id = u.org_id AND i.user_id = u.id)
  AND NOT EXISTS (SELECT 1 FROM account_keys k WHERE k.org_id = u.org_id AND k.user_id = u.id);
