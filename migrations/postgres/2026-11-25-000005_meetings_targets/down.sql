DROP INDEX seller_accounts_signed_owner_idx;
DROP TABLE targets;
DROP TABLE meeting_plans;
DROP TABLE meeting_attendance;
DROP TABLE meetings;
