DROP TABLE seller_performance;
