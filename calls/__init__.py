"""SIP observability: message parsing, call ladders, trace upload, OPTIONS probes, CloudWatch fetch."""
