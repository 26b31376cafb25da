DROP TABLE audit_events;
DROP TABLE renewals;
DROP TABLE seller_accounts;
DROP TABLE leads;
