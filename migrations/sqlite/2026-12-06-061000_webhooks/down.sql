DROP TABLE job_cursors;
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
