DROP TABLE outbound_webhook_attempts;
DROP TABLE outbound_webhook_deliveries;
DROP TABLE outbound_webhooks;
