DROP TABLE campaign_recipients;
DROP TABLE campaigns;
