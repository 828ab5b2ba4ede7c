-- A user's delete now deletes their invitations with them; an earlier version only voided them, and
-- kept the address each link was sent to and its token hash after the person was gone. Those rows go
-- here: each invitation is checked against its person's row by the users' primary key (organisation,
-- id), so the statement reads the table once, and an empty one costs nothing. It locks only the rows
-- it deletes, which belong to nobody any more: no write of a person who exists waits for it.
DELETE FROM invitations i
WHERE NOT EXISTS (SELECT 1 FROM scim_users u WHERE u.org_id = i.org_id AND u.id = i.user_id);
