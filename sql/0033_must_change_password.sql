-- An admin who sets a user's password may require the user to choose a new one at the next
-- sign-in (issue 11 item 5): until then the sign-in answers 403 password_change_required and
-- POST /api/v1/auth/password-change is the way in.
ALTER TABLE users ADD COLUMN must_change_password TINYINT(1) NOT NULL DEFAULT 0;
